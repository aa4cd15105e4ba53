"""What every service is made of: database, broker, outbox relay, consumers, health and metrics.

A service's ``create_app`` builds a :class:`ServiceRuntime`, adds its routers and subscriptions,
and gets back a FastAPI application whose lifespan starts and stops everything in order:
migrations -> NATS -> streams -> consumers -> relay; and on the way down the reverse, releasing
the database only after the broker has finished its in-flight messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from faststream.nats import NatsMessage
from nats.js import JetStreamContext
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from shared.contracts.identity import REVOCATIONS, SESSION_ENDED
from shared.contracts.streams import DEAD_LETTERS, STREAMS, StreamSpec
from shared.platform.auth import metrics_allowed
from shared.platform.clock import Clock, SystemClock
from shared.platform.config import Settings
from shared.platform.db import create_engine, database_unavailable, ping, sessionmaker_for
from shared.platform.errors import error_body
from shared.platform.i18n import _
from shared.platform.inbox import InboxConsumer, Subscription
from shared.platform.messaging import ConsumerMonitor, create_broker, ensure_streams
from shared.platform.migrations import upgrade
from shared.platform.observability import MessagingMetrics
from shared.platform.outbox import MAX_EVENT_BYTES, OutboxRelay
from shared.platform.protection import install_protection
from shared.platform.tokens import PagesSessions, Verifiers, external_verifier, identity_verifier
from shared.platform.uow import UnitOfWork

log = logging.getLogger("dxday.service")


async def _raw(_msg: Any) -> None:  # the handler reads the bytes itself
    return None
NATS_WAIT_LOG_S = 2.0


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    title: str
    description: str
    migrations: Path
    owned_streams: tuple[StreamSpec, ...]
    used_streams: tuple[StreamSpec, ...] = field(default=())
    # the service's own unit of work: the shared transaction plus its repositories (adapters)
    unit_of_work: type[UnitOfWork] = UnitOfWork
    # the request-reply commands of other services it calls (its NATS user may publish only these)
    calls: tuple[str, ...] = ()


def stream_of(subject: str) -> StreamSpec:
    for spec in STREAMS:
        if spec.owns(subject):
            return spec
    raise ValueError(f"no stream holds {subject}")


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec, settings: Settings, *, clock: Clock | None = None) -> None:
        self.spec = spec
        self.settings = settings
        self.clock = clock or SystemClock()
        self.registry = CollectorRegistry()
        self.metrics = MessagingMetrics(self.registry)
        self.engine = create_engine(settings.db_url_of(spec.name))
        self.sessionmaker = sessionmaker_for(self.engine)
        self.broker = create_broker(settings, spec.name, self.registry)
        self.relay = OutboxRelay(
            self.sessionmaker,
            self._publish,
            self.metrics,
            sweep_seconds=settings.outbox_sweep_seconds,
            clock=self.clock,
            max_payload=self._max_payload,
        )
        self.consumers: list[InboxConsumer] = []
        self.monitor = ConsumerMonitor(self.js, [], self.metrics)
        self.started = False
        self._on_start: list[Callable[[], Any]] = []
        self._before_scrape: list[Callable[[], Awaitable[None]]] = []
        self._periodic: list[tuple[str, Callable[[], Any], float, asyncio.Event | None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.waiting_for_nats = asyncio.Event()
        self.every(10.0, "readiness", self._refresh_readiness)
        # access tokens of the identity service, verified here; what it revokes is heard by every replica
        own = identity_verifier(settings.base_url_of("identity"), lambda: self.broker.connection)
        self.tokens = Verifiers(own, *([external_verifier(settings.oidc_issuer, settings.oidc_audience,
                                                          settings.oidc_grants_claim)] if settings.oidc_issuer else []))
        self.sessions = PagesSessions(self.tokens, lambda: self.broker.connection)
        for subject in REVOCATIONS:
            self.broker.subscriber(subject, title=f"revocations:{subject}", decoder=_raw)(self._revocation_handler())

    def _revocation_handler(self) -> Callable[[NatsMessage], Awaitable[None]]:
        async def revoked(msg: NatsMessage) -> None:
            self._revoked(msg.raw_message.data)

        return revoked

    def _revoked(self, data: bytes) -> None:
        """``identity.session.ended`` / ``.grant.revoked`` / ``.account.disabled``: the tokens concerned are
        refused from now on. A message that is not one is ignored (it changes nothing)."""
        try:
            envelope = json.loads(data)
            payload = envelope["payload"]
            if envelope["type"] == SESSION_ENDED.subject:
                self.tokens.session_ended(str(payload["session_id"]))
            else:
                self.tokens.account_changed(str(payload["account_id"]))
        except (ValueError, KeyError, TypeError):
            log.warning("a revocation message could not be read; ignored")

    # --- building blocks for the service's own code ------------------------------------
    def uow(self) -> UnitOfWork:
        return self.spec.unit_of_work(self.sessionmaker, self.relay)

    def subscribe(self, subscription: Subscription) -> InboxConsumer:
        if subscription.ack_wait_s == Subscription.ack_wait_s:  # the default: the setting decides
            subscription.ack_wait_s = self.settings.ack_wait_seconds
        consumer = InboxConsumer(
            subscription,
            uow_factory=self.uow,
            broker=self.broker,
            metrics=self.metrics,
            max_deliver=self.settings.max_deliver,
            clock=self.clock,
        )
        consumer.register()
        self.consumers.append(consumer)
        self.monitor = ConsumerMonitor(
            self.js, [(c.sub.stream.name, c.sub.durable) for c in self.consumers], self.metrics
        )
        return consumer

    def on_start(self, hook: Callable[[], Any]) -> None:
        """Run after everything is up (e.g. start a scheduler)."""
        self._on_start.append(hook)

    def before_scrape(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Bring gauges up to date when /metrics is read (cheaper than on every command)."""
        self._before_scrape.append(hook)

    def every(self, seconds: float, name: str, job: Callable[[], Any], wake: asyncio.Event | None = None) -> None:
        """Run ``job`` every ``seconds`` while the service runs, or sooner when ``wake`` is set;
        errors are logged and the loop goes on."""
        self._periodic.append((name, job, seconds, wake))

    async def _repeat(self, name: str, job: Callable[[], Any], seconds: float, wake: asyncio.Event | None) -> None:
        while True:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("periodic job %s failed", name)
            if wake is None:
                await asyncio.sleep(seconds)
                continue
            try:
                await asyncio.wait_for(wake.wait(), seconds)
            except TimeoutError:
                pass
            wake.clear()

    def _max_payload(self) -> int:
        """The largest event body the connected server takes (its max_payload, less room for headers)."""
        connection = self.broker.connection if self.started else None
        server_limit = getattr(connection, "max_payload", 0) or MAX_EVENT_BYTES
        return min(MAX_EVENT_BYTES, server_limit - 1024)

    def js(self) -> JetStreamContext:
        return self.broker.connection.jetstream()

    async def _publish(self, subject: str, body: bytes, headers: dict[str, str]) -> None:
        await self.broker.publish(
            body,
            subject,
            headers={**headers, "content-type": "application/json"},
            stream=stream_of(subject).name,
            timeout=5.0,
        )

    # --- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        await upgrade(self.engine, self.spec.migrations)
        await self._connect_nats()
        await ensure_streams(
            self.js(),
            owned=list(self.spec.owned_streams),
            used=[*self.spec.used_streams, DEAD_LETTERS],
            replicas=self.settings.stream_replicas,
            max_bytes=self.settings.stream_max_bytes,
        )
        await self.broker.start()
        self.relay.start()
        self.relay.wake()  # publish whatever a previous run left behind
        self.monitor.start()
        self._tasks = [asyncio.create_task(self._repeat(*p), name=p[0]) for p in self._periodic]
        for hook in self._on_start:
            result = hook()
            if asyncio.iscoroutine(result):
                await result
        self.started = True
        log.info("%s started", self.spec.name)

    async def _connect_nats(self) -> None:
        """Connect, saying so while NATS cannot be reached (nats-py retries quietly for ever)."""
        connecting = asyncio.create_task(self.broker.connect())
        attempt = 0
        try:
            while True:
                done, _pending = await asyncio.wait({connecting}, timeout=NATS_WAIT_LOG_S)
                if done:
                    connecting.result()
                    break
                attempt += 1
                self.waiting_for_nats.set()  # the HTTP port opens meanwhile: /healthz yes, /readyz no
                log.warning("%s: waiting for NATS at %s (attempt %d); /readyz fails until it answers",
                            self.spec.name, ", ".join(self.settings.nats_servers()), attempt)
        finally:
            if not connecting.done():
                connecting.cancel()
        if attempt:
            log.info("%s: NATS reached after %d attempts", self.spec.name, attempt)

    async def stop(self) -> None:
        self.started = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.monitor.stop()
        await self.relay.stop()
        await self.broker.stop()  # waits for in-flight handlers, which still need the database
        await self.engine.dispose()
        log.info("%s stopped", self.spec.name)

    async def _refresh_readiness(self) -> None:
        checks = await self.readiness()
        self.metrics.ready.set(1.0 if all(v == "ok" for v in checks.values()) else 0.0)

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(self.engine), 3)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        connected = self.started and self.broker.connection is not None and self.broker.connection.is_connected
        checks["nats"] = "ok" if connected else "error: not connected"
        if connected:
            for spec in (*self.spec.owned_streams, *self.spec.used_streams, DEAD_LETTERS):
                try:
                    await asyncio.wait_for(self.js().stream_info(spec.name), 2)
                    checks[f"stream:{spec.name}"] = "ok"
                except Exception as exc:
                    checks[f"stream:{spec.name}"] = f"error: {type(exc).__name__}"
        return checks

    # --- HTTP -----------------------------------------------------------------------------
    def http_app(self, *, version: str = "0.1.0", openapi_tags: list[dict[str, str]] | None = None) -> FastAPI:
        runtime = self

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            # Start fully before serving, unless NATS cannot be reached: then serve /healthz (and a
            # failing /readyz) while the start goes on, and stop at once on SIGTERM.
            starting = asyncio.create_task(runtime.start())
            waiting = asyncio.create_task(runtime.waiting_for_nats.wait())
            await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if starting.done():
                starting.result()  # a start that failed fails the startup, as before
            try:
                yield
            finally:
                if not starting.done():
                    starting.cancel()
                    await asyncio.gather(starting, return_exceptions=True)
                await runtime.stop()

        app = FastAPI(
            title=self.spec.title,
            description=self.spec.description,
            version=version,
            lifespan=lifespan,
            openapi_tags=openapi_tags,
            docs_url=None,  # served below from the package: /docs works on a network without internet
            redoc_url=None,
        )
        app.state.runtime = self
        install_api_docs(app, self.spec.name)
        self._add_operations_routes(app)
        self._add_metrics_middleware(app)
        install_protection(
            app,
            forms_per_minute=self.settings.form_rate_per_minute,
            failed_tokens_per_minute=self.settings.failed_token_limit_per_minute,
            cors_origins=[o.strip() for o in self.settings.cors_origins.split(",") if o.strip()],
            max_body_bytes=self.settings.max_body_bytes,
        )
        return app

    def _add_operations_routes(self, app: FastAPI) -> None:
        @app.get("/healthz", tags=["operations"], summary="Process alive")
        async def healthz() -> dict[str, str]:
            return {"status": "ok", "service": self.spec.name}

        @app.get("/readyz", tags=["operations"], summary="NATS connected, database reachable, streams present")
        async def readyz() -> JSONResponse:
            checks = await self.readiness()
            ready = all(v == "ok" for v in checks.values())
            return JSONResponse(
                {"status": "ready" if ready else "not ready", "service": self.spec.name, "checks": checks},
                status_code=200 if ready else 503,
            )

        @app.get("/metrics", tags=["operations"], summary="Prometheus metrics (basic auth when configured)",
                 response_class=PlainTextResponse,
                 responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}},
                            401: {"description": "Basic auth required"}})
        async def metrics(request: Request) -> Response:
            if not metrics_allowed(self.settings, request.headers.get("authorization")):
                return JSONResponse(
                    error_body("unauthorized", _("Metrics need basic auth")),
                    status_code=401, headers={"WWW-Authenticate": 'Basic realm="metrics"'})
            for hook in self._before_scrape:
                try:
                    await hook()
                except Exception:  # the scrape still answers, with the last known values
                    log.exception("refreshing gauges before a scrape failed")
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    def _add_metrics_middleware(self, app: FastAPI) -> None:
        metrics = self.metrics

        @app.middleware("http")
        async def record(request: Request, call_next: Callable[[Request], Any]) -> Response:
            started = time.perf_counter()
            try:
                response: Response = await call_next(request)
            except Exception as exc:  # answered by the error handler outside this middleware: counted here
                template = getattr(request.scope.get("route"), "path", "unmatched")
                status = "5xx"  # 503 (database unreachable) or 500, both counted
                metrics.http_requests.labels(template, request.method, status).inc()
                log.debug("counted a failed request (%s)", "database" if database_unavailable(exc) else "error")
                raise
            route = request.scope.get("route")
            template = getattr(route, "path", "unmatched")  # a template, never a concrete id
            metrics.http_requests.labels(template, request.method, f"{response.status_code // 100}xx").inc()
            metrics.http_latency.labels(template, request.method).observe(time.perf_counter() - started)
            return response


