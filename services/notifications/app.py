"""Composition root of the notifications service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.notifications.entrypoints.consumers import subscriptions
from shared.clock import Clock
from shared.config import Settings
from shared.contracts.streams import EVENTS, NOTIFICATIONS, REGISTRATION
from shared.http import install_error_handlers
from shared.service import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="notifications",
    title="dxday notifications",
    description="Notices by email, SMS, webhook and file — Thông báo",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(NOTIFICATIONS,),
    used_streams=(EVENTS, REGISTRATION),
)


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    for subscription in subscriptions():
        runtime.subscribe(subscription)
    return runtime


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    runtime = create_runtime(settings, clock=clock)
    app = runtime.http_app()
    install_error_handlers(app)
    return app
