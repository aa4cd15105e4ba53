"""Passwords hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._argon2 = hasher or PasswordHasher()

    async def hash(self, plain: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, plain)

    async def matches(self, hashed: str, plain: str) -> bool:
        def check() -> bool:
            try:
                return self._argon2.verify(hashed, plain)
            except (VerificationError, InvalidHashError):
                return False
        return await asyncio.to_thread(check)
