"""What every registration use case is given: a unit of work, a clock, metrics, the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from services.registration.adapters.repository import Repository
from services.registration.application.campaigns import CampaignUnknown
from services.registration.domain.errors import NotYours
from shared.clock import Clock
from shared.contracts.envelope import Actor, Envelope, EventContract, make_envelope
from shared.uow import UnitOfWork

SERVICE = "registration"


class RegistrationMetricsPort(Protocol):
    def registered(self, kind: str, outcome: str) -> None: ...
    def booth_state(self, campaign_id: str, open_days: int, taken: int, waiting: int) -> None: ...


class NoMetrics:
    def registered(self, kind: str, outcome: str) -> None:
        pass

    def booth_state(self, campaign_id: str, open_days: int, taken: int, waiting: int) -> None:
        pass


@dataclass
class Deps:
    uow: Callable[[], UnitOfWork]
    clock: Clock
    metrics: RegistrationMetricsPort


@dataclass(frozen=True)
class Call:
    """Who is asking, and the correlation id their request carries."""

    actor: Actor
    correlation_id: str | None = None

    @property
    def is_organizer(self) -> bool:
        return self.actor.kind == "organizer"

    def signing_up(self, kind: str, subject_id: str) -> Call:
        """Someone anonymous creating their own record acts as that record from now on."""
        if self.actor.kind != "system":
            return self
        return Call(actor=Actor(kind=kind, id=subject_id), correlation_id=self.correlation_id)  # type: ignore[arg-type]

    def require_organizer(self) -> None:
        if not self.is_organizer:
            raise NotYours("Chỉ ban tổ chức được làm việc này", "Only the organizer may do this")

    def require_self_or_organizer(self, kind: str, subject_id: str) -> None:
        if self.is_organizer or (self.actor.kind == kind and self.actor.id == subject_id):
            return
        raise NotYours("Bạn không có quyền với hồ sơ này", "You may not act on this record")


def event(contract: EventContract[Any], payload: BaseModel, call: Call, now: datetime, campaign_id: str) -> Envelope:
    """The one place where a registration change becomes an integration event."""
    return make_envelope(contract, payload, producer=SERVICE, actor=call.actor, occurred_at=now,
                         campaign_id=campaign_id, correlation_id=call.correlation_id)


async def known_campaign(repo: Repository, campaign_id: str) -> dict[str, Any]:
    campaign = await repo.campaign(campaign_id)
    if campaign is None:
        raise CampaignUnknown(
            f"Chưa có thông tin chiến dịch {campaign_id}; thử lại sau ít giây",
            f"Campaign {campaign_id} is not known here (yet); retry in a few seconds",
            campaign_id=campaign_id,
        )
    return campaign
