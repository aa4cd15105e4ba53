"""What a signed-in person holds at the registration service (its participant records, through the
contacts it proved), asked with the person's own access token (request-reply) and kept a minute;
"nothing" is kept 5 seconds only, so that a person who signs in first and signs up next soon holds
the new record."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from shared.contracts.registration import HOLDINGS_RPC, Holdings
from shared.platform.rpc import RpcUnavailable, ask

KEPT_S = 60.0
NOTHING_KEPT_S = 5.0


class RegistrationHoldings:
    def __init__(self, connection: Callable[[], Any], clock: Callable[[], float] = time.monotonic) -> None:
        self.connection, self.clock = connection, clock
        self._kept: dict[str, tuple[frozenset[tuple[str, str]], float]] = {}  # SHA-256 of the token -> found

    async def of(self, token: str) -> frozenset[tuple[str, str]]:
        """(kind, id) of each record; none when the registration service cannot be asked just now (the
        person then acts as nobody's holder, and is told to sign in again later by the 404)."""
        key = hashlib.sha256(token.encode()).hexdigest()
        found, until = self._kept.get(key, (frozenset(), 0.0))
        if until > self.clock():
            return found
        try:
            reply = Holdings.model_validate(await ask(self.connection(), HOLDINGS_RPC, {}, access_token=token))
        except RpcUnavailable:
            return frozenset()
        found = frozenset({*(("participant", i) for i in reply.participants),
                           *(("business", i) for i in reply.businesses)})
        if len(self._kept) > 10_000:
            self._kept = {k: v for k, v in self._kept.items() if v[1] > self.clock()}
        self._kept[key] = (found, self.clock() + (KEPT_S if found else NOTHING_KEPT_S))
        return found
