"""What every identity use case is handed: its unit of work, the clock, the tree, the outside parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.identity.application.ports import Hasher, IdentityUnitOfWork, Messenger, Signer
from services.identity.domain.localities import LocalityTree
from shared.platform.clock import Clock

ACCESS_TOKEN_SECONDS = 300  # short: revocation needs only outlive this at the services that verify


@dataclass
class Deps:
    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock
    places: Callable[[list[dict[str, Any]]], LocalityTree]  # the tree with the villages read
    messenger: Messenger
    signer: Signer
    issuer: str  # this service's public URL: the ``iss`` of every token, where links point
    sign_ins_per_hour: int = 5  # per contact
    sites: tuple[str, ...] = ()  # the other services' public URLs: where a sign-in may lead back to
    hasher: Hasher | None = None  # passwords (argon2); none: passwords are off
