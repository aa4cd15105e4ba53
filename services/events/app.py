"""Composition root of the events service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.events.adapters import ical
from services.events.adapters.account_names import IdentityAccountNames
from services.events.adapters.metrics import EventsMetrics
from services.events.adapters.places import IdentityPlaces
from services.events.adapters.unit_of_work import EventsUnitOfWork
from services.events.application import campaigns, workshops
from services.events.application.context import Deps
from services.events.application.ports import EventsUnitOfWork as EventsUnitOfWorkPort
from services.events.entrypoints import rpc
from services.events.entrypoints.access import callers_of
from services.events.entrypoints.consumers import subscriptions
from services.events.entrypoints.http import build_router
from services.events.entrypoints.pages import build_pages
from shared.contracts.identity import ACCOUNT_NAMES_RPC, LOCALITY_RPC
from shared.contracts.registration import HOLDINGS_RPC
from shared.contracts.streams import EVENTS, IDENTITY, REGISTRATION
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.http import install_error_handlers
from shared.platform.service import ServiceRuntime, ServiceSpec
from shared.web import install_stylesheet

SPEC = ServiceSpec(
    name="events",
    title="dxday events",
    description="Campaigns, workshops and seats, banner placements — Chiến dịch, hội thảo, băng rôn",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(EVENTS,),
    used_streams=(REGISTRATION, IDENTITY),  # participants; every stream's events for the audit trail
    unit_of_work=EventsUnitOfWork,
    calls=(LOCALITY_RPC, HOLDINGS_RPC, ACCOUNT_NAMES_RPC),
)


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    for subscription in subscriptions():
        runtime.subscribe(subscription)
    return runtime


def checkin_secret(settings: Settings) -> str:
    """The key that signs check-in QR codes. Every replica must hold the same one (a code signed by
    one is checked in at another door), so it is configured, never made up here: ``dxday up`` keeps
    one under its data dir and passes it on; a service started alone stops at once without it."""
    if not settings.checkin_secret:
        raise SystemExit("dxday: DXDAY_CHECKIN_SECRET must be set: the events service signs and checks the "
                         "seats' QR codes with it, the same key on every replica (dxday up keeps one in "
                         "var/checkin-secret) — đặt DXDAY_CHECKIN_SECRET")
    return settings.checkin_secret


def create_app(settings: Settings, *, clock: Clock | None = None,
               uow_factory: Callable[[], EventsUnitOfWorkPort] | None = None) -> FastAPI:
    """The composition root. ``uow_factory``: the use cases' unit of work (tests pass a fake one;
    the messaging machinery keeps the database's)."""
    secret = checkin_secret(settings)
    runtime = create_runtime(settings, clock=clock)
    deps = Deps(uow=uow_factory or runtime.uow, clock=runtime.clock, checkin_secret=secret,
                metrics=EventsMetrics(runtime.registry), calendar=ical.calendar,
                places=IdentityPlaces(lambda: runtime.broker.connection),
                names=IdentityAccountNames(lambda: runtime.broker.connection))

    async def refresh_gauges() -> None:
        for campaign in await campaigns.list_campaigns(runtime.uow(), year=None, limit=500, offset=0):
            await workshops.report_workshops(deps, campaign.id)

    runtime.every(10.0, "events-gauges", refresh_gauges)
    rpc.register(runtime.broker, deps, callers_of(runtime))
    app = runtime.http_app()
    install_error_handlers(app)
    app.include_router(build_router(runtime, deps))
    app.include_router(build_pages(runtime, deps))
    install_stylesheet(app)
    return app
