"""Domain metrics of the events service (labels: campaign ids and statuses only)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class EventsMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._workshops = Gauge("dxday_workshops", "Scheduled workshops", ["campaign"], registry=registry)
        self._seats = Gauge("dxday_workshop_seats", "Seats offered by scheduled workshops", ["campaign"],
                            registry=registry)
        self._confirmed = Gauge("dxday_workshop_seats_confirmed", "Confirmed seats", ["campaign"], registry=registry)
        self._fill = Gauge("dxday_workshop_fill_ratio", "Confirmed seats / seats offered", ["campaign"],
                           registry=registry)
        self._waiting = Gauge("dxday_workshop_waitlist_length", "Participants waiting for a seat", ["campaign"],
                              registry=registry)
        self._placements = Gauge("dxday_banner_placements", "Banner placements by status", ["campaign", "status"],
                                 registry=registry)
        self._reservations = Counter("dxday_seat_reservations_total", "Seat reservations by outcome", ["outcome"],
                                     registry=registry)

    def workshop_state(self, campaign_id: str, workshops: int, seats: int, confirmed: int, waiting: int) -> None:
        self._workshops.labels(campaign_id).set(workshops)
        self._seats.labels(campaign_id).set(seats)
        self._confirmed.labels(campaign_id).set(confirmed)
        self._fill.labels(campaign_id).set(confirmed / seats if seats else 0.0)
        self._waiting.labels(campaign_id).set(waiting)

    def placements(self, campaign_id: str, by_status: dict[str, int]) -> None:
        for status, n in by_status.items():
            self._placements.labels(campaign_id, status).set(n)

    def seat_outcome(self, outcome: str) -> None:
        self._reservations.labels(outcome).inc()
