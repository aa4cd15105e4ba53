"""The seat use cases (services/events/application/seats.py) over a fake unit of work: no NATS, no
database. Confirmed up to capacity, then a waitlist in order; a cancellation promotes the first
waiting; reserving twice is one reservation; a ticket checks in once; every decision takes the
workshop's lock first; only committed work publishes."""

from __future__ import annotations

import pytest

from services.events.application import seats
from services.events.application.commands import CheckIn, ReserveSeat
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import AppError
from shared.platform.tokens import AccessClaims
from tests.unit.events.fakes import FakeSchedule, events_deps, workshop

# check-in staff of the whole country (a signed-in account's verified token)
DOOR = Call.of_account(AccessClaims("staff-1", "s1", (("checkin_staff", "VN"),), 0, 2**40, "https://identity.test"))


def person(pid: str) -> Call:
    return Call(actor=Actor(kind="participant", id=pid))


@pytest.fixture
def schedule() -> FakeSchedule:
    s = FakeSchedule()
    s.workshops["w1"] = workshop(capacity=2)
    for pid in ("p1", "p2", "p3", "p4"):
        s.participants[pid] = {"participant_id": pid, "campaign_id": "c1"}
    return s


async def test_confirmed_up_to_capacity_then_a_waitlist_in_order(schedule: FakeSchedule):
    published: list = []
    deps = events_deps(schedule, published)
    views = [await seats.reserve_seat(deps, "w1", ReserveSeat(), person(p)) for p in ("p1", "p2", "p3", "p4")]
    assert [(v["status"], v["seat_number"], v["waitlist_position"]) for v in views] == [
        ("confirmed", 1, None), ("confirmed", 2, None), ("waitlisted", None, 1), ("waitlisted", None, 2)]
    assert [e.type for e in published] == ["events.seat.confirmed"] * 2 + ["events.seat.waitlisted"] * 2
    assert schedule.locked == ["w1"] * 4  # each decision under the workshop's lock
    assert views[0]["checkin_token"] and views[2]["checkin_token"] is None


async def test_reserving_twice_is_one_reservation(schedule: FakeSchedule):
    published: list = []
    deps = events_deps(schedule, published)
    first = await seats.reserve_seat(deps, "w1", ReserveSeat(), person("p1"))
    again = await seats.reserve_seat(deps, "w1", ReserveSeat(), person("p1"))
    assert first["seat_id"] == again["seat_id"] and len(published) == 1


async def test_a_cancellation_promotes_the_first_waiting(schedule: FakeSchedule):
    published: list = []
    deps = events_deps(schedule, published)
    held = [await seats.reserve_seat(deps, "w1", ReserveSeat(), person(p)) for p in ("p1", "p2", "p3", "p4")]
    published.clear()
    await seats.cancel_seat(deps, held[0]["seat_id"], person("p1"))
    assert [e.type for e in published] == ["events.seat.cancelled", "events.seat.promoted"]
    promoted = await seats.get_seat(deps, held[2]["seat_id"], person("p3"))
    assert (promoted["status"], promoted["seat_number"]) == ("confirmed", 1)
    still = await seats.get_seat(deps, held[3]["seat_id"], person("p4"))
    assert (still["status"], still["waitlist_position"]) == ("waitlisted", 1)


async def test_someone_else_cannot_cancel_a_seat_and_nothing_is_published(schedule: FakeSchedule):
    published: list = []
    deps = events_deps(schedule, published)
    seat = await seats.reserve_seat(deps, "w1", ReserveSeat(), person("p1"))
    published.clear()
    with pytest.raises(AppError) as refused:
        await seats.cancel_seat(deps, seat["seat_id"], person("p2"))
    assert refused.value.status == 404 and published == []


async def test_a_ticket_checks_in_once_by_token_or_typed_code(schedule: FakeSchedule):
    published: list = []
    deps = events_deps(schedule, published)
    seat = await seats.reserve_seat(deps, "w1", ReserveSeat(), person("p1"))
    other = await seats.reserve_seat(deps, "w1", ReserveSeat(), person("p2"))
    schedule.seats[other["seat_id"]]["checkin_code"] = "7KQ2MX9F4D"
    assert (await seats.check_in(deps, CheckIn(token=seat["checkin_token"]), DOOR))["attended"] == 1
    assert (await seats.check_in(deps, CheckIn(token="7kq2m-x9f4d"), DOOR))["attended"] == 2
    for again in (seat["checkin_token"], "7KQ2M-X9F4D"):
        with pytest.raises(AppError) as used:
            await seats.check_in(deps, CheckIn(token=again), DOOR)
        assert used.value.code == "already_checked_in"
    with pytest.raises(AppError) as forged:
        await seats.check_in(deps, CheckIn(token=seat["checkin_token"][:-2] + "xx"), DOOR)
    assert forged.value.code == "invalid_ticket"
    with pytest.raises(AppError) as staff_only:
        await seats.check_in(deps, CheckIn(token=seat["checkin_token"]), person("p1"))
    assert staff_only.value.status == 403


async def test_a_door_page_admits_the_tickets_of_its_own_campaign_only(schedule: FakeSchedule):
    deps = events_deps(schedule, [])
    seat = await seats.reserve_seat(deps, "w1", ReserveSeat(), person("p1"))
    with pytest.raises(AppError) as elsewhere:
        await seats.check_in(deps, CheckIn(token=seat["checkin_token"]), DOOR, at_campaign="another-2027")
    assert elsewhere.value.code == "invalid_ticket"
    assert schedule.seats[seat["seat_id"]]["attended_at"] is None  # refused under the seat's lock, unchanged
    done = await seats.check_in(deps, CheckIn(token=seat["checkin_token"]), DOOR, at_campaign="c1")
    assert done["attended"] == 1


async def test_a_closed_workshop_takes_no_reservation(schedule: FakeSchedule):
    schedule.workshops["w1"]["status"] = "cancelled"
    with pytest.raises(AppError) as closed:
        await seats.reserve_seat(events_deps(schedule, []), "w1", ReserveSeat(), person("p1"))
    assert closed.value.code == "workshop_closed"


def signed_in(*held: str) -> Call:
    """A person signed in with a contact under which these participant records were registered."""
    claims = AccessClaims("nguoi-1", "s9", (), 0, 2**40, "https://identity.test", contacts=("d",))
    return Call.of_account(claims, holdings=frozenset(("participant", pid) for pid in held))


async def test_a_signed_in_person_reserves_for_the_record_it_holds_here_or_is_asked_to_retry(schedule: FakeSchedule):
    deps = events_deps(schedule, [])
    schedule.participants["p9"] = {"participant_id": "p9", "campaign_id": "another"}
    seat = await seats.reserve_seat(deps, "w1", ReserveSeat(), signed_in("p9", "p2"))  # p9: another campaign's
    assert seat["participant_id"] == "p2"
    with pytest.raises(AppError) as not_yet:  # signed up a moment ago: its sign-up has not arrived here yet
        await seats.reserve_seat(deps, "w1", ReserveSeat(), signed_in("p-new"))
    assert (not_yet.value.status, not_yet.value.code) == (503, "participant_unknown")
    assert not_yet.value.details["retry_after"] == 5
    with pytest.raises(AppError) as nobody:  # holds no sign-up at all: sign up first
        await seats.reserve_seat(deps, "w1", ReserveSeat(), signed_in())
    assert (nobody.value.status, nobody.value.details) == (422, {"field": "participant_id"})
