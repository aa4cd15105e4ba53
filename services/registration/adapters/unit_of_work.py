"""The registration service's unit of work: one transaction with its store (``application/ports.py``)."""

from __future__ import annotations

from services.registration.adapters.repository import Repository
from shared.platform.uow import UnitOfWork


class RegistrationUnitOfWork(UnitOfWork):
    records: Repository

    async def __aenter__(self) -> RegistrationUnitOfWork:
        await super().__aenter__()
        self.records = Repository(self.session)
        return self
