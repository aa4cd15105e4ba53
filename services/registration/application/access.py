"""Who is calling: a business or a participant (tokens issued here), or a signed-in account and the
records registered with a contact it proved.

A token names its holder (``business.<id>.<secret>``) so it is checked with one lookup; only its
SHA-256 is stored.
"""

from __future__ import annotations

import hmac

from services.registration.application.ports import RegistrationUnitOfWork
from shared.contracts.envelope import Actor
from shared.platform.auth import new_token, token_hash

KINDS = ("business", "participant")


def access_token(kind: str, subject_id: str) -> str:
    return f"{kind}.{subject_id}.{new_token()}"


async def holdings(uow: RegistrationUnitOfWork, digests: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """The businesses and participants registered with a contact a signed-in account proved."""
    if not digests:  # an integration, an external issuer's official: no contact, no transaction
        return frozenset()
    async with uow:
        return await uow.records.held_by(digests)


async def identify(uow: RegistrationUnitOfWork, token: str | None) -> Actor | None:
    if not token:
        return None
    kind, _, rest = token.partition(".")
    subject_id, _, _secret = rest.partition(".")
    if kind not in KINDS or not subject_id:
        return None
    async with uow:
        repo = uow.records
        row = await (repo.business(subject_id) if kind == "business" else repo.participant(subject_id))
    stored = row.get("token_hash") if row else None
    if stored and hmac.compare_digest(stored, token_hash(token)):
        return Actor(kind=kind, id=subject_id)  # type: ignore[arg-type]
    return None
