"""Signing in with a one-time link or code, sessions, access tokens and signing out.

A request for a link answers the same whether or not the contact has an account (nothing is learnt
by asking); at most ``sign_ins_per_hour`` links go to one contact an hour, the rest are dropped
silently. Redeeming loads the challenge and the account under their row locks: a link opened twice
at the same moment signs in once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable

import phonenumbers

from services.identity.application.context import ACCESS_TOKEN_SECONDS, Deps
from services.identity.application.ports import IdentityUnitOfWork, MessengerUnavailable
from services.identity.application.publishing import account_events, session_ended
from services.identity.domain.accounts import Account, Grant, GrantAdded
from services.identity.domain.errors import SessionEnded
from services.identity.domain.sign_in import VALID_FOR, Session, SignInChallenge, refused
from services.identity.locale import _
from shared.contracts.envelope import SYSTEM, Actor
from shared.contracts.identity import Role, contact_digest
from shared.contracts.notifications import SignInMessage
from shared.platform.clock import Clock
from shared.platform.errors import Unavailable, Unprocessable

HOUR = 3600


class MessageNotSent(Unavailable):
    code = "sign_in_not_sent"


def normalised_contact(raw: str) -> tuple[str, str]:
    """(channel, contact): an email in lower case, or a Vietnamese mobile as +84…"""
    text = raw.strip()
    if "@" in text:
        return "email", text.lower()
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Unprocessable(_("Type the email or the mobile number you were invited with"), field="contact")
    return "sms", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def request_sign_in(deps: Deps, contact: str, *, language: str = "vi", next_path: str = "/me") -> None:
    channel, address = normalised_contact(contact)
    now = deps.clock.now()
    link_secret, code = secrets.token_urlsafe(24), f"{secrets.randbelow(10**6):06d}"
    found = await _account_of(deps, channel, address)
    async with deps.uow() as uow:
        # the limit is decided under the account's row lock: two requests at once cannot both pass it
        account = await uow.store.account(found.id, for_decision=True)
        if account is None or not account.active:
            return
        if await uow.store.challenges_since(account.id, now - dt.timedelta(hours=1)) >= deps.sign_ins_per_hour:
            return
        challenge = SignInChallenge.issue(str(uuid.uuid4()), account.id, channel, link=link_secret, code=code,
                                          now=now, next_path=next_path)
        await uow.store.add_challenge(challenge)
        await uow.commit()
    try:
        await deps.messenger.send_sign_in(SignInMessage(
            account_id=account.id, channel=channel, to=address, name=account.name, language=language,
            link=f"{deps.issuer}/sign-in/{challenge.id}.{link_secret}", code=code,
            valid_minutes=int(VALID_FOR.total_seconds() // 60)))
    except MessengerUnavailable:
        raise MessageNotSent(_("The sign-in message could not be sent just now; please ask again in a minute")) \
            from None


async def _account_of(deps: Deps, channel: str, address: str) -> Account:
    """The account of this contact; a contact nobody invited gets one without grants, so a business or
    a participant signs in with the contact it registered and sees its own records (and nothing else)."""
    async with deps.uow() as uow:
        if (found := await uow.store.account_by_contact(address)) is not None:
            return found
        person = Account(str(uuid.uuid4()), "", address if channel == "email" else None,
                         address if channel == "sms" else None, deps.clock.now())
        if await uow.store.add_account(person):
            await uow.commit()
            return person
    async with deps.uow() as uow:  # made at the same moment by another request: that one
        found = await uow.store.account_by_contact(address)
    if found is None:
        raise MessageNotSent(_("The sign-in message could not be sent just now; please ask again in a minute"))
    return found


async def redeem_link(deps: Deps, link: str) -> tuple[str, str]:
    """(session credential, where to go next)."""
    challenge_id, _sep, secret = link.partition(".")
    now = deps.clock.now()
    async with deps.uow() as uow:
        challenge = await uow.store.challenge(challenge_id, for_decision=True)
        if challenge is None:
            raise refused()
        challenge.redeem_link(secret, now)
        await uow.store.save_challenge(challenge)
        credential = await start_session(uow, challenge.account_id, deps.clock)
        await uow.commit()
    return credential, challenge.next_path


async def redeem_code(deps: Deps, contact: str, code: str) -> tuple[str, str]:
    _channel, address = normalised_contact(contact)
    now = deps.clock.now()
    async with deps.uow() as uow:
        account = await uow.store.account_by_contact(address)
        challenge = await uow.store.open_challenge_of(account.id, now) if account is not None else None
        if challenge is None:
            raise refused()
        right = challenge.redeem_code(code, now)
        await uow.store.save_challenge(challenge)
        credential = await start_session(uow, challenge.account_id, deps.clock) if right else None
        await uow.commit()  # a wrong code is counted
    if credential is None:
        raise refused()
    return credential, challenge.next_path


async def start_session(uow: IdentityUnitOfWork, account_id: str, clock: Clock) -> str:
    now = clock.now()
    account = await uow.store.account(account_id, for_decision=True)
    if account is None or not account.active:
        raise refused()
    account.verify(now)
    await uow.store.save_account(account)
    session, secret = Session.start(str(uuid.uuid4()), account_id, now), secrets.token_urlsafe(32)
    await uow.store.add_session_record(session, _hash(secret))
    return f"{session.id}.{secret}"


async def _live_session(uow: IdentityUnitOfWork, credential: str) -> Session:
    session_id, _sep, secret = credential.partition(".")
    found = await uow.store.session_record(session_id, for_decision=True) if session_id and secret else None
    if found is None or not hmac.compare_digest(found[1], _hash(secret)):
        raise SessionEnded(_("Your session has ended; please sign in again"))
    return found[0]


async def access_token(deps: Deps, credential: str) -> tuple[str, Account]:
    """A short-lived signed access token for the session's account, with its grants as they are now;
    the session is refreshed by its use."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        session = await _live_session(uow, credential)
        session.touch(now)
        account = await uow.store.account(session.account_id)
        if account is None or not account.active:
            raise SessionEnded(_("Your session has ended; please sign in again"))
        await uow.store.save_session_record(session)
        claims = {"iss": deps.issuer, "sub": account.id, "sid": session.id, "iat": int(now.timestamp()),
                  "exp": int(now.timestamp()) + ACCESS_TOKEN_SECONDS,
                  "grants": [{"role": g.role.value, "scope": g.scope} for g in account.active_grants()],
                  "contacts": [contact_digest(c) for c in (account.email, account.phone) if c]}
        token = await deps.signer.access_token(uow, claims, now)
        await uow.commit()
    return token, account


