"""Where a notice points: the page about what it says, on the service that owns it. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.notifications.domain.texts import manage_slot

BOOTHS = {"booth_confirmed", "booth_promoted", "booth_waitlisted", "booth_rejected", "booth_cancelled"}
SEATS = {"seat_confirmed", "seat_promoted", "seat_waitlisted", "seat_cancelled", "reminder", "workshop_changed"}


@dataclass(frozen=True)
class Sites:
    """The public addresses of the services that own the pages (DXDAY_*_PUBLIC_URL)."""

    registration: str = "http://127.0.0.1:8001"
    events: str = "http://127.0.0.1:8002"


def links_for(template: str, campaign_id: str | None, context: dict[str, Any], sites: Sites) -> dict[str, str]:
    """``page``: what the notice is about; ``calendar``: its iCal file; ``schedule``: the campaign's days."""
    links: dict[str, str] = {}
    if campaign_id:
        links["schedule"] = f"{sites.events}/schedule/{campaign_id}"
    workshop_id = (context.get("workshop") or {}).get("workshop_id")
    if template in BOOTHS and campaign_id:
        # the business's own applications there (a token filled when it leaves)
        links["page"] = f"{sites.registration}/exhibit/{campaign_id}/booths{manage_slot(campaign_id)}"
    elif template in SEATS and workshop_id:  # the recipient's own seat there (a token filled when it leaves)
        links["page"] = f"{sites.events}/reserve/{workshop_id}{manage_slot(workshop_id)}"
        links["calendar"] = f"{sites.events}/workshops/{workshop_id}/calendar.ics"
    elif "schedule" in links:
        links["page"] = links["schedule"]
    return links
