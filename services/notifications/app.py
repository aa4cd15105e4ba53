"""Composition root of the notifications service."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.notifications.adapters import templates
from services.notifications.adapters.channels import (
    DiscardTransport,
    FileTransport,
    SmsGateway,
    SmtpTransport,
    Transport,
    Webhook,
)
from services.notifications.adapters.directory import RegistrationDirectory, TicketOffice
from services.notifications.adapters.metrics import NotificationMetrics
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.application import scheduled
from services.notifications.application.dispatch import Dispatcher
from services.notifications.application.handlers import Deps, Handlers
from services.notifications.application.ports import NotificationsUnitOfWork as NotificationsUnitOfWorkPort
from services.notifications.domain.links import Sites
from services.notifications.domain.policy import parse_quiet_hours, parse_rates
from services.notifications.entrypoints import rpc
from services.notifications.entrypoints.consumers import subscriptions
from services.notifications.entrypoints.http import build_router
from services.notifications.entrypoints.pages import build_pages
from shared.contracts.events import SEAT_TICKETS_RPC
from shared.contracts.registration import CONTACT_DETAILS_RPC
from shared.contracts.streams import EVENTS, NOTIFICATIONS, REGISTRATION
from shared.platform.campaign_check import install_campaign_check
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.http import install_error_handlers
from shared.platform.service import ServiceRuntime, ServiceSpec
from shared.web import install_stylesheet

SPEC = ServiceSpec(
    name="notifications",
    title="dxday notifications",
    description="Notices by email, SMS, webhook and file — Thông báo",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(NOTIFICATIONS,),
    used_streams=(EVENTS, REGISTRATION),
    unit_of_work=NotificationsUnitOfWork,
    calls=(CONTACT_DETAILS_RPC, SEAT_TICKETS_RPC),
)


def transports(settings: Settings, client: httpx.AsyncClient) -> dict[str, Transport]:
    """Each channel goes out for real when configured, else as a readable file under the data dir
    (or nowhere, for load tests and rehearsals)."""
    files = FileTransport(settings.data_dir / "messages")
    unconfigured: Transport = DiscardTransport() if settings.unconfigured_channels == "discard" else files
    return {
        "file": files,
        "email": SmtpTransport(settings.smtp_host, settings.smtp_port, sender=settings.mail_from,
                               starttls=settings.smtp_starttls, user=settings.smtp_user,
                               password=settings.smtp_password) if settings.smtp_host else unconfigured,
        "sms": SmsGateway(settings.sms_gateway_url, settings.sms_gateway_key, settings.sms_sender, client)
        if settings.sms_gateway_url else unconfigured,
        "webhook": Webhook(settings.webhook_url, settings.webhook_secret, client) if settings.webhook_url
        else unconfigured,
    }


def create_app(settings: Settings, *, clock: Clock | None = None,
               transport_overrides: dict[str, Transport] | None = None,
               uow_factory: Callable[[], NotificationsUnitOfWorkPort] | None = None) -> FastAPI:
    """The composition root. ``transport_overrides``: channels to use instead of the configured ones;
    ``uow_factory``: the use cases' unit of work (tests pass a fake one)."""
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    client = httpx.AsyncClient(timeout=15.0)
    channels = {**transports(settings, client), **(transport_overrides or {})}
    files = FileTransport(settings.data_dir / "messages")
    wake = asyncio.Event()
    deps = Deps(uow=uow_factory or runtime.uow, clock=runtime.clock, quiet=parse_quiet_hours(settings.quiet_hours),
                available=set(channels), coalesce=dt.timedelta(seconds=settings.coalesce_seconds),
                texts=templates, wake_dispatcher=wake.set, forget_delivered=files.forget,
                sites=Sites(registration=settings.base_url_of("registration"), events=settings.base_url_of("events")),
                sms_brand=settings.sms_brand, sms_diacritics=settings.sms_diacritics)
    handlers = Handlers(deps)
    for subscription in subscriptions(handlers):
        runtime.subscribe(subscription)
    metrics = NotificationMetrics(runtime.registry)
    directory = RegistrationDirectory(lambda: runtime.broker.connection)
    dispatcher = Dispatcher(deps.uow, runtime.clock, channels, metrics,
                            planner_for=lambda repo: handlers.planner_for_repo(repo), directory=directory,
                            tickets=TicketOffice(lambda: runtime.broker.connection),
                            max_attempts=settings.notify_max_attempts, retry_base_s=settings.notify_retry_seconds,
                            rates=parse_rates(settings.channel_rates), replica=settings.instance_of("notifications"),
                            lease_s=settings.notify_claim_seconds, batch=settings.notify_batch,
                            manage_secret=settings.checkin_secret)
    runtime.on_start(dispatcher.recover)
    runtime.every(settings.notify_tick_seconds, "notification-dispatch", dispatcher.run_until_idle, wake)
    runtime.every(settings.notify_tick_seconds, "reminders", lambda: scheduled.send_due_reminders(deps, handlers))
    runtime.every(30.0, "digest", scheduled.digest_job(deps, handlers))

    async def refresh_gauges() -> None:
        async with runtime.uow() as uow:
            metrics.statuses(await uow.notices.counts_by_status())

    runtime.every(5.0, "notification-gauges", refresh_gauges)
    rpc.register(runtime.broker, channels, templates, sms_brand=settings.sms_brand,
                 sms_diacritics=settings.sms_diacritics)
    app = runtime.http_app()
    app.state.dispatcher = dispatcher
    app.state.handlers = handlers
    install_error_handlers(app)
    install_campaign_check(app, lambda: runtime.broker.connection)
    app.include_router(build_router(runtime, deps, handlers))
    app.include_router(build_pages(runtime, deps))
    install_stylesheet(app)
    return app
