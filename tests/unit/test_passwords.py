"""An official's optional password (services/identity/domain/passwords.py): who may have one, how long
it is, and how wrong tries shut it. Pure: no hashing here, the check's outcome is given."""

from __future__ import annotations

import datetime as dt

import pytest

from services.identity.domain.passwords import (
    MAX_WRONG,
    Password,
    PasswordsForOfficials,
    WeakPassword,
)

T0 = dt.datetime(2027, 10, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("plain", "official", "refusal"), [
    ("Ngày Chuyển đổi số 10/10", True, None),
    ("Ngày Chuyển đổi số 10/10", False, PasswordsForOfficials),  # citizens sign in with links
    ("ngắn quá", True, WeakPassword),
    ("x" * 201, True, WeakPassword),
    ("An@QuangNgai.gov.vn", True, WeakPassword),  # the contact itself, in any case
])
def test_who_may_choose_which_password(plain, official, refusal):
    check = lambda: Password.acceptable(plain, official=official, contacts=("an@quangngai.gov.vn", None))  # noqa: E731
    if refusal is None:
        check()
    else:
        with pytest.raises(refusal):
            check()


def test_five_wrong_tries_shut_it_for_15_minutes_then_it_opens_again():
    p = Password.choose("a-1", "hash", T0)
    for i in range(MAX_WRONG):
        assert p.tried(False, T0 + dt.timedelta(minutes=i)) is False
    assert p.shut(T0 + dt.timedelta(minutes=5))
    assert p.tried(True, T0 + dt.timedelta(minutes=14)) is False  # the right one too, while shut
    assert p.tried(True, T0 + dt.timedelta(minutes=15)) is True  # 15 minutes after the first wrong one
    assert (p.wrong, p.wrong_since) == (0, None)


def test_wrong_tries_spread_over_more_than_15_minutes_never_shut_it():
    p = Password.choose("a-1", "hash", T0)
    for i in range(3 * MAX_WRONG):
        p.tried(False, T0 + dt.timedelta(minutes=4 * i))
        assert not p.shut(T0 + dt.timedelta(minutes=4 * i))
