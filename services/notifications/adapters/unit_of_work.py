"""The notifications service's unit of work: one transaction with its store (``application/ports.py``)."""

from __future__ import annotations

from services.notifications.adapters.repository import Repository
from shared.platform.uow import UnitOfWork


class NotificationsUnitOfWork(UnitOfWork):
    notices: Repository

    async def __aenter__(self) -> NotificationsUnitOfWork:
        await super().__aenter__()
        self.notices = Repository(self.session)
        return self
