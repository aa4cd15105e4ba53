"""The names of the accounts on the audit trail, asked of the identity service: kept 10 minutes,
asked 500 at a time, and the ids alone when the service cannot be asked. A fake connection, no NATS."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from services.events.adapters.account_names import KEPT_S, IdentityAccountNames
from shared.contracts.identity import ACCOUNT_NAMES_RPC


class Identity:
    def __init__(self, names: dict[str, str]) -> None:
        self.names, self.asked, self.down = names, [], False

    async def request(self, subject: str, data: bytes, timeout: float) -> Any:
        if self.down:
            raise TimeoutError("no answer")
        assert subject == ACCOUNT_NAMES_RPC
        ids = json.loads(data)["args"]["ids"]
        self.asked.append(ids)
        found = {i: self.names[i] for i in ids if i in self.names}
        return SimpleNamespace(data=json.dumps({"ok": True, "result": {"names": found}}).encode())


async def test_names_are_kept_ten_minutes_and_asked_in_batches():
    identity, now = Identity({f"a{i}": f"Cán bộ {i}" for i in range(600)}), [0.0]
    names = IdentityAccountNames(lambda: identity, clock=lambda: now[0])
    found = await names.of([f"a{i}" for i in range(600)] + ["a1", "unknown"])
    assert found["a1"] == "Cán bộ 1" and len(found) == 600 and "unknown" not in found
    assert [len(batch) for batch in identity.asked] == [500, 101]
    identity.asked.clear()
    assert await names.of(["a1"]) == {"a1": "Cán bộ 1"} and identity.asked == []  # kept
    now[0] += KEPT_S + 1
    await names.of(["a1"])
    assert identity.asked == [["a1"]]  # asked again after ten minutes


async def test_without_the_identity_service_the_trail_shows_ids_alone():
    identity = Identity({"a1": "Cán bộ 1"})
    identity.down = True
    assert await IdentityAccountNames(lambda: identity).of(["a1"]) == {}
