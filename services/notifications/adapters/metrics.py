"""Notification metrics: outcomes by channel and template, and the delay from cause to send."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class NotificationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._outcomes = Counter("dxday_notifications_total", "Notification outcomes by channel and template",
                                 ["channel", "template", "status"], registry=registry)
        self._delay = Histogram("dxday_notification_delay_seconds", "From the cause event to the send",
                                ["channel"], registry=registry,
                                buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 14400, 86400))
        self._by_status = Gauge("dxday_notifications_by_status", "Notifications in the log by status", ["status"],
                                registry=registry)

    def outcome(self, channel: str, template: str, status: str) -> None:
        self._outcomes.labels(channel, template, status).inc()

    def delay(self, channel: str, seconds: float) -> None:
        self._delay.labels(channel).observe(max(0.0, seconds))

    def statuses(self, counts: dict[str, int]) -> None:
        for status in ("pending", "sending", "sent", "failed", "suppressed"):
            self._by_status.labels(status).set(counts.get(status, 0))
