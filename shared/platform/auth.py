"""Bearer tokens, per-subject tokens issued by services, signed values, secrets kept under the data dir."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request

from shared.platform.config import Settings


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def secret_from_file(path: Path) -> str:
    """A secret kept in a file under the data dir, created on first use (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():  # created 0600 at once: never readable by others, not even for a moment
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def sign(secret: str, value: str) -> str:
    mac = hmac.new(secret.encode(), value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")


def signed_token(secret: str, value: str) -> str:
    return f"{value}.{sign(secret, value)}"


def verify_signed(secret: str, token: str) -> str | None:
    """The value inside a token made by signed_token, or None when the signature is wrong."""
    value, _sep, signature = token.rpartition(".")
    if value and hmac.compare_digest(sign(secret, value).encode(), signature.encode()):
        return value
    return None


MANAGE_DAYS = 14  # a notice's link opens what it is about for two weeks after it was sent


def _manage_key(secret: str) -> str:
    return hmac.new(secret.encode(), b"dxday manage links", hashlib.sha256).hexdigest()


def manage_token(secret: str, subject_id: str, thing: str, expires_at: int) -> str:
    """What a notice's link carries: its recipient acts on this one thing (a workshop's seat) and nothing
    else, until ``expires_at`` (Unix seconds). Signed with the installation's shared key."""
    return signed_token(_manage_key(secret), f"{subject_id}~{thing}~{expires_at}")


def read_manage_token(secret: str, token: str, thing: str, now: float) -> str | None:
    """The recipient a manage link names, when it is signed, for ``thing`` and not expired."""
    value = verify_signed(_manage_key(secret), token) if token and len(token) <= 300 else None
    subject_id, _sep, rest = (value or "").partition("~")
    named, _sep, expires = rest.partition("~")
    if not subject_id or named != thing or not expires.isdigit() or int(expires) <= now:
        return None
    return subject_id


def metrics_allowed(settings: Settings, authorization: str | None) -> bool:
    """/metrics is open unless a user and password are configured; then it needs HTTP basic auth."""
    if not (settings.metrics_user and settings.metrics_password):
        return True
    scheme, _sep, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _sep, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    expected = f"{settings.metrics_user}:{settings.metrics_password}".encode()
    return hmac.compare_digest(f"{user}:{password}".encode(), expected)
