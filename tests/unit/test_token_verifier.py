"""The token verifier every service holds (shared/platform/tokens.py), with its keys from a fake
source: no network. A fresh replica's first requests arrive together; they share one fetch of the
keys and none is refused meanwhile; an unknown key id asks again, at most every 10 seconds."""

from __future__ import annotations

import asyncio
import time

from joserfc import jwt
from joserfc.jwk import ECKey

from shared.platform.tokens import TokenVerifier

ISSUER = "https://identity.test"


def token(key: ECKey, **claims: object) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "sub": "a-1", "iat": now, "exp": now + 300, "grants": [], **claims}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, body, key)


async def test_first_requests_at_once_share_one_fetch_and_all_pass():
    key = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    fetches = []

    async def published() -> list[dict]:
        fetches.append(1)
        await asyncio.sleep(0.05)  # the identity service answers a moment later
        return [key.as_dict(private=False)]

    verifier = TokenVerifier(published, {ISSUER})
    found = await asyncio.gather(*(verifier.verify(token(key)) for _ in range(20)))
    assert all(c is not None and c.account_id == "a-1" for c in found)
    assert len(fetches) == 1


async def test_an_unknown_key_asks_again_at_most_every_ten_seconds():
    old, new = (ECKey.generate_key("P-256", parameters={"kid": k}) for k in ("k1", "k2"))
    published_keys = [old]
    now = [1000.0]

    async def published() -> list[dict]:
        return [k.as_dict(private=False) for k in published_keys]

    verifier = TokenVerifier(published, {ISSUER}, clock=lambda: now[0])
    assert await verifier.verify(token(old, iat=0, exp=2**40)) is not None
    published_keys.append(new)  # a rotation: the new key is published
    now[0] += 1
    assert await verifier.verify(token(new, iat=0, exp=2**40)) is None  # asked 1 s ago: not again yet
    now[0] += 10
    assert await verifier.verify(token(new, iat=0, exp=2**40)) is not None
    assert await verifier.verify(token(old, iat=0, exp=2**40)) is not None  # the old key keeps working
