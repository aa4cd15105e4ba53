"""Who is calling the events service: the organizer (shared token) or a participant (the token the
registration service issued; its hash arrives with the participant.registered event)."""

from __future__ import annotations

import hmac

from shared.contracts.envelope import Actor
from shared.platform.auth import token_hash
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
        return (Actor(kind="account", id=claims.account_id), claims) if claims else None
    actor = await _record_holder(runtime, token)
    return (actor, None) if actor else None


async def _record_holder(runtime: ServiceRuntime, token: str) -> Actor | None:
    organizer = runtime.settings.organizer_token
    if organizer and hmac.compare_digest(token.encode(), organizer.encode()):
        return Actor(kind="organizer")
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
