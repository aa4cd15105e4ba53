"""The locality tree, asked of the identity service (request-reply) when a campaign is created."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.events.application.context import NoPlaces, PlacesUnavailable
from services.events.locale import _
from shared.contracts.identity import LOCALITY_RPC, LocalityReply
from shared.platform.errors import Unprocessable
from shared.platform.rpc import RpcUnavailable, ask


class UnknownLocality(Unprocessable):
    code = "locality_not_found"


class IdentityPlaces(NoPlaces):
    def __init__(self, connection: Callable[[], Any], timeout_s: float = 5.0) -> None:
        self.connection = connection
        self.timeout_s = timeout_s

    async def lineage(self, code: str) -> list[str]:
        try:
            found = LocalityReply.model_validate(await ask(self.connection(), LOCALITY_RPC, {"code": code},
                                                           self.timeout_s))
        except RpcUnavailable as exc:
            if exc.code == "locality_not_found":
                raise UnknownLocality(_("No locality {code}", code=code), field="locality_code") from None
            raise PlacesUnavailable(_("The locality tree cannot be reached just now; please try again")) from None
        return found.lineage