async def sign_out(deps: Deps, credential: str) -> None:
    """The session ends here, and every service refuses its access tokens once it hears of it."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        try:
            session = await _live_session(uow, credential)
        except SessionEnded:
            return  # signed out already
        if session.end(now):
            await uow.store.save_session_record(session)
            uow.record(session_ended(session.id, session.account_id,
                                     Actor(kind="account", id=session.account_id), now))
            await uow.commit()


async def setup_sign_in_link(uow: Callable[[], IdentityUnitOfWork], clock: Clock, issuer: str, *, name: str,
                             email: str, role: Role, scope: str, valid_for: dt.timedelta = VALID_FOR,
                             next_path: str = "/me") -> str:
    """At installation (``dxday up``, the demo): the account with this grant, made if missing (granted by
    the system), and a one-time sign-in link for it that is printed, not sent; it lands on ``next_path``
    (this site's path, or a page of the installation's services)."""
    now = clock.now()
    link_secret = secrets.token_urlsafe(24)
    async with uow() as unit:
        account = await unit.store.account_by_contact(email.lower())
        if account is None:
            account = Account(str(uuid.uuid4()), name, email.lower(), None, now)
            await unit.store.add_account(account)
        if not any(g.role is role and g.scope == scope for g in account.active_grants()):
            account.grants.append(Grant(str(uuid.uuid4()), account.id, role, scope, None, now))
            account.events.append(GrantAdded(account.grants[-1]))
            await unit.store.save_account(account)
            unit.record(*account_events(account.events, SYSTEM, now))
        challenge = SignInChallenge.issue(str(uuid.uuid4()), account.id, "email", link=link_secret,
                                          code=f"{secrets.randbelow(10**6):06d}", now=now, next_path=next_path)
        challenge.expires_at = now + valid_for
        await unit.store.add_challenge(challenge)
        await unit.commit()
    return f"{issuer}/sign-in/{challenge.id}.{link_secret}"