ERROR_BODY_SCHEMA: dict[str, Any] = {
    "title": "Error", "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "message_en"], "properties": {
        "code": {"type": "string", "examples": ["validation_failed"]},
        "message": {"type": "string", "description": "Vietnamese"},
        "message_en": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string", "description": "Vietnamese"},
            "message_en": {"type": "string"}, "type": {"type": "string"}}}},
        "details": {"type": "object"}}}},
}


def install_api_docs(app: FastAPI, service: str) -> None:
    """/docs from the swagger-ui-bundle package (no CDN), the OpenAPI document with the error body every
    4xx really has and the bearer token (an Authorize button), and /asyncapi.yaml of this service."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.openapi.utils import get_openapi
    from fastapi.staticfiles import StaticFiles

    from shared.platform.asyncapi import render
    from shared.platform.rpc import CATALOGUE

    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} — API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png")

    @app.get("/asyncapi.yaml", tags=["operations"], summary="AsyncAPI of the contracts and this service's commands",
             response_class=PlainTextResponse, responses={200: {"content": {"application/yaml": {}}}})
    async def asyncapi() -> Response:
        own = {s: m for s, m in CATALOGUE.items() if s.startswith(f"rpc.{service}.")}
        return Response(render(own), media_type="application/yaml")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes, tags=app.openapi_tags)
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas["HTTPValidationError"] = ERROR_BODY_SCHEMA  # what a 422 really carries
            schemas.pop("ValidationError", None)
            components["securitySchemes"] = {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A signed-in account's access token (identity service: a session, an API key or "
                               "the configured external issuer), or a business's or participant's token"}}
            schema["security"] = [{"bearer": []}, {}]  # public routes need none
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def registry_of(app: FastAPI) -> CollectorRegistry:
    return app.state.runtime.registry
