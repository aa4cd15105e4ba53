"""The BoothApplication aggregate (services/registration/domain/booth_application.py): each
transition from each status, the refusal's message and the domain events recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registration.domain.booth_application import (
    BoothApplication,
    Cancelled,
    Confirmed,
    Promoted,
    Rejected,
    Reopened,
    Submitted,
    Waitlisted,
)
from services.registration.domain.booths import Allocation, ApplicationStatus, BoothRef
from services.registration.domain.errors import TransitionNotAllowed

DAY = dt.date(2026, 10, 10)
A01 = [Allocation(BoothRef("A01", "b1", "v1"), DAY)]
S = ApplicationStatus


def app(status: ApplicationStatus = S.PENDING) -> BoothApplication:
    return BoothApplication("a1", "c1", "b1", [DAY], 1, None, status=status)


def test_a_submitted_application_is_pending_and_says_so():
    submitted = BoothApplication.submit("a1", "c1", "b1", [DAY], 1, "A01")
    assert submitted.status is S.PENDING and [type(e) for e in submitted.events] == [Submitted]


@pytest.mark.parametrize(("start", "act", "end", "event"), [
    (S.PENDING, lambda a: a.confirm(A01, approved=False), S.CONFIRMED, Confirmed),
    (S.PENDING, lambda a: a.waitlist("hết chỗ", 3), S.WAITLISTED, Waitlisted),
    (S.WAITLISTED, lambda a: a.promote(A01), S.CONFIRMED, Promoted),
    (S.WAITLISTED, lambda a: a.return_to_pending(), S.PENDING, Reopened),
    (S.PENDING, lambda a: a.reject("thiếu hồ sơ"), S.REJECTED, Rejected),
    (S.CONFIRMED, lambda a: a.reject("vi phạm"), S.REJECTED, Rejected),
    (S.WAITLISTED, lambda a: a.cancel([], by_organizer=False), S.CANCELLED, Cancelled),
    (S.CONFIRMED, lambda a: a.cancel(A01, by_organizer=True), S.CANCELLED, Cancelled),
])
def test_allowed_transitions_record_their_event(start, act, end, event):
    a = app(start)
    act(a)
    assert a.status is end and [type(e) for e in a.events] == [event]


@pytest.mark.parametrize(("start", "act", "words"), [
    (S.CONFIRMED, lambda a: a.require_approvable(), "Không thể duyệt hồ sơ đang ở trạng thái confirmed"),
    (S.WAITLISTED, lambda a: a.confirm(A01, approved=True), "Không thể duyệt"),
    (S.CONFIRMED, lambda a: a.promote(A01), "Không thể xác nhận"),
    (S.PENDING, lambda a: a.return_to_pending(), "Không thể mở lại"),
    (S.REJECTED, lambda a: a.reject("x"), "Không thể từ chối hồ sơ đang ở trạng thái rejected"),
    (S.CANCELLED, lambda a: a.cancel([], by_organizer=False), "Không thể hủy hồ sơ đang ở trạng thái cancelled"),
    (S.CONFIRMED, lambda a: a.waitlist("x", 1), "Không thể đưa vào danh sách chờ"),
])
def test_what_a_status_does_not_allow_is_refused_and_records_nothing(start, act, words):
    a = app(start)
    with pytest.raises(TransitionNotAllowed) as refused:
        act(a)
    assert refused.value.message_vi.startswith(words) and refused.value.details["status"] == start.value
    assert a.status is start and a.events == []
