"""NATS connection, JetStream topology and the consumer monitor.

Facts this is built around (see the project's notes on FastStream 0.7.8 and nats-py):
- nats-py gives up reconnecting after ~2 minutes by default: we retry forever and ping every 15 s.
- Every stream is defined once in ``shared.contracts.streams``; services create the streams they
  produce or consume if missing, and only the producing service updates a stream's settings.
- FastStream subscribers use ``JStream(..., declare=False)`` so they never rewrite a stream.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any

from faststream.nats import NatsBroker
from faststream.nats.prometheus import NatsPrometheusMiddleware
from faststream.security import BaseSecurity, SASLPlaintext
from nats import errors as nats_errors
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from prometheus_client import CollectorRegistry

from shared.contracts.streams import StreamSpec
from shared.platform.config import Settings
from shared.platform.observability import MessagingMetrics


def inbox_prefix(service: str) -> str:
    """The reply subjects of one service's requests: nobody else may read them (NATS permissions)."""
    return f"_INBOX_{service}"

log = logging.getLogger("dxday.messaging")

DAY = 86_400.0


def fetch_times_out_as_nats_error(pull: type = JetStreamContext.PullSubscription) -> None:
    """nats-py's ``fetch`` ends a spent deadline with the builtin ``TimeoutError``; FastStream 0.7.8's
    batch pull loop catches only ``nats.errors.TimeoutError``, so the builtin one escapes the loop and
    drops the messages already gathered for the batch: they come back only after the ack wait.
    Seen under CPU load as events handled 10-30 s late. Raising the nats error keeps the batch."""
    if getattr(pull.fetch, "_dxday", False):
        return
    original = pull.fetch

    async def fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except nats_errors.TimeoutError:
            raise
        except TimeoutError as exc:
            raise nats_errors.TimeoutError from exc

    fetch._dxday = True  # type: ignore[attr-defined]
    pull.fetch = fetch  # type: ignore[method-assign]


fetch_times_out_as_nats_error()


def _security(settings: Settings) -> BaseSecurity | None:
    ctx: ssl.SSLContext | None = None
    if settings.nats_tls_ca or settings.nats_tls_cert:
        ctx = ssl.create_default_context(cafile=str(settings.nats_tls_ca) if settings.nats_tls_ca else None)
        if settings.nats_tls_cert and settings.nats_tls_key:
            ctx.load_cert_chain(str(settings.nats_tls_cert), str(settings.nats_tls_key))
    if settings.nats_user:
        return SASLPlaintext(username=settings.nats_user, password=settings.nats_password or "", ssl_context=ctx)
    if ctx is not None:
        return BaseSecurity(ssl_context=ctx)
    return None


def create_broker(settings: Settings, service: str, registry: CollectorRegistry) -> NatsBroker:
    kwargs: dict[str, Any] = {}
    if settings.nats_token:
        kwargs["token"] = settings.nats_token
    if settings.nats_creds_file:
        kwargs["user_credentials"] = str(settings.nats_creds_file)
    return NatsBroker(
        settings.nats_servers(),
        name=f"dxday-{service}",
        inbox_prefix=inbox_prefix(service),  # replies and pulled messages land only in this service's inboxes
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        ping_interval=5,  # nats-py's default is 120 s: a paused or cut server is noticed within ~10 s
        max_outstanding_pings=2,
        connect_timeout=5,
        graceful_timeout=20.0,
        security=_security(settings),
        middlewares=[NatsPrometheusMiddleware(registry=registry, app_name=service)],
        logger=None,  # per-message access lines cost 25-40 % throughput; metrics count instead
        **kwargs,
    )


def stream_config(spec: StreamSpec, replicas: int, max_bytes: int | None = None) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=spec.subjects,
        storage=StorageType.FILE,
        num_replicas=replicas,
        max_age=spec.max_age_days * DAY,
        max_bytes=max_bytes or spec.max_bytes,
        discard=DiscardPolicy.NEW,
        duplicate_window=spec.duplicate_window_s,
    )


async def ensure_streams(
    js: JetStreamContext, *, owned: list[StreamSpec], used: list[StreamSpec], replicas: int,
    max_bytes: int | None = None,
) -> None:
    """Create missing streams; update the settings only of those this service owns. ``max_bytes``:
    the size each stream may reach (default the spec's 8 GiB; ``dxday up`` sizes it from the disk)."""
    for spec in [*owned, *[s for s in used if s not in owned]]:
        wanted = stream_config(spec, replicas, max_bytes)
        try:
            info = await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(wanted)
            log.info("created stream %s", spec.name)
            continue
        if spec in owned and _differs(info.config, wanted):
            await js.update_stream(wanted)
            log.info("updated stream %s", spec.name)


def _differs(have: StreamConfig, want: StreamConfig) -> bool:
    fields = ("subjects", "max_age", "max_bytes", "discard", "duplicate_window", "description")
    return any(getattr(have, f) != getattr(want, f) for f in fields)


class ConsumerMonitor:
    """Polls the durable consumers' state into gauges (pending, ack pending, redelivered)."""

    def __init__(
        self, js_getter: Any, consumers: list[tuple[str, str]], metrics: MessagingMetrics, every: float = 5.0
    ) -> None:
        self._js_getter = js_getter
        self._consumers = consumers
        self._metrics = metrics
        self._every = every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._consumers:
            self._task = asyncio.create_task(self._run(), name="consumer-monitor")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def poll_once(self) -> None:
        js = self._js_getter()
        for stream, durable in self._consumers:
            try:
                info = await js.consumer_info(stream, durable, timeout=2)
            except Exception as exc:  # a monitor must not die with NATS; readiness reports NATS
                log.debug("consumer info %s/%s unavailable: %s", stream, durable, exc)
                continue
            self._metrics.consumer_pending.labels(stream, durable).set(info.num_pending or 0)
            self._metrics.consumer_ack_pending.labels(stream, durable).set(info.num_ack_pending or 0)
            self._metrics.consumer_redelivered.labels(stream, durable).set(info.num_redelivered or 0)

    async def _run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self._every)
