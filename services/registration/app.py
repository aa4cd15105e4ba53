"""Composition root of the registration service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.registration.adapters.metrics import RegistrationMetrics
from services.registration.application.context import Deps
from services.registration.entrypoints import rpc
from services.registration.entrypoints.consumers import subscriptions
from services.registration.entrypoints.http import build_router
from shared.campaign_check import install_campaign_check
from shared.clock import Clock
from shared.config import Settings
from shared.contracts.streams import EVENTS, REGISTRATION
from shared.http import install_error_handlers
from shared.service import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="registration",
    title="dxday registration",
    description="Businesses, exhibition booths, participants — Doanh nghiệp, gian hàng, người tham dự",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(REGISTRATION,),
    used_streams=(EVENTS,),
)


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    for subscription in subscriptions():
        runtime.subscribe(subscription)
    return runtime


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    runtime = create_runtime(settings, clock=clock)
    deps = Deps(uow=runtime.uow, clock=runtime.clock, metrics=RegistrationMetrics(runtime.registry))
    rpc.register(runtime.broker, deps)
    app = runtime.http_app()
    install_error_handlers(app)
    install_campaign_check(app, lambda: runtime.broker.connection)
    app.include_router(build_router(runtime, deps))
    return app
