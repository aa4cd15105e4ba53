"""An official's optional password: chosen by a signed-in official (at least 12 characters, not the
contact itself), kept only as an argon2 hash; five wrong tries within 15 minutes shut it for the rest
of those 15 minutes, whatever is typed (the sign-in link still works). Pure: the hash is made and
checked by the caller (a port), time is passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.identity.domain.errors import SignInRefused
from services.identity.locale import _
from shared.platform.errors import Unprocessable

MIN_LENGTH = 12
MAX_LENGTH = 200
MAX_WRONG = 5
WRONG_WINDOW = dt.timedelta(minutes=15)


class WeakPassword(Unprocessable):
    code = "weak_password"


class PasswordsForOfficials(Unprocessable):
    code = "passwords_for_officials"


def password_refused() -> SignInRefused:
    """The same words for an unknown contact, no password, a wrong one and a shut one: nothing is learnt."""
    return SignInRefused(_("The email or mobile number and password do not match, or the password is shut for "
                           "15 minutes after wrong tries; sign in with a link instead"))


@dataclass(eq=False)
class Password:
    account_id: str
    hash: str
    set_at: dt.datetime
    wrong: int = 0
    wrong_since: dt.datetime | None = None

    @staticmethod
    def acceptable(plain: str, *, official: bool, contacts: tuple[str | None, ...]) -> None:
        """Refuses a password no official should have (checked before it is hashed)."""
        if not official:
            raise PasswordsForOfficials(_("Passwords are for officials; sign in with a link sent to your email or "
                                          "mobile number"))
        if not MIN_LENGTH <= len(plain) <= MAX_LENGTH:
            raise WeakPassword(_("A password has {min} to {max} characters", min=MIN_LENGTH, max=MAX_LENGTH),
                               field="password")
        if any(c and plain.strip().lower() == c.lower() for c in contacts):
            raise WeakPassword(_("Your email or mobile number is not a password"), field="password")

    @classmethod
    def choose(cls, account_id: str, hashed: str, now: dt.datetime) -> Password:
        return cls(account_id, hashed, now)

    def shut(self, now: dt.datetime) -> bool:
        return (self.wrong >= MAX_WRONG and self.wrong_since is not None
                and now - self.wrong_since < WRONG_WINDOW)

    def tried(self, right: bool, now: dt.datetime) -> bool:
        """Counts a try whose hash check gave ``right``; True when it signs the person in."""
        if self.shut(now):
            return False
        if right:
            self.wrong, self.wrong_since = 0, None
            return True
        if self.wrong_since is None or now - self.wrong_since >= WRONG_WINDOW:
            self.wrong, self.wrong_since = 0, now
        self.wrong += 1
        return False
