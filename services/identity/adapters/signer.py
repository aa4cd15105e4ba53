"""Access tokens signed with ES256 (``joserfc``), the keys kept in the identity database so every
replica signs with the same newest key and publishes the same set. Rotation adds a key that signs
from then on; the older ones stay published until every token they signed has expired."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import ECKey

from services.identity.adapters.orm import signing_keys
from services.identity.application.context import ACCESS_TOKEN_SECONDS
from services.identity.application.ports import IdentityUnitOfWork

ALGORITHM = "ES256"
KEEP_RETIRED = dt.timedelta(seconds=ACCESS_TOKEN_SECONDS + 60)


def _key(row: Any) -> ECKey:
    return ECKey.import_key(row.private_pem, parameters={"kid": row.kid})


class DatabaseSigner:
    async def _rows(self, uow: IdentityUnitOfWork, now: dt.datetime) -> list[Any]:
        session = uow.session  # type: ignore[attr-defined]
        rows = list(await session.execute(sa.select(signing_keys).where(sa.or_(
            signing_keys.c.retired_at.is_(None), signing_keys.c.retired_at > now - KEEP_RETIRED))
            .order_by(signing_keys.c.created_at.desc())))
        return rows

    async def rotate(self, uow: IdentityUnitOfWork, now: dt.datetime) -> str:
        """A new signing key; the current one retires (it still verifies its tokens for a while)."""
        session = uow.session  # type: ignore[attr-defined]
        kid = f"k-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"
        key = ECKey.generate_key("P-256", parameters={"kid": kid})
        await session.execute(sa.update(signing_keys).where(signing_keys.c.retired_at.is_(None)).values(retired_at=now))
        await session.execute(sa.insert(signing_keys).values(
            kid=kid, private_pem=key.as_pem(private=True).decode(), created_at=now, retired_at=None))
        return kid

    async def access_token(self, uow: IdentityUnitOfWork, claims: dict[str, Any], now: dt.datetime) -> str:
        rows = [r for r in await self._rows(uow, now) if r.retired_at is None]
        if not rows:
            await self.rotate(uow, now)
            rows = [r for r in await self._rows(uow, now) if r.retired_at is None]
        newest = rows[0]
        return jwt.encode({"alg": ALGORITHM, "kid": newest.kid, "typ": "JWT"}, claims, _key(newest))

    async def public_keys(self, uow: IdentityUnitOfWork, now: dt.datetime | None = None) -> list[dict[str, str]]:
        now = now or dt.datetime.now(dt.UTC)
        return [{**_key(r).as_dict(private=False), "alg": ALGORITHM, "use": "sig"} for r in await self._rows(uow, now)]
