"""The delivery log for operators, re-sending a failed notice, and promotional announcements."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from services.notifications.application.handlers import Deps, Handlers
from services.notifications.application.planning import DEFAULT_TIMEZONE, Cause
from services.notifications.domain.notification import NotificationStatus
from services.notifications.domain.policy import PROMO
from services.notifications.locale import _
from shared.contracts.identity import NATIONAL, Role
from shared.platform.calls import Call
from shared.platform.commands import Command
from shared.platform.errors import Conflict, NotFound

VISIBLE = ("id", "cause_event_id", "cause_type", "campaign_id", "recipient_kind", "recipient_id", "channel",
           "template", "language", "klass", "subject", "status", "attempts", "next_attempt_at", "last_error",
           "caused_at", "created_at", "sent_at", "fallback_of")


class Announcement(Command):
    title: str = Field(min_length=3, max_length=120, examples=["Mời tham quan khu trưng bày giải pháp số"])
    text: str = Field(min_length=3, max_length=1000)


async def _campaign_for(repo: Any, call: Call, campaign_id: str | None) -> None:
    """An organizer where the campaign lies; the delivery log of no campaign or of every campaign is
    the national organizer's."""
    campaign = await repo.campaign(campaign_id) if campaign_id else None
    call.require(Role.ORGANIZER, campaign["scope_path"] if campaign else [NATIONAL])


async def query_log(deps: Deps, call: Call, **filters: Any) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        await _campaign_for(uow.notices, call, filters.get("campaign"))
        rows = await uow.notices.query(**filters)
    return [{k: r[k] for k in VISIBLE} for r in rows]


async def campaign_timezone(deps: Deps, campaign_id: str) -> str:
    """The zone the campaign's people live in (its board shows times there)."""
    async with deps.uow() as uow:
        campaign = await uow.notices.campaign(campaign_id)
    return campaign["timezone"] if campaign else DEFAULT_TIMEZONE


async def resend(deps: Deps, notification_id: str, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.notices
        row = await repo.notification(notification_id)
        if row is None:
            raise NotFound(_("No notification {notification_id}", notification_id=notification_id))
        await _campaign_for(repo, call, row["campaign_id"])
        if row["status"] != NotificationStatus.FAILED:
            raise Conflict(_("Only a failed notification can be re-sent"),
                           status=row["status"])
        await repo.update_notification(notification_id, {"status": NotificationStatus.PENDING.value, "attempts": 0,
                                                         "next_attempt_at": now,
                                                         "updated_at": now})
        await uow.commit()
        row = await repo.notification(notification_id)
    deps.wake_dispatcher()
    assert row is not None
    return {k: row[k] for k in VISIBLE}


async def announce(deps: Deps, handlers: Handlers, campaign_id: str, cmd: Announcement, call: Call) -> dict[str, Any]:
    """A promotional message: only to those who consented to promotions, "[QC]", opt-out line, at most
    3 a day per person, held to 07:00-22:00 local (Decree 91/2020)."""
    cause = Cause(f"announcement:{uuid.uuid4()}", "announcement", deps.clock.now(), campaign_id)
    async with deps.uow() as uow:
        repo = uow.notices
        await _campaign_for(repo, call, campaign_id)
        people = [c["contact_id"] for c in await repo.participants_of(campaign_id)]
        planner = handlers.planner(uow)
        context = {"campaign": await handlers._campaign(repo, campaign_id), "title": cmd.title, "text": cmd.text}
        planned = await planner.plan(cause, "announcement", people, context, klass=PROMO)
        suppressed = planner.suppressed
        await uow.commit()
    deps.wake_dispatcher()
    return {"announcement_id": cause.event_id, "planned": planned - suppressed, "suppressed": suppressed}
