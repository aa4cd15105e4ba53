"""What each integration event means for the notifications service: directory, reminders, notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from services.notifications.application.planning import Cause, NotYetKnown, Planner
from services.notifications.application.ports import NotificationStore, NotificationsUnitOfWork, Texts
from services.notifications.domain.links import Sites
from services.notifications.domain.policy import QuietHours
from services.notifications.locale import _
from shared.contracts import events as ev
from shared.contracts import registration as rg
from shared.contracts.envelope import Envelope
from shared.platform.clock import Clock

REMINDER_OFFSETS_MIN = (24 * 60, 60)


@dataclass
class Deps:
    uow: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    quiet: dict[str, QuietHours]
    available: set[str]
    coalesce: dt.timedelta
    texts: Texts
    wake_dispatcher: Callable[[], None] = lambda: None
    forget_delivered: Callable[[list[str]], Awaitable[None]] | None = None  # copies a channel keeps (files)
    sites: Sites = field(default_factory=Sites)  # where the links in notices point
    sms_brand: str = "NgayCDS"
    sms_diacritics: bool = True


def cause_of(event: Envelope) -> Cause:
    return Cause(event.event_id, event.type, event.occurred_at, event.campaign_id)


def _union(listed: list[str], known: list[str]) -> list[str]:
    """The holders an event lists (it may list only the first ones of a large workshop) and those this
    service knows from the seat events, each once, in that order."""
    return list(dict.fromkeys([*listed, *known]))


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json")


class Handlers:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def planner(self, uow: NotificationsUnitOfWork) -> Planner:
        return self.planner_for_repo(uow.notices)

    def planner_for_repo(self, repo: NotificationStore) -> Planner:
        return Planner(repo, self.deps.clock.now(), self.deps.quiet, self.deps.available, self.deps.texts,
                       self.deps.coalesce,
                       self.deps.sites, self.deps.sms_brand, self.deps.sms_diacritics)

    async def _campaign(self, repo: NotificationStore, campaign_id: str | None) -> dict[str, Any]:
        campaign = await repo.campaign(campaign_id)
        if campaign is None:
            raise NotYetKnown(_("campaign {campaign_id}", campaign_id=campaign_id), campaign_id=campaign_id or "")
        return {"locality": campaign["locality"], "theme": campaign["theme"]}

    async def _notify(self, uow: NotificationsUnitOfWork, event: Envelope, template: str, recipients: list[str],
                      context: dict[str, Any], **kwargs: Any) -> None:
        planner = self.planner(uow)
        context = {"campaign": await self._campaign(planner.repo, event.campaign_id), **context}
        await planner.plan(cause_of(event), template, recipients, context, **kwargs)
        uow.on_commit(self.deps.wake_dispatcher)

    # --- directory ------------------------------------------------------------------------------
    async def business_registered(self, uow: NotificationsUnitOfWork, event: Envelope,
                                  p: rg.BusinessRegistered) -> None:
        await uow.notices.put_contact({
            "contact_id": p.business_id, "kind": "business", "campaign_id": p.campaign_id, "language": "vi",
            "channels": ["email", "sms"], "purposes": ["service_notices"], "wants_digest": False,
            "opted_out": False, "erased": False, "updated_at": event.occurred_at})

    async def business_contact_updated(self, uow: NotificationsUnitOfWork, event: Envelope,
                                       p: rg.BusinessContactUpdated) -> None:
        # the new details are asked for at send time; only the change is noted
        await uow.notices.update_contact(p.business_id, {"updated_at": event.occurred_at})

    async def participant_registered(self, uow: NotificationsUnitOfWork, event: Envelope,
                                     p: rg.ParticipantRegistered) -> None:
        await uow.notices.put_contact({
            "contact_id": p.participant_id, "kind": "participant", "campaign_id": p.campaign_id,
            "language": p.language, "channels": list(p.channels),
            "purposes": list(p.consent_purposes), "wants_digest": p.wants_digest, "opted_out": False,
            "erased": False, "updated_at": event.occurred_at})

    async def participant_updated(self, uow: NotificationsUnitOfWork, event: Envelope,
                                  p: rg.ParticipantUpdated) -> None:
        changes = {"language": p.language, "channels": list(p.channels), "wants_digest": p.wants_digest,
                   "updated_at": event.occurred_at}
        if p.consent_purposes is not None:  # e.g. promotions withdrawn by an SMS reply or one click
            changes["purposes"] = list(p.consent_purposes)
        await uow.notices.update_contact(p.participant_id, changes)

    async def participant_opted_out(self, uow: NotificationsUnitOfWork, event: Envelope,
                                    p: rg.ParticipantOptedOut) -> None:
        repo = uow.notices
        await repo.update_contact(p.participant_id, {"opted_out": True, "updated_at": event.occurred_at})
        await repo.suppress_unsent_for(p.participant_id, "opted out", self.deps.clock.now())
        await repo.cancel_reminders_of(p.participant_id)

    async def participant_erased(self, uow: NotificationsUnitOfWork, event: Envelope, p: rg.ParticipantErased) -> None:
        repo = uow.notices
        await repo.erase_contact(p.participant_id, event.occurred_at)
        await repo.redact_for(p.participant_id, self.deps.clock.now())
        if self.deps.forget_delivered:
            await self.deps.forget_delivered(await repo.notification_ids_for(p.participant_id))
        await repo.cancel_reminders_of(p.participant_id)

    # --- booths ------------------------------------------------------------------------------------
    async def booth_confirmed(self, uow: NotificationsUnitOfWork, event: Envelope,
                              p: rg.BoothApplicationConfirmed) -> None:
        await self._notify(uow, event, "booth_confirmed", [p.business_id],
                           {"application_id": p.application_id, "allocations": _dump(p)["allocations"]})

    async def booth_promoted(self, uow: NotificationsUnitOfWork, event: Envelope,
                             p: rg.BoothApplicationPromoted) -> None:
        await self._notify(uow, event, "booth_promoted", [p.business_id],
                           {"application_id": p.application_id, "allocations": _dump(p)["allocations"]})

    async def booth_waitlisted(self, uow: NotificationsUnitOfWork, event: Envelope,
                               p: rg.BoothApplicationWaitlisted) -> None:
        await self._notify(uow, event, "booth_waitlisted", [p.business_id],
                           {"application_id": p.application_id, "position": p.position, "reason": p.reason})

    async def booth_rejected(self, uow: NotificationsUnitOfWork, event: Envelope,
                             p: rg.BoothApplicationRejected) -> None:
        await self._notify(uow, event, "booth_rejected", [p.business_id],
                           {"application_id": p.application_id, "reason": p.reason})

    async def booth_cancelled(self, uow: NotificationsUnitOfWork, event: Envelope,
                              p: rg.BoothApplicationCancelled) -> None:
        await self._notify(uow, event, "booth_cancelled", [p.business_id],
                           {"application_id": p.application_id, "by_organizer": p.cancelled_by == "organizer"})

    # --- workshops and seats ----------------------------------------------------------------------------
    async def workshop_scheduled(self, uow: NotificationsUnitOfWork, event: Envelope, p: ev.WorkshopScheduled) -> None:
        await uow.notices.put_workshop({
            "workshop_id": p.workshop_id, "campaign_id": p.campaign_id, "title": p.title,
            "room_name": p.room_name, "start": p.start, "end": p.end, "status": "scheduled"})

    async def workshop_rescheduled(self, uow: NotificationsUnitOfWork, event: Envelope,
                                   p: ev.WorkshopRescheduled) -> None:
        repo = uow.notices
        holders = _union([h.participant_id for h in p.holders], await repo.seat_holders(p.workshop_id))
        await repo.put_workshop({"workshop_id": p.workshop_id, "campaign_id": p.campaign_id, "title": p.title,
                                 "room_name": p.room_name, "start": p.start, "end": p.end, "status": "scheduled"})
        now = self.deps.clock.now()
        for minutes in REMINDER_OFFSETS_MIN:  # reminders follow the workshop
            due = p.start - dt.timedelta(minutes=minutes)
            await repo.move_reminders(p.workshop_id, minutes, due, "scheduled" if due > now else "done")
        planner = self.planner(uow)
        context = {"campaign": await self._campaign(repo, p.campaign_id),
                   "workshop": {"workshop_id": p.workshop_id, "title": p.title, "room_name": p.room_name,
                                "start": p.start, "end": p.end},
                   "previous_start": p.previous_start}
        await planner.plan_workshop_change(cause_of(event), p.workshop_id, "workshop_changed", holders, context,
                                           urgent_before=min(p.start, p.previous_start))
        uow.on_commit(self.deps.wake_dispatcher)

    async def workshop_cancelled(self, uow: NotificationsUnitOfWork, event: Envelope, p: ev.WorkshopCancelled) -> None:
        repo = uow.notices
        holders = _union([h.participant_id for h in p.holders], await repo.seat_holders(p.workshop_id))
        known = await repo.workshop(p.workshop_id)
        await repo.put_workshop({"workshop_id": p.workshop_id, "campaign_id": p.campaign_id, "title": p.title,
                                 "room_name": known["room_name"] if known else "", "start": p.start, "end": p.end,
                                 "status": "cancelled"})
        await repo.cancel_reminders(p.workshop_id)
        planner = self.planner(uow)
        context = {"campaign": await self._campaign(repo, p.campaign_id), "reason": p.reason,
                   "workshop": {"title": p.title, "room_name": known["room_name"] if known else "",
                                "start": p.start, "end": p.end}}
        await planner.plan_workshop_change(cause_of(event), p.workshop_id, "workshop_cancelled", holders, context,
                                           urgent_before=p.start)
        uow.on_commit(self.deps.wake_dispatcher)

    async def _seat_notice(self, uow: NotificationsUnitOfWork, event: Envelope, template: str, workshop_id: str,
                           participant_id: str, extra: dict[str, Any], ticket_of: str | None = None) -> None:
        workshop = await uow.notices.workshop(workshop_id)
        if workshop is None:
            return  # the workshop event comes first on its stream; nothing to say without it
        await self._notify(uow, event, template, [participant_id], {"workshop": workshop, **extra},
                           urgent_before=workshop["start"], ticket_of=ticket_of)

    async def _remind(self, uow: NotificationsUnitOfWork, workshop_id: str, participant_id: str, campaign_id: str,
                      seat_number: int | None, seat_id: str) -> None:
        repo = uow.notices
        workshop = await repo.workshop(workshop_id)
        if workshop is None:
            return
        now = self.deps.clock.now()
        rows = [{"workshop_id": workshop_id, "participant_id": participant_id, "minutes_before": m,
                 "campaign_id": campaign_id, "due_at": workshop["start"] - dt.timedelta(minutes=m),
                 "status": "scheduled" if workshop["start"] - dt.timedelta(minutes=m) >= now else "done",
                 "seat_number": seat_number, "seat_id": seat_id}
                for m in REMINDER_OFFSETS_MIN]
        await repo.put_reminders(rows)

    async def seat_confirmed(self, uow: NotificationsUnitOfWork, event: Envelope, p: ev.SeatConfirmed) -> None:
        await self._remind(uow, p.workshop_id, p.participant_id, p.campaign_id, p.seat_number, p.seat_id)
        await self._seat_notice(uow, event, "seat_confirmed", p.workshop_id, p.participant_id,
                                {"seat_number": p.seat_number}, ticket_of=p.seat_id)

    async def seat_promoted(self, uow: NotificationsUnitOfWork, event: Envelope, p: ev.SeatPromoted) -> None:
        await self._remind(uow, p.workshop_id, p.participant_id, p.campaign_id, p.seat_number, p.seat_id)
        await self._seat_notice(uow, event, "seat_promoted", p.workshop_id, p.participant_id,
                                {"seat_number": p.seat_number}, ticket_of=p.seat_id)

    async def seat_waitlisted(self, uow: NotificationsUnitOfWork, event: Envelope, p: ev.SeatWaitlisted) -> None:
        await self._seat_notice(uow, event, "seat_waitlisted", p.workshop_id, p.participant_id,
                                {"position": p.position})

    async def seat_cancelled(self, uow: NotificationsUnitOfWork, event: Envelope, p: ev.SeatCancelled) -> None:
        await uow.notices.cancel_reminders(p.workshop_id, p.participant_id)
        await self._seat_notice(uow, event, "seat_cancelled", p.workshop_id, p.participant_id, {})
