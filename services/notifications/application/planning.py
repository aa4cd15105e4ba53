"""Turning causes into planned notifications: who, on which channel, with which text, and when.

Planning happens in the consumer's transaction, so a redelivered event plans nothing twice (the
inbox), and the unique key (cause, recipient, channel) holds even if it did.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from services.notifications.application.ports import NotificationStore, Texts
from services.notifications.domain.links import Sites, links_for
from services.notifications.domain.notification import Notification, NotificationStatus
from services.notifications.domain.policy import (
    PROMO,
    SERVICE,
    QuietHours,
    channel_for,
    consented,
    send_time,
)
from services.notifications.domain.texts import CODE_SLOT, NAME_SLOT
from services.notifications.locale import _
from shared.contracts.events import CAMPAIGN_TIMEZONE
from shared.platform.errors import Unavailable
from shared.platform.i18n import Text

DEFAULT_TIMEZONE = CAMPAIGN_TIMEZONE  # a notice that belongs to no campaign
PLAN_SLICE = 5_000


class NotYetKnown(Unavailable):
    """Another stream has not told us of this person or campaign yet (streams are not ordered with
    each other): an event is retried later, not dropped; an HTTP caller gets a 503 to retry."""

    code = "not_yet_known"

    def __init__(self, detail: Text, **details: str) -> None:
        super().__init__(_("Not known here yet ({detail}); retry in a few seconds", detail=detail), **details)


@dataclass(frozen=True)
class Cause:
    event_id: str
    type: str
    occurred_at: dt.datetime
    campaign_id: str | None


@dataclass
class Planner:
    """Plans notices for one cause; ``quiet`` and ``available`` come from the settings."""

    repo: NotificationStore
    now: dt.datetime
    quiet: dict[str, QuietHours]
    available: set[str]
    texts: Texts
    coalesce: dt.timedelta = dt.timedelta(0)
    sites: Sites = field(default_factory=Sites)
    sms_brand: str = "CDS"
    sms_diacritics: bool = True
    suppressed: int = 0  # planned as suppressed (e.g. over the promotional limit), across this planner's causes
    _send_times: dict[tuple[str, str, str, dt.datetime], dt.datetime] = field(default_factory=dict)

    async def timezone(self, campaign_id: str | None) -> str:
        campaign = await self.repo.campaign(campaign_id)
        if campaign_id is not None and campaign is None:
            raise NotYetKnown(_("campaign {campaign_id}", campaign_id=campaign_id), campaign_id=campaign_id)
        return campaign["timezone"] if campaign else DEFAULT_TIMEZONE

    def channel_for(self, contact: dict[str, Any]) -> str | None:
        return channel_for(contact["channels"], self.available)

    async def plan(self, cause: Cause, template: str, recipients: list[str], context: dict[str, Any], *,
                   dedup_key: str | None = None, klass: str = SERVICE, delay: dt.timedelta = dt.timedelta(0),
                   per_recipient: dict[str, dict[str, Any]] | None = None,
                   urgent_before: dt.datetime | None = None, ticket_of: str | None = None) -> int:
        """Plan one notice per consenting recipient; returns how many were new. ``urgent_before``: what
        the notice is about begins then, so quiet hours that would hold it past that moment do not.
        ``ticket_of``: the seat whose check-in ticket the notice carries (filled in when it leaves)."""
        tz = await self.timezone(cause.campaign_id)
        context = {"links": links_for(template, cause.campaign_id, context, self.sites),
                   "checkin_code": CODE_SLOT if ticket_of else None, **context}
        rendered: dict[str, tuple[str, str]] = {}  # one rendering per language; names are filled in at send time
        added = 0
        for i in range(0, len(recipients), PLAN_SLICE):  # a slice at a time: memory stays flat for big causes
            part = recipients[i:i + PLAN_SLICE]
            directory = await self.repo.contacts_by_id(part, hold=True)
            missing = [r for r in part if r not in directory]
            if missing:
                raise NotYetKnown(_("{count} recipient(s) not in the directory yet, e.g. {example}",
                                      count=len(missing), example=missing[0]))
            rows = []
            for recipient in part:
                contact = directory[recipient]
                if not consented(contact, template):
                    continue
                channel = self.channel_for(contact)
                if channel is None:
                    continue
                own = (per_recipient or {}).get(recipient)
                key = f"{contact['language']}:{'sms' if channel == 'sms' else 'text'}"
                if own is not None:
                    text = self._text(template, contact["language"], tz, {**context, **own}, channel)
                elif (text := rendered.get(key)) is None:
                    text = rendered[key] = self._text(template, contact["language"], tz, context, channel)
                rows.append(await self._planned(cause, template, contact, channel, tz, text,
                                                dedup_key or cause.event_id, klass, delay, urgent_before,
                                                context.get("previous_start"), ticket_of))
            self.suppressed += sum(1 for n in rows if n.status is NotificationStatus.SUPPRESSED)
            added += await self.repo.add_notifications([n.row() for n in rows])
        return added

    def _text(self, template: str, language: str, tz: str, context: dict[str, Any],
              channel: str) -> tuple[str, str]:
        """Subject and body for this channel: an SMS gets its own short line, the others the full text."""
        subject, body = self.texts.render(template, language, tz, {"name": NAME_SLOT, **context})
        if channel == "sms":
            body = self.texts.render_sms(template, language, tz, context, brand=self.sms_brand,
                                        diacritics=self.sms_diacritics)
        return subject, body

    async def _planned(self, cause: Cause, template: str, contact: dict[str, Any], channel: str, tz: str,
                       text: tuple[str, str], dedup_key: str, klass: str, delay: dt.timedelta,
                       urgent_before: dt.datetime | None, told_start: dt.datetime | None,
                       seat_id: str | None) -> Notification:
        today = (await self.repo.promo_count_since(contact["contact_id"], self.now - dt.timedelta(days=1))
                 if klass == PROMO else 0)
        return Notification.plan(
            str(uuid.uuid4()), dedup_key=dedup_key, cause=cause, contact=contact, channel=channel, template=template,
            klass=klass, text=text, send_at=self.send_time(channel, tz, klass, self.now + delay, urgent_before),
            now=self.now, promotions_today=today, told_start=told_start, seat_id=seat_id)

    def send_time(self, channel: str, tz: str, klass: str, at: dt.datetime,
                  urgent_before: dt.datetime | None = None) -> dt.datetime:
        key = (channel, tz, klass, at, urgent_before)
        if (known := self._send_times.get(key)) is not None:  # the same for every recipient of a cause
            return known
        self._send_times[key] = send_time(at, tz, self.quiet.get(channel), klass, urgent_before)
        return self._send_times[key]

    async def plan_workshop_change(self, cause: Cause, workshop_id: str, template: str, holders: list[str],
                                   context: dict[str, Any], urgent_before: dt.datetime | None = None) -> int:
        """A burst of edits gives each person one notice with the final state: a change notice still
        waiting out its quiet period is rewritten and waits again, instead of a second one."""
        tz = await self.timezone(cause.campaign_id)
        waiting = await self.repo.pending_changes(workshop_id)
        directory = await self.repo.contacts_by_id(sorted({recipient for recipient, _ in waiting}), hold=True)
        fresh: list[str] = []
        for recipient in holders:
            contact = directory.get(recipient)
            channel = self.channel_for(contact) if contact else None
            earlier = waiting.get((recipient, channel)) if channel else None
            if earlier is None or contact is None or channel is None:
                fresh.append(recipient)
                continue
            # the old time is the one this person was last told, not the one of the edit before this
            told = earlier.get("told_start") or context.get("previous_start")
            subject, body = self._text(template, contact["language"], tz, {
                "links": links_for(template, cause.campaign_id, context, self.sites), **context,
                "previous_start": told}, channel)
            await self.repo.update_notification(earlier["id"], {
                "template": template, "subject": subject, "body": body, "cause_event_id": cause.event_id,
                "cause_type": cause.type, "updated_at": self.now, "told_start": told,
                "next_attempt_at": self.send_time(channel, tz, SERVICE, self.now + self.coalesce, urgent_before)})
        return await self.plan(cause, template, fresh, context, dedup_key=f"workshop-change:{workshop_id}:"
                               f"{cause.event_id}", delay=self.coalesce, urgent_before=urgent_before)
