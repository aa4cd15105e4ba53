"""Composition root of the identity service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from services.identity.adapters.hasher import Argon2Hasher
from services.identity.adapters.locality_data import locality_tree
from services.identity.adapters.messenger import NotificationsMessenger
from services.identity.adapters.signer import DatabaseSigner
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.context import Deps
from services.identity.application.ports import IdentityUnitOfWork as IdentityUnitOfWorkPort
from services.identity.application.ports import Messenger
from services.identity.entrypoints import rpc
from services.identity.entrypoints.http import build_router
from services.identity.entrypoints.pages import build_pages
from shared.contracts.notifications import SIGN_IN_MESSAGE_RPC
from shared.contracts.streams import IDENTITY
from shared.platform.clock import Clock
from shared.platform.config import SERVICE_NAMES, Settings
from shared.platform.http import install_error_handlers
from shared.platform.service import ServiceRuntime, ServiceSpec
from shared.platform.tokens import TokenVerifier
from shared.web import install_stylesheet

SPEC = ServiceSpec(
    name="identity",
    title="dxday identity",
    description="Accounts, the locality tree, grants, sign-in and access tokens — Tài khoản, địa bàn, phân quyền",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(IDENTITY,),
    unit_of_work=IdentityUnitOfWork,
    calls=(SIGN_IN_MESSAGE_RPC,),
)


def create_app(settings: Settings, *, clock: Clock | None = None,
               uow_factory: Callable[[], IdentityUnitOfWorkPort] | None = None,
               messenger: Messenger | None = None) -> FastAPI:
    """The composition root. ``uow_factory``, ``messenger``: tests pass fakes."""
    runtime = ServiceRuntime(SPEC, settings, clock=clock)
    signer = DatabaseSigner()
    issuer = settings.base_url_of("identity")
    deps = Deps(uow=uow_factory or runtime.uow, clock=runtime.clock, places=locality_tree,
                messenger=messenger or NotificationsMessenger(lambda: runtime.broker.connection),
                signer=signer, issuer=issuer, sign_ins_per_hour=settings.sign_ins_per_hour,
                sites=tuple(settings.base_url_of(name) for name in SERVICE_NAMES if name != "identity"),
                hasher=Argon2Hasher())

    async def own_keys() -> list[dict[str, Any]]:
        async with deps.uow() as uow:
            return await signer.public_keys(uow)

    rpc.register(runtime.broker, deps)
    app = runtime.http_app()
    app.state.verifier = TokenVerifier(own_keys, {issuer})
    app.state.deps = deps
    app.state.signer = signer
    install_error_handlers(app)
    app.include_router(build_router(deps))  # before the pages: /sign-in/requests is the API's
    app.include_router(build_pages(deps, f"{settings.base_url_of('events')}/board"))
    install_stylesheet(app)
    return app
