"""What the notifications service consumes: contract -> handler, nothing more."""

from __future__ import annotations

from services.notifications.application.campaigns import on_campaign_created
from services.notifications.application.handlers import Handlers
from shared.contracts import events as ev
from shared.contracts import registration as rg
from shared.contracts.streams import EVENTS, REGISTRATION
from shared.platform.inbox import Subscription


def subscriptions(h: Handlers) -> list[Subscription]:
    return [
        Subscription(service="notifications", name="events", stream=EVENTS, batch_size=100, handlers={
            ev.CAMPAIGN_CREATED: on_campaign_created,
            ev.WORKSHOP_SCHEDULED: h.workshop_scheduled,
            ev.WORKSHOP_RESCHEDULED: h.workshop_rescheduled,
            ev.WORKSHOP_CANCELLED: h.workshop_cancelled,
            ev.SEAT_CONFIRMED: h.seat_confirmed,
            ev.SEAT_PROMOTED: h.seat_promoted,
            ev.SEAT_WAITLISTED: h.seat_waitlisted,
            ev.SEAT_CANCELLED: h.seat_cancelled,
        }),
        Subscription(service="notifications", name="registration", stream=REGISTRATION, batch_size=100, handlers={
            rg.BUSINESS_REGISTERED: h.business_registered,
            rg.BUSINESS_CONTACT_UPDATED: h.business_contact_updated,
            rg.PARTICIPANT_REGISTERED: h.participant_registered,
            rg.PARTICIPANT_UPDATED: h.participant_updated,
            rg.PARTICIPANT_OPTED_OUT: h.participant_opted_out,
            rg.PARTICIPANT_ERASED: h.participant_erased,
            rg.BOOTH_APPLICATION_CONFIRMED: h.booth_confirmed,
            rg.BOOTH_APPLICATION_PROMOTED: h.booth_promoted,
            rg.BOOTH_APPLICATION_WAITLISTED: h.booth_waitlisted,
            rg.BOOTH_APPLICATION_REJECTED: h.booth_rejected,
            rg.BOOTH_APPLICATION_CANCELLED: h.booth_cancelled,
        }),
    ]
