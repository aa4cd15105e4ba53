"""Metrics and logs shared by every service.

Each service has its own registry (so three services can share one test process). Labels never
carry personal data or unbounded ids: only stream, consumer, reason kinds and similar.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class MessagingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.outbox_pending = Gauge(
            "dxday_outbox_pending_events", "Events committed but not yet published", registry=registry
        )
        self.outbox_oldest_age = Gauge(
            "dxday_outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished event (0 when none)",
            registry=registry,
        )
        self.outbox_published = Counter(
            "dxday_outbox_published_events_total", "Events published from the outbox", registry=registry
        )
        self.outbox_parked = Gauge(
            "dxday_outbox_parked_rows", "Events set aside because they can never be published (too large)",
            registry=registry,
        )
        self.outbox_parked_total = Counter(
            "dxday_outbox_parked_events_total", "Events parked by the outbox relay", registry=registry
        )
        self.outbox_publish_errors = Counter(
            "dxday_outbox_publish_errors_total", "Failed attempts to publish an outbox event", registry=registry
        )
        self.inbox_handled = Counter(
            "dxday_inbox_handled_events_total",
            "Integration events handled (effect committed)",
            ["consumer"],
            registry=registry,
        )
        self.inbox_duplicates = Counter(
            "dxday_inbox_duplicate_events_total",
            "Redelivered events recognised by the inbox and skipped",
            ["consumer"],
            registry=registry,
        )
        self.handler_retries = Counter(
            "dxday_consumer_retries_total",
            "Deliveries that failed with a transient error and were scheduled again",
            ["consumer"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "dxday_dead_letters_total",
            "Messages moved to the dead-letter stream",
            ["consumer", "reason"],
            registry=registry,
        )
        self.consumer_pending = Gauge(
            "dxday_consumer_pending_messages",
            "Messages in the stream not yet delivered to the durable consumer",
            ["stream", "consumer"],
            registry=registry,
        )
        self.consumer_ack_pending = Gauge(
            "dxday_consumer_ack_pending_messages",
            "Messages delivered but not yet acknowledged",
            ["stream", "consumer"],
            registry=registry,
        )
        self.consumer_redelivered = Gauge(
            "dxday_consumer_redelivered_messages",
            "Messages currently being redelivered",
            ["stream", "consumer"],
            registry=registry,
        )
        self.ready = Gauge(
            "dxday_ready", "1 when the database, NATS and the streams are all reachable (as /readyz)",
            registry=registry,
        )
        self.http_requests = Counter(
            "dxday_http_requests_total",
            "HTTP requests by route template, method and status class",
            ["route", "method", "status"],
            registry=registry,
        )
        self.http_latency = Histogram(
            "dxday_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields (event_id, correlation_id, ...) are kept."""

    RESERVED = set(vars(logging.makeLogRecord({})))

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in self.RESERVED and k != "message"})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__(f"%(asctime)s %(levelname)-7s {service}: %(message)s", "%H:%M:%S")


def configure_logging(service: str, level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if fmt == "json" else TextFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # per-request access lines cost throughput; metrics count requests instead
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # Drivers at DEBUG print SQL parameters, i.e. personal data: never, whatever our level.
    for chatty in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool", "httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
