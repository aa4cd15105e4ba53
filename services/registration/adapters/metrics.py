"""Domain metrics of the registration service (no personal data, campaign ids are bounded)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class RegistrationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._registrations = Counter(
            "dxday_registrations_total", "Registrations by kind and outcome", ["kind", "outcome"], registry=registry
        )
        self._booth_days = Gauge("dxday_booth_days", "Booth-days open in a campaign", ["campaign"], registry=registry)
        self._booth_days_taken = Gauge(
            "dxday_booth_days_allocated", "Booth-days held by a confirmed application", ["campaign"], registry=registry
        )
        self._occupancy = Gauge(
            "dxday_booth_occupancy_ratio", "Allocated booth-days / open booth-days", ["campaign"], registry=registry
        )
        self._waitlist = Gauge(
            "dxday_booth_waitlist_length", "Booth applications waiting", ["campaign"], registry=registry
        )

    def registered(self, kind: str, outcome: str) -> None:
        self._registrations.labels(kind, outcome).inc()

    def booth_state(self, campaign_id: str, open_days: int, taken: int, waiting: int) -> None:
        self._booth_days.labels(campaign_id).set(open_days)
        self._booth_days_taken.labels(campaign_id).set(taken)
        self._occupancy.labels(campaign_id).set(taken / open_days if open_days else 0.0)
        self._waitlist.labels(campaign_id).set(waiting)
