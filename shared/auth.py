"""Bearer tokens: the organizer's (configured) and per-subject tokens issued by services."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from shared.errors import Forbidden, Unauthorized


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_organizer_token(request: Request, expected: str | None) -> None:
    token = bearer(request)
    if token is None:
        raise Unauthorized("Cần mã truy cập của ban tổ chức", "An organizer token is required")
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden("Mã truy cập của ban tổ chức không đúng", "The organizer token is not valid")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are stored hashed; a database leak does not hand out access."""
    return hashlib.sha256(token.encode()).hexdigest()
