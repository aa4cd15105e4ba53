"""Composition root of the registration service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI

from services.registration.adapters.metrics import RegistrationMetrics
from services.registration.adapters.sign_in_links import IdentitySignInLinks
from services.registration.adapters.unit_of_work import RegistrationUnitOfWork
from services.registration.application.booths import refresh_booth_gauges
from services.registration.application.campaigns import CampaignUnknown
from services.registration.application.context import Deps
from services.registration.application.ports import RegistrationUnitOfWork as RegistrationUnitOfWorkPort
from services.registration.entrypoints import rpc
from services.registration.entrypoints.board_pages import build_board_pages
from services.registration.entrypoints.callers import callers_of
from services.registration.entrypoints.consumers import subscriptions
from services.registration.entrypoints.exhibitor_pages import build_exhibitor_pages
from services.registration.entrypoints.http import build_router
from services.registration.entrypoints.my_pages import build_my_pages
from services.registration.entrypoints.pages import build_pages
from services.registration.locale import _
from shared.contracts.events import CAMPAIGN_GET_RPC
from shared.contracts.identity import SIGN_IN_REQUEST_RPC
from shared.contracts.streams import EVENTS, REGISTRATION
from shared.platform.campaign_check import campaign_missing_at_events, install_campaign_check
from shared.platform.clock import Clock
from shared.platform.config import Settings
from shared.platform.db import scrub
from shared.platform.errors import NotFound
from shared.platform.http import install_error_handlers
from shared.platform.service import ServiceRuntime, ServiceSpec
from shared.web import install_stylesheet

SPEC = ServiceSpec(
    name="registration",
    title="dxday registration",
    description="Businesses, exhibition booths, participants — Doanh nghiệp, gian hàng, người tham dự",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(REGISTRATION,),
    used_streams=(EVENTS,),
    unit_of_work=RegistrationUnitOfWork,
    calls=(CAMPAIGN_GET_RPC, SIGN_IN_REQUEST_RPC),
)


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    for subscription in subscriptions():
        runtime.subscribe(subscription)
    return runtime


def unsubscribe_key(settings: Settings) -> bytes:
    """Signs one-click unsubscribe links; derived from the installation's key every replica shares."""
    import hashlib
    import hmac
    import secrets

    secret = settings.checkin_secret or secrets.token_urlsafe(32)  # no token: links valid until a restart
    return hmac.new(secret.encode(), b"dxday unsubscribe links", hashlib.sha256).digest()


def create_app(settings: Settings, *, clock: Clock | None = None,
               uow_factory: Callable[[], RegistrationUnitOfWorkPort] | None = None) -> FastAPI:
    """The composition root. ``uow_factory``: the use cases' unit of work (tests pass a fake one;
    the messaging machinery keeps the database's)."""
    runtime = create_runtime(settings, clock=clock)
    deps = Deps(uow=uow_factory or runtime.uow, clock=runtime.clock, metrics=RegistrationMetrics(runtime.registry),
                scrub=lambda: scrub(runtime.engine), unsubscribe_key=unsubscribe_key(settings),
                public_url=settings.base_url_of("registration"),
                sign_in_links=IdentitySignInLinks(lambda: runtime.broker.connection),
                manage_secret=settings.checkin_secret)
    rpc.register(runtime.broker, deps, callers_of(runtime))
    runtime.before_scrape(lambda: refresh_booth_gauges(deps))
    app = runtime.http_app()
    install_error_handlers(app)
    install_campaign_check(app, lambda: runtime.broker.connection)
    app.include_router(build_router(runtime, deps))

    async def campaign_year(campaign_id: str) -> int:
        async with runtime.uow() as uow:
            campaign = await uow.records.campaign(campaign_id)
        if campaign is not None:
            return int(campaign["year"])
        if await campaign_missing_at_events(runtime.broker.connection, campaign_id):
            raise NotFound(_("No campaign {campaign_id}", campaign_id=campaign_id))
        raise CampaignUnknown(_("Campaign {campaign_id} is not known here (yet); retry in a few seconds",
                                campaign_id=campaign_id))

    def sign_in_url(back: str, lang: str) -> str:  # the identity service's sign-in page, then back here
        return f"{settings.base_url_of('identity')}/sign-in?lang={lang}&next={quote(back, safe='')}"

    app.include_router(build_pages(deps, campaign_year, sign_in_url))
    app.include_router(build_exhibitor_pages(deps, campaign_year, runtime.sessions, sign_in_url))
    app.include_router(build_my_pages(deps, runtime.sessions, sign_in_url, settings.base_url_of("events")))
    app.include_router(build_board_pages(deps, settings, runtime.sessions))
    install_stylesheet(app)
    return app
