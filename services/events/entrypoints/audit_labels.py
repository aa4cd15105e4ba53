"""What each event means, in the reader's language, for the campaign's audit trail (the subject
stays beside it: it is what the CSV, the API and the streams say)."""

from __future__ import annotations

from services.events.locale import _
from shared.platform.i18n import Text

EVENT_LABELS: dict[str, Text] = {
    "events.campaign.created": _("Campaign created"),
    "events.workshop.scheduled": _("Workshop scheduled"),
    "events.workshop.rescheduled": _("Workshop moved"),
    "events.workshop.cancelled": _("Workshop cancelled"),
    "events.seat.confirmed": _("Seat confirmed"),
    "events.seat.waitlisted": _("Put on a workshop's waiting list"),
    "events.seat.cancelled": _("Seat given up"),
    "events.seat.promoted": _("Waiting participant got a seat"),
    "events.banner_placement.planned": _("Banner planned"),
    "events.banner_placement.installed": _("Banner put up"),
    "events.banner_placement.removed": _("Banner taken down"),
    "identity.grant.added": _("Role granted"),
    "identity.grant.revoked": _("Role removed"),
    "identity.session.ended": _("Signed out"),
    "identity.account.disabled": _("Account disabled"),
    "registration.business.registered": _("Business registered"),
    "registration.business.contact_updated": _("Business contact changed"),
    "registration.booth_application.submitted": _("Booth application submitted"),
    "registration.booth_application.confirmed": _("Booths allocated"),
    "registration.booth_application.waitlisted": _("Booth application put on the waiting list"),
    "registration.booth_application.rejected": _("Booth application rejected"),
    "registration.booth_application.cancelled": _("Booth application cancelled"),
    "registration.booth_application.promoted": _("Waiting application got booths"),
    "registration.booth_application.reopened": _("Waiting application back for approval"),
    "registration.participant.registered": _("Participant signed up"),
    "registration.participant.updated": _("Participant changed preferences"),
    "registration.participant.opted_out": _("Participant stopped messages"),
    "registration.participant.erased": _("Participant's personal data erased"),
    "registration.contacts.viewed": _("List of contact details viewed or exported"),
}

ACTOR_LABELS: dict[str, Text] = {
    "account": _("Account"),
    "business": _("Business"),
    "participant": _("Participant"),
    "operator": _("Operator"),
    "system": _("System"),
}


def label_of(subject: str, lang: str) -> str:
    """The event's meaning; an event declared after this list reads as its subject."""
    found = EVENT_LABELS.get(subject)
    return found.render(lang) if found is not None else subject


def actor_of(kind: str, lang: str) -> str:
    found = ACTOR_LABELS.get(kind)
    return found.render(lang) if found is not None else kind
