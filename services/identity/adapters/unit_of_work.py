"""The identity service's unit of work: one transaction with its store (``application/ports.py``)."""

from __future__ import annotations

from services.identity.adapters.repository import IdentityRepository
from shared.platform.uow import UnitOfWork


class IdentityUnitOfWork(UnitOfWork):
    store: IdentityRepository

    async def __aenter__(self) -> IdentityUnitOfWork:
        await super().__aenter__()
        self.store = IdentityRepository(self.session)
        return self
