"""An official's optional password: set and removed while signed in, used instead of a link to sign in.
The link always works too; a password never replaces the verified contact."""

from __future__ import annotations

import secrets

from services.identity.application.accounts import Caller, acting
from services.identity.application.context import Deps
from services.identity.application.ports import Hasher
from services.identity.application.sign_in import normalised_contact, start_session
from services.identity.domain.passwords import Password, password_refused
from services.identity.locale import _
from shared.platform.errors import Unavailable

# a hash checked for a contact without a password, so that its answer takes as long as a wrong one's
_decoy: list[str] = []


def _hasher(deps: Deps) -> Hasher:
    if deps.hasher is None:
        raise Unavailable(_("Passwords are not available here; sign in with a link"))
    return deps.hasher


async def _decoy_check(hasher: Hasher, plain: str) -> None:
    if not _decoy:
        _decoy.append(await hasher.hash(secrets.token_urlsafe(16)))
    await hasher.matches(_decoy[0], plain)


async def set_password(deps: Deps, caller: Caller, plain: str) -> None:
    async with deps.uow() as uow:
        account = await acting(uow, caller)
        Password.acceptable(plain, official=bool(account.active_grants()), contacts=(account.email, account.phone))
    hashed = await _hasher(deps).hash(plain)  # off the transaction: hashing takes a moment of CPU
    async with deps.uow() as uow:  # decided again on the account as it is now (a grant removed meanwhile)
        account = await acting(uow, caller)
        Password.acceptable(plain, official=bool(account.active_grants()), contacts=(account.email, account.phone))
        await uow.store.save_password(Password.choose(account.id, hashed, deps.clock.now()))
        await uow.commit()


async def remove_password(deps: Deps, caller: Caller) -> bool:
    async with deps.uow() as uow:
        account = await acting(uow, caller)
        removed = await uow.store.remove_password(account.id)
        await uow.commit()
    return removed


async def redeem_password(deps: Deps, contact: str, plain: str) -> tuple[str, str]:
    """A session for the account whose verified contact this is, when the password is its own and not
    shut by wrong tries; the same refusal for every other case."""
    _channel, address = normalised_contact(contact)
    hasher = _hasher(deps)
    async with deps.uow() as uow:
        account = await uow.store.account_by_contact(address)
        password = await uow.store.password(account.id) if account is not None and account.active else None
        now = deps.clock.now()
        if password is None or password.shut(now):
            await _decoy_check(hasher, plain)  # as long as a real try
            raise password_refused()
        signed_in = password.tried(await hasher.matches(password.hash, plain), now)
        await uow.store.save_password(password)
        credential = await start_session(uow, password.account_id, deps.clock) if signed_in else None
        await uow.commit()  # a wrong try is counted
    if credential is None:
        raise password_refused()
    return credential, "/me"
