"""Composition root of the events service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.events.entrypoints.http import build_router
from shared.clock import Clock
from shared.config import Settings
from shared.contracts.streams import EVENTS, REGISTRATION
from shared.http import install_error_handlers
from shared.service import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="events",
    title="dxday events",
    description="Campaigns, workshops and seats, banner placements — Chiến dịch, hội thảo, băng rôn",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(EVENTS,),
    used_streams=(REGISTRATION,),
)


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> ServiceRuntime:
    return ServiceRuntime(SPEC, settings, clock=clock)


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    runtime = create_runtime(settings, clock=clock)
    app = runtime.http_app()
    install_error_handlers(app)
    app.include_router(build_router(runtime))
    return app
