"""A business's booth application as an aggregate: pending -> confirmed | waitlisted -> (promoted)
confirmed, back to pending for the organizer in an approval campaign, rejected or cancelled while
open. Each transition refuses what its status does not allow and records a domain event.

Pure: which booths are free is decided by ``allocate`` (domain/booths.py) on what the repository read
under the campaign's booth lock; time is passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.registration.domain.booths import OPEN, Allocation, ApplicationStatus
from services.registration.domain.errors import TransitionNotAllowed
from services.registration.locale import _
from shared.platform.i18n import Text


# --- domain events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Submitted:
    application: BoothApplication


@dataclass(frozen=True)
class Confirmed:
    application: BoothApplication
    allocations: list[Allocation]
    approved_by_organizer: bool


@dataclass(frozen=True)
class Waitlisted:
    application: BoothApplication
    position: int
    reason: str


@dataclass(frozen=True)
class Promoted:
    application: BoothApplication
    allocations: list[Allocation]


@dataclass(frozen=True)
class Reopened:
    application: BoothApplication


@dataclass(frozen=True)
class Rejected:
    application: BoothApplication
    reason: str


@dataclass(frozen=True)
class Cancelled:
    application: BoothApplication
    freed: list[Allocation]
    by_organizer: bool


ApplicationEvent = Submitted | Confirmed | Waitlisted | Promoted | Reopened | Rejected | Cancelled


@dataclass(eq=False)
class BoothApplication:
    id: str
    campaign_id: str
    business_id: str
    days: list[dt.date]
    quantity: int
    booth_code: str | None
    status: ApplicationStatus = ApplicationStatus.PENDING
    reason: str | None = None
    seq: int | None = None  # its place in the campaign's line (given by the database)
    events: list[ApplicationEvent] = field(default_factory=list)

    @classmethod
    def submit(cls, application_id: str, campaign_id: str, business_id: str, days: list[dt.date], quantity: int,
               booth_code: str | None) -> BoothApplication:
        app = cls(application_id, campaign_id, business_id, list(days), quantity, booth_code)
        app.events.append(Submitted(app))
        return app

    def _require(self, allowed: set[ApplicationStatus], action: Text) -> None:
        if self.status not in allowed:
            raise TransitionNotAllowed(
                _("Cannot {action} an application that is {status}", action=action, status=self.status.value),
                status=self.status.value,
            )

    def require_approvable(self) -> None:
        """Only a pending application waits for the organizer's decision."""
        self._require({ApplicationStatus.PENDING}, _("approve"))

    def confirm(self, allocations: list[Allocation], *, approved: bool) -> None:
        """Booths for every day: from pending (auto mode, or the organizer's approval)."""
        self._require({ApplicationStatus.PENDING}, _("approve"))
        self.status, self.reason = ApplicationStatus.CONFIRMED, None
        self.events.append(Confirmed(self, allocations, approved))

    def waitlist(self, reason: str, position: int) -> None:
        """No booths for some day: the end of the campaign's line."""
        self._require({ApplicationStatus.PENDING}, _("waitlist"))
        self.status, self.reason = ApplicationStatus.WAITLISTED, reason
        self.events.append(Waitlisted(self, position, reason))

    def promote(self, allocations: list[Allocation]) -> None:
        """Freed booths serve a waiting application (auto mode)."""
        self._require({ApplicationStatus.WAITLISTED}, _("promote"))
        self.status, self.reason = ApplicationStatus.CONFIRMED, None
        self.events.append(Promoted(self, allocations))

    def return_to_pending(self) -> None:
        """Approval mode: freed booths could serve it; the organizer decides again."""
        self._require({ApplicationStatus.WAITLISTED}, _("reopen"))
        self.status, self.reason = ApplicationStatus.PENDING, None
        self.events.append(Reopened(self))

    def reject(self, reason: str) -> None:
        self._require(OPEN, _("reject"))
        self.status, self.reason = ApplicationStatus.REJECTED, reason
        self.events.append(Rejected(self, reason))

    def cancel(self, freed: list[Allocation], *, by_organizer: bool) -> None:
        self._require(OPEN, _("cancel"))
        self.status, self.reason = ApplicationStatus.CANCELLED, None
        self.events.append(Cancelled(self, freed, by_organizer))
