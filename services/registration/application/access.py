"""Who holds a record: a signed-in person holds the businesses and participants registered with a
contact it proved (its access token names those contacts by digest, never in clear)."""

from __future__ import annotations

from services.registration.application.ports import RegistrationUnitOfWork


async def holdings(uow: RegistrationUnitOfWork, digests: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """The businesses and participants registered with a contact a signed-in account proved."""
    if not digests:  # an integration, an official with no contact: no transaction
        return frozenset()
    async with uow:
        return await uow.records.held_by(digests)
