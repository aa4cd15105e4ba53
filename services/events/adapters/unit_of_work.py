"""The events service's unit of work: one transaction with its stores (``application/ports.py``)."""

from __future__ import annotations

from services.events.adapters.audit_repository import AuditRepository
from services.events.adapters.repository import CampaignRepository
from services.events.adapters.schedule_repository import ScheduleRepository
from shared.platform.uow import UnitOfWork


class EventsUnitOfWork(UnitOfWork):
    schedule: ScheduleRepository
    campaigns: CampaignRepository
    audit: AuditRepository

    async def __aenter__(self) -> EventsUnitOfWork:
        await super().__aenter__()
        self.schedule = ScheduleRepository(self.session)
        self.campaigns = CampaignRepository(self.session)
        self.audit = AuditRepository(self.session)
        return self
