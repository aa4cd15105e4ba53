"""Who is calling the events service: the organizer (shared token) or a participant (the token the
registration service issued; its hash arrives with the participant.registered event)."""

from __future__ import annotations

import hmac

from shared.contracts.envelope import Actor
from shared.platform.auth import token_hash
from shared.platform.service import ServiceRuntime


async def identify(runtime: ServiceRuntime, token: str | None) -> Actor | None:
    """The actor a token stands for, or None when it stands for nobody known here."""
    if not token:
        return None
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
