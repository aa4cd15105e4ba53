"""Who is calling the events service: a signed-in account (an identity access token) or a participant
(the token the registration service issued; its hash arrives with the participant.registered event)."""

from __future__ import annotations

import hmac

from services.events.adapters.holdings import RegistrationHoldings
from services.events.locale import _
from shared.contracts.envelope import Actor
from shared.platform.auth import token_hash
from shared.platform.calls import Call
from shared.platform.errors import Unauthorized, Unavailable
from shared.platform.rpc import Callers
from shared.platform.service import ServiceRuntime
from shared.platform.tokens import AccessClaims, looks_like_access_token


async def identify(runtime: ServiceRuntime, token: str | None) -> Actor | None:
    """The actor a token stands for, or None when it stands for nobody known here."""
    found = await who(runtime, token)
    return found[0] if found else None


async def who(runtime: ServiceRuntime, token: str | None) -> tuple[Actor, AccessClaims | None] | None:
    """The actor a token stands for and, for a signed-in account, its verified claims."""
    if not token:
        return None
    if looks_like_access_token(token):
        claims = await runtime.tokens.verify(token)
        return (Actor(kind="account", id=claims.account_id, api_key=claims.api_key), claims) if claims else None
    actor = await _record_holder(runtime, token)
    return (actor, None) if actor else None


def callers_of(runtime: ServiceRuntime) -> Callers:
    """Who calls, over HTTP and NATS alike: anyone without a token is nobody in particular; a token that
    stands for nobody is refused (401), or asked to retry when its sign-up has not reached us yet. A
    signed-in person holds the participant records registered with a contact it proved (asked of the
    registration service with its own token)."""
    held = RegistrationHoldings(lambda: runtime.broker.connection)

    async def call_of(token: str | None, correlation_id: str | None) -> Call:
        found = await who(runtime, token)
        if found is not None:
            actor, claims = found
            holdings = await held.of(token) if token and claims and claims.contacts and not claims.api_key \
                else frozenset()
            return Call(actor, correlation_id, claims, holdings)
        if token:
            pid = participant_id_of(token)
            if pid is not None and not await participant_known(runtime, pid):
                # issued by registration a moment ago; its sign-up event is on its way here
                raise Unavailable(_("Your sign-up is on its way to this service; retry in a few seconds"),
                                  retry_after=5)
            raise Unauthorized(_("The access token is not valid"))
        return Call(Actor(kind="system"), correlation_id)

    return call_of


async def _record_holder(runtime: ServiceRuntime, token: str) -> Actor | None:
    participant_id = participant_id_of(token)
    if participant_id is None:
        return None
    async with runtime.uow() as uow:
        known = await uow.schedule.participant(participant_id)
    stored = known["token_hash"] if known else None
    if stored and hmac.compare_digest(stored, token_hash(token)):
        return Actor(kind="participant", id=participant_id)
    return None


def participant_id_of(token: str) -> str | None:
    kind, _, rest = token.partition(".")
    participant_id = rest.partition(".")[0]
    return participant_id if kind == "participant" and participant_id else None


async def participant_known(runtime: ServiceRuntime, participant_id: str) -> bool:
    """False for someone who signed up a moment ago: the event has not reached this service yet."""
    async with runtime.uow() as uow:
        return await uow.schedule.participant(participant_id) is not None
