"""Signing in without a password to remember: a one-time link and a 6-digit code sent to the
account's email or mobile, valid 15 minutes, used once; five wrong codes end the challenge. Only
their hashes are kept. Pure: the secrets and the time are passed in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from services.identity.domain.errors import SessionEnded, SignInRefused
from services.identity.locale import _

VALID_FOR = dt.timedelta(minutes=15)
MAX_WRONG_CODES = 5
SESSION_IDLE = dt.timedelta(hours=8)  # a working day; each use moves it on


def digest(challenge_id: str, secret: str) -> str:
    return hashlib.sha256(f"{challenge_id}|{secret}".encode()).hexdigest()


def refused() -> SignInRefused:
    return SignInRefused(_("This sign-in link or code is not valid any more; ask for a new one"))


@dataclass(eq=False)
class SignInChallenge:
    id: str
    account_id: str
    channel: str  # email | sms
    link_hash: str
    code_hash: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    wrong_codes: int = 0
    next_path: str = "/me"

    @classmethod
    def issue(cls, challenge_id: str, account_id: str, channel: str, *, link: str, code: str, now: dt.datetime,
              next_path: str = "/me") -> SignInChallenge:
        return cls(challenge_id, account_id, channel, digest(challenge_id, link), digest(challenge_id, code), now,
                   now + VALID_FOR, next_path=next_path)

    def _open(self, now: dt.datetime) -> bool:
        return self.used_at is None and now < self.expires_at and self.wrong_codes < MAX_WRONG_CODES

    def redeem_link(self, link: str, now: dt.datetime) -> None:
        if not self._open(now) or not hmac.compare_digest(self.link_hash, digest(self.id, link)):
            raise refused()
        self.used_at = now

    def redeem_code(self, code: str, now: dt.datetime) -> bool:
        """True when the code is right (the challenge is then used); a wrong one counts."""
        if not self._open(now):
            raise refused()
        if not hmac.compare_digest(self.code_hash, digest(self.id, code.strip())):
            self.wrong_codes += 1
            return False
        self.used_at = now
        return True


@dataclass(eq=False)
class Session:
    """What a signed-in browser or client holds: refreshed while used, ended by sign-out."""

    id: str
    account_id: str
    created_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None

    @classmethod
    def start(cls, session_id: str, account_id: str, now: dt.datetime) -> Session:
        return cls(session_id, account_id, now, now + SESSION_IDLE)

    def live(self, now: dt.datetime) -> bool:
        return self.ended_at is None and now < self.expires_at

    def touch(self, now: dt.datetime) -> None:
        if not self.live(now):
            raise SessionEnded(_("Your session has ended; please sign in again"))
        self.expires_at = now + SESSION_IDLE

    def end(self, now: dt.datetime) -> bool:
        if self.ended_at is not None:
            return False
        self.ended_at = now
        return True

