"""What every registration use case is given: a unit of work, a clock, metrics, the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.registration.application.campaigns import CampaignUnknown
from services.registration.application.ports import RegistrationStore, RegistrationUnitOfWork
from services.registration.locale import _
from shared.contracts.identity import Role
from shared.platform.calls import Call  # noqa: F401  (the caller of every use case, imported from here)
from shared.platform.clock import Clock


class RegistrationMetricsPort(Protocol):
    def registered(self, kind: str, outcome: str) -> None: ...
    def booth_state(self, campaign_id: str, open_days: int, taken: int, waiting: int) -> None: ...


class SignInLinks(Protocol):
    async def send(self, contact: str, language: str, next_url: str) -> bool:
        """A one-time sign-in link and code to this contact (False: it could not be sent now)."""
        ...


@dataclass
class Deps:
    uow: Callable[[], RegistrationUnitOfWork]
    clock: Clock
    metrics: RegistrationMetricsPort
    # campaigns whose booth gauges are stale; counted when Prometheus scrapes, not on every command
    booths_changed: set[str] = field(default_factory=set)
    # after an erasure: leave no earlier copy of the rows in the database's files (SQLite's WAL)
    scrub: Callable[[], Awaitable[None]] | None = None
    # one-click unsubscribe links: the key that signs them and where they point
    unsubscribe_key: bytes = b""
    public_url: str = "http://127.0.0.1:8001"
    # a record claimed a second time: a sign-in link goes to the contact it was registered with
    sign_in_links: SignInLinks | None = None
    # the installation's shared key: a booth notice's link opens its business's page (manage_token)
    manage_secret: str | None = None


async def campaign_for(repo: RegistrationStore, call: Call, campaign_id: str, role: Role) -> dict[str, Any]:
    """The campaign, when the caller acts in ``role`` where it lies (its place or above, or the campaign)."""
    campaign = await known_campaign(repo, campaign_id)
    call.require(role, campaign["scope_path"])
    return campaign


async def holder_or(repo: RegistrationStore, call: Call, kind: str, subject_id: str, campaign_id: str,
                    role: Role = Role.ORGANIZER) -> None:
    """The record's own holder, or someone acting in ``role`` where its campaign lies; anyone else is
    answered as for a missing record."""
    if call.holds(kind, subject_id):
        return
    campaign = await repo.campaign(campaign_id)
    call.require_holder_or(kind, subject_id, role, campaign["scope_path"] if campaign else ["VN"])


async def known_campaign(repo: RegistrationStore, campaign_id: str) -> dict[str, Any]:
    campaign = await repo.campaign(campaign_id)
    if campaign is None:
        raise CampaignUnknown(
            _("Campaign {campaign_id} is not known here (yet); retry in a few seconds", campaign_id=campaign_id),
            campaign_id=campaign_id,
        )
    return campaign
