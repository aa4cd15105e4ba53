"""The names of the accounts that acted, asked of the identity service (request-reply) for the
campaign's audit trail, and kept in memory 10 minutes; when it cannot be asked, the trail shows the
account ids alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from shared.contracts.identity import ACCOUNT_NAMES_RPC, AccountNames
from shared.platform.rpc import RpcUnavailable, ask

KEPT_S = 600.0
ASKED_AT_ONCE = 500


class IdentityAccountNames:
    def __init__(self, connection: Callable[[], Any], clock: Callable[[], float] = time.monotonic,
                 timeout_s: float = 3.0) -> None:
        self.connection, self.clock, self.timeout_s = connection, clock, timeout_s
        self._kept: dict[str, tuple[str, float]] = {}

    async def of(self, account_ids: list[str]) -> dict[str, str]:
        now = self.clock()
        found = {i: kept[0] for i in set(account_ids) if (kept := self._kept.get(i)) and kept[1] > now}
        missing = sorted(set(account_ids) - set(found))
        for start in range(0, len(missing), ASKED_AT_ONCE):
            try:
                asked = {"ids": missing[start:start + ASKED_AT_ONCE]}
                reply = AccountNames.model_validate(
                    await ask(self.connection(), ACCOUNT_NAMES_RPC, asked, self.timeout_s))
            except RpcUnavailable:
                break
            found.update(reply.names)
            if len(self._kept) > 10_000:
                self._kept = {k: v for k, v in self._kept.items() if v[1] > now}
            self._kept.update({i: (name, now + KEPT_S) for i, name in reply.names.items()})
        return found
