"""Events service over real HTTP and NATS, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import datetime

import icalendar
import pytest

from launcher.natsserver import NatsServer
from services.events.app import create_app as events_app
from services.registration.app import create_app as registration_app
from shared.contracts.streams import EVENTS
from shared.platform.clock import FixedClock
from shared.platform.config import Settings
from tests.registration_support import BEFORE_CAMPAIGN, CAMPAIGN_ID, bearer, participant_body, registration_stack
from tests.support import (
    ORGANIZER,
    TEST_ISSUER,
    eventually,
    metric_value,
    participants_known,
    serve_in_process,
    stream_messages,
)


async def make_room(stack, seats: int = 20, name: str = "Hội trường A") -> str:  # type: ignore[no-untyped-def]
    r = await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/rooms", json={"name": name, "seats": seats},
                                       headers=ORGANIZER)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def make_workshop(stack, room_id: str, start: str = "2026-10-10T08:00:00+07:00",  # type: ignore[no-untyped-def]
                        end: str = "2026-10-10T11:30:00+07:00", **extra) -> dict:
    body = {"title": "Hội thảo Chuyển đổi số tỉnh Quảng Ngãi", "kind": "seminar", "room_id": room_id,
            "start": start, "end": end, "speakers": ["Giám đốc Sở KH&CN"], **extra}
    r = await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/workshops", json=body, headers=ORGANIZER)
    assert r.status_code == 201, r.text
    return r.json()


async def make_participants(stack, n: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    people = []
    for i in range(n):
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                 json=participant_body(name=f"Người tham dự {i}", email=f"p{i}@example.vn",
                                                       phone=None, channels=["email"]))
        assert r.status_code == 201, r.text
        people.append((r.json()["participant"]["id"], TEST_ISSUER.person(f"p{i}@example.vn")))
    return people


async def reserve(stack, workshop_id: str, token: str):  # type: ignore[no-untyped-def]
    return await stack.events.client.post(f"/workshops/{workshop_id}/seats", headers=bearer(token))


async def await_known(stack, workshop_id: str, people: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    await participants_known(stack.events, [pid for pid, _ in people])


async def test_conflicting_workshop_is_refused_with_every_conflict(settings: Settings):
    async with registration_stack(settings) as stack:
        hall, other = await make_room(stack), await make_room(stack, name="Phòng họp B")
        first = await make_workshop(stack, hall, speakers=["TS. Trần Minh"])
        r = await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
            "title": "Tọa đàm kinh tế số", "room_id": hall, "start": "2026-10-10T10:00:00+07:00",
            "end": "2026-10-10T12:00:00+07:00", "speakers": ["TS. Trần Minh"]})
        assert r.status_code == 409
        found = r.json()["error"]["details"]["conflicts"]
        assert sorted(c["kind"] for c in found) == ["room_taken", "speaker_busy"]
        assert {c["workshop_id"] for c in found} == {first["workshop_id"]}
        touching = await make_workshop(stack, hall, start="2026-10-10T11:30:00+07:00",
                                       end="2026-10-10T12:30:00+07:00", speakers=["TS. Trần Minh"])
        assert touching["room_name"] == "Hội trường A"
        late = await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
            "title": "Quá giờ", "room_id": other, "start": "2026-10-10T23:00:00+07:00",
            "end": "2026-10-11T00:01:00+07:00"})
        assert late.status_code == 409 and late.json()["error"]["details"]["conflicts"][0]["kind"] == "outside_window"
        at_edge = await make_workshop(stack, other, start="2026-10-10T23:00:00+07:00",
                                      end="2026-10-10T23:59:00+07:00")
        assert at_edge["end"] == "2026-10-10T16:59:00Z"


async def test_hundred_concurrent_reservations_for_twenty_seats(settings: Settings):
    async with registration_stack(settings) as stack:
        workshop = await make_workshop(stack, await make_room(stack, seats=30), capacity=20)
        people = await make_participants(stack, 100)
        await await_known(stack, workshop["workshop_id"], people)
        results = list(await asyncio.gather(*(reserve(stack, workshop["workshop_id"], tok) for _, tok in people)))
        assert all(r.status_code == 201 for r in results), (
            Counter(r.status_code for r in results), [r.text for r in results if r.status_code != 201][:3])
        assert Counter(r.json()["status"] for r in results) == {"confirmed": 20, "waitlisted": 80}
        numbers = sorted(r.json()["seat_number"] for r in results if r.json()["status"] == "confirmed")
        assert numbers == list(range(1, 21))
        positions = sorted(r.json()["waitlist_position"] for r in results if r.json()["status"] == "waitlisted")
        assert positions == list(range(1, 81))
        view = (await stack.events.client.get(f"/workshops/{workshop['workshop_id']}")).json()
        assert (view["confirmed"], view["waitlisted"], view["seats_left"]) == (20, 80, 0)

        # a cancellation promotes the first waiting
        waiting = sorted((r.json() for r in results if r.json()["status"] == "waitlisted"),
                         key=lambda s: s["waitlist_position"])
        confirmed = next(r.json() for r in results if r.json()["status"] == "confirmed")
        holder_token = dict(people)[confirmed["participant_id"]]
        gone = await stack.events.client.post(f"/seats/{confirmed['seat_id']}/cancel", headers=bearer(holder_token))
        assert gone.json()["status"] == "cancelled"
        first_waiting = await stack.events.client.get(f"/seats/{waiting[0]['seat_id']}", headers=ORGANIZER)
        assert first_waiting.json()["status"] == "confirmed"
        assert first_waiting.json()["seat_number"] == confirmed["seat_number"]
        second = await stack.events.client.get(f"/seats/{waiting[1]['seat_id']}", headers=ORGANIZER)
        assert second.json()["waitlist_position"] == 1

        smaller = await stack.events.client.put(f"/workshops/{workshop['workshop_id']}/capacity",
                                                json={"capacity": 19}, headers=ORGANIZER)
        assert smaller.status_code == 409 and smaller.json()["error"]["details"]["confirmed"] == 20
        bigger = await stack.events.client.put(f"/workshops/{workshop['workshop_id']}/capacity",
                                               json={"capacity": 25}, headers=ORGANIZER)
        assert (bigger.json()["confirmed"], bigger.json()["waitlisted"]) == (25, 74)
        above = await stack.events.client.put(f"/workshops/{workshop['workshop_id']}/capacity",
                                              json={"capacity": 31}, headers=ORGANIZER)
        assert above.status_code == 409 and above.json()["error"]["code"] == "capacity_above_room"
        assert above.json()["error"]["details"]["room_seats"] == 30


async def test_a_workshop_never_offers_more_seats_than_its_room(settings: Settings):
    async with registration_stack(settings) as stack:
        small = await make_room(stack, seats=20, name="Phòng 20 chỗ")
        r = await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
            "title": "Tập huấn", "room_id": small, "start": "2026-10-10T08:00:00+07:00",
            "end": "2026-10-10T09:00:00+07:00", "capacity": 500})
        assert r.status_code == 409 and r.json()["error"]["code"] == "capacity_above_room", r.text
        assert "20" in r.json()["error"]["message"] and r.json()["error"]["details"]["room_seats"] == 20
        hall = await make_room(stack, seats=200, name="Hội trường lớn")
        big = await make_workshop(stack, hall, capacity=150)
        moved = await stack.events.client.post(f"/workshops/{big['workshop_id']}/reschedule", headers=ORGANIZER,
                                               json={"room_id": small, "start": "2026-10-09T08:00:00+07:00",
                                                     "end": "2026-10-09T09:00:00+07:00"})
        assert moved.status_code == 409 and moved.json()["error"]["code"] == "capacity_above_room"


async def test_reschedule_names_every_holder_once_and_cancel_frees_all_seats(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        workshop = await make_workshop(stack, await make_room(stack, seats=2))
        wid = workshop["workshop_id"]
        people = await make_participants(stack, 3)
        await await_known(stack, wid, people)
        for _, tok in people:
            await reserve(stack, wid, tok)
        moved = await stack.events.client.post(f"/workshops/{wid}/reschedule", headers=ORGANIZER, json={
            "start": "2026-10-09T14:00:00+07:00", "end": "2026-10-09T16:00:00+07:00"})
        assert moved.status_code == 200 and moved.json()["start"] == "2026-10-09T07:00:00Z"

        async def rescheduled() -> list:
            return await stream_messages(nats.url, EVENTS.name, "events.workshop.rescheduled")

        [message] = await eventually(rescheduled, what="rescheduled event")
        payload = json.loads(message.data)["payload"]
        assert sorted(h["participant_id"] for h in payload["holders"]) == sorted(p for p, _ in people)
        assert Counter(h["seat_status"] for h in payload["holders"]) == {"confirmed": 2, "waitlisted": 1}
        assert payload["previous_start"] == "2026-10-10T01:00:00Z"

        cancelled = await stack.events.client.post(f"/workshops/{wid}/cancel", headers=ORGANIZER,
                                                   json={"reason": "Diễn giả bận đột xuất"})
        assert cancelled.json()["status"] == "cancelled"
        assert (cancelled.json()["confirmed"], cancelled.json()["waitlisted"]) == (0, 0)
        assert (await stack.events.client.get(f"/workshops/{wid}/seats", headers=ORGANIZER)).json() == []
        late = await reserve(stack, wid, people[0][1])
        assert late.status_code == 409 and late.json()["error"]["code"] == "workshop_closed"

        async def cancelled_event() -> list:
            return await stream_messages(nats.url, EVENTS.name, "events.workshop.cancelled")

        [gone] = await eventually(cancelled_event, what="cancelled event")
        assert len(json.loads(gone.data)["payload"]["holders"]) == 3


async def test_ical_feed_parses_and_its_times_are_the_stored_times(settings: Settings):
    async with registration_stack(settings) as stack:
        room = await make_room(stack)
        w = await make_workshop(stack, room, start="2026-10-10T08:00:00+07:00", end="2026-10-10T11:30:00+07:00")
        for url in (f"/campaigns/{CAMPAIGN_ID}/calendar.ics", f"/workshops/{w['workshop_id']}/calendar.ics"):
            r = await stack.events.client.get(url)
            assert r.headers["content-type"].startswith("text/calendar")
            cal = icalendar.Calendar.from_ical(r.content)
            [event] = [c for c in cal.walk("VEVENT")]
            assert event.decoded("dtstart") == datetime.fromisoformat(w["start"].replace("Z", "+00:00"))
            assert event.decoded("dtend") == datetime.fromisoformat(w["end"].replace("Z", "+00:00"))
            assert event.decoded("dtstart").utcoffset().total_seconds() == 0
            assert str(event["summary"]) == "Hội thảo Chuyển đổi số tỉnh Quảng Ngãi"
            assert str(event["uid"]) == f"{w['workshop_id']}@dxday"
            [alarm] = event.walk("VALARM")
            assert alarm.decoded("trigger").total_seconds() == -3600
        day = (await stack.events.client.get(f"/campaigns/{CAMPAIGN_ID}/schedule?day=2026-10-10")).json()
        assert [x["start"] for x in day["workshops"]] == ["2026-10-10T08:00:00+07:00"]
        assert day["days"][0] == "2026-10-01" and day["days"][-1] == "2026-10-10"
        assert (await stack.events.client.get(f"/campaigns/{CAMPAIGN_ID}/schedule?day=2026-10-09")).json()[
            "workshops"] == []
        assert (await stack.events.client.get(f"/campaigns/{CAMPAIGN_ID}/schedule?day=2026-10-11")).status_code == 422


async def test_participants_published_while_events_was_down_reach_it_when_it_returns(settings: Settings):
    async with registration_stack(settings) as stack:
        await make_workshop(stack, await make_room(stack))
    # events is stopped now; registration goes on alone
    clock = FixedClock(BEFORE_CAMPAIGN)
    async with serve_in_process(registration_app(settings, clock=clock)) as registration:
        r = await registration.client.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body())
        assert r.status_code == 201
    token = TEST_ISSUER.person("minh@example.vn")  # the person signs in; registration answers whom it holds
    async with serve_in_process(events_app(settings, clock=clock)) as events, \
            serve_in_process(registration_app(settings, clock=clock)):
        workshops = (await events.client.get(f"/campaigns/{CAMPAIGN_ID}/schedule?day=2026-10-10")).json()["workshops"]

        async def reserved():  # type: ignore[no-untyped-def]
            r = await events.client.post(f"/workshops/{workshops[0]['workshop_id']}/seats", headers=bearer(token))
            return r.json() if r.status_code == 201 else None

        seat = await eventually(reserved, timeout=45, what="participant caught up from the durable consumer")
        assert seat["status"] == "confirmed"


async def test_check_in_marks_attendance_once(settings: Settings):
    async with registration_stack(settings) as stack:
        w = await make_workshop(stack, await make_room(stack, seats=1))
        people = await make_participants(stack, 2)
        await await_known(stack, w["workshop_id"], people)
        seat = (await reserve(stack, w["workshop_id"], people[0][1])).json()
        waiting = (await reserve(stack, w["workshop_id"], people[1][1])).json()
        assert seat["checkin_token"] and waiting["checkin_token"] is None
        assert (await stack.events.client.post("/checkin", json={"token": seat["checkin_token"]},
                                               headers=bearer(people[0][1]))).status_code == 403
        first = await stack.events.client.post("/checkin", json={"token": seat["checkin_token"]}, headers=ORGANIZER)
        assert first.status_code == 200 and first.json()["attended"] == 1
        second = await stack.events.client.post("/checkin", json={"token": seat["checkin_token"]}, headers=ORGANIZER)
        assert second.status_code == 409
        assert second.json()["error"]["details"]["first_used_at"] == first.json()["checked_in_at"].replace("Z",
                                                                                                        "+00:00")
        # told in the campaign's time (the tests' clock: 09:00 on 20/09/2026 in Vietnam), not UTC
        assert second.json()["error"]["message"] == "Vé đã được dùng lúc 09:00:00, 20/09/2026"
        forged = seat["checkin_token"][:-3] + "abc"
        assert (await stack.events.client.post("/checkin", json={"token": forged},
                                               headers=ORGANIZER)).status_code == 422
        view = (await stack.events.client.get(f"/workshops/{w['workshop_id']}")).json()
        assert view["attended"] == 1


async def test_banner_placements_one_per_spot_and_planned_installed_removed(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        site = (await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/banner-sites", headers=ORGANIZER, json={
            "name": "Siêu thị Co.opmart Quảng Ngãi", "kind": "supermarket", "address": "242 Quang Trung",
            "spots": 2})).json()
        url = f"/campaigns/{CAMPAIGN_ID}/banner-placements"
        plan = {"site_id": site["id"], "spot": 1, "slogan": "Chuyển đổi số vì một cuộc sống tốt đẹp hơn",
                "first_day": "2026-10-01", "last_day": "2026-10-05", "by": "Đoàn Thanh niên tỉnh"}
        first = await stack.events.client.post(url, json=plan, headers=ORGANIZER)
        assert first.status_code == 201 and first.json()["status"] == "planned"
        clash = await stack.events.client.post(url, json={**plan, "first_day": "2026-10-05", "last_day": "2026-10-07"},
                                               headers=ORGANIZER)
        assert clash.status_code == 409 and clash.json()["error"]["code"] == "spot_taken"
        after = await stack.events.client.post(url, json={**plan, "first_day": "2026-10-06", "last_day": "2026-10-10"},
                                               headers=ORGANIZER)
        assert after.status_code == 201
        other_spot = await stack.events.client.post(url, json={**plan, "spot": 2}, headers=ORGANIZER)
        assert other_spot.status_code == 201
        assert (await stack.events.client.post(url, json={**plan, "spot": 3}, headers=ORGANIZER)).status_code == 422
        outside = await stack.events.client.post(url, json={**plan, "spot": 2, "last_day": "2026-10-12"},
                                                 headers=ORGANIZER)
        assert outside.status_code == 422
        pid = first.json()["id"]
        who = {"by": "Nguyễn Văn Hùng, Sở KH&CN"}
        installed = await stack.events.client.post(f"/banner-placements/{pid}/install", json=who, headers=ORGANIZER)
        assert installed.json()["status"] == "installed" and installed.json()["installed_by"] == who["by"]
        removed = await stack.events.client.post(f"/banner-placements/{pid}/remove", json=who, headers=ORGANIZER)
        assert removed.json()["status"] == "removed" and removed.json()["removed_at"]
        again = await stack.events.client.post(f"/banner-placements/{pid}/install", json=who, headers=ORGANIZER)
        assert again.status_code == 409
        by_status = (await stack.events.client.get(f"{url}?status=planned")).json()
        assert len(by_status) == 2
        found = Counter(m.subject for m in await stream_messages(nats.url, EVENTS.name))
        assert (found["events.banner_placement.planned"], found["events.banner_placement.installed"],
                found["events.banner_placement.removed"]) == (3, 1, 1)
        metrics = (await stack.events.client.get("/metrics")).text
        assert metric_value(metrics, "dxday_banner_placements", campaign=CAMPAIGN_ID, status="planned") == 2


async def test_erased_participant_gives_up_seats_and_leaves_no_data_here(settings: Settings):
    async with registration_stack(settings) as stack:
        w = await make_workshop(stack, await make_room(stack, seats=1))
        people = await make_participants(stack, 2)
        await await_known(stack, w["workshop_id"], people)
        await reserve(stack, w["workshop_id"], people[0][1])
        waiting = (await reserve(stack, w["workshop_id"], people[1][1])).json()
        erased = await stack.reg.delete(f"/participants/{people[0][0]}", headers=bearer(people[0][1]))
        assert erased.status_code == 204

        async def promoted() -> bool:
            r = await stack.events.client.get(f"/seats/{waiting['seat_id']}", headers=ORGANIZER)
            return r.json()["status"] == "confirmed"

        await eventually(promoted, timeout=45, what="the erased participant's seat passed on")
        runtime = stack.events.runtime
        from services.events.adapters.schedule_repository import ScheduleRepository

        async with runtime.sessionmaker() as session:
            assert await ScheduleRepository(session).participant(people[0][0]) is None


@pytest.mark.parametrize("body", [{"seats": 0, "name": "X"}, {"name": "", "seats": 5}, {"seats": 5}])
async def test_bad_room_input_is_a_422(settings: Settings, body: dict):
    async with registration_stack(settings) as stack:
        r = await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/rooms", json=body, headers=ORGANIZER)
        assert r.status_code == 422 and r.json()["error"]["fields"]


async def test_the_database_itself_refuses_a_seat_beyond_capacity_or_taken_twice(settings: Settings):
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from services.events.adapters.orm import seats as seats_table

    async with registration_stack(settings) as stack:
        w = await make_workshop(stack, await make_room(stack, seats=2))
        people = await make_participants(stack, 1)
        await await_known(stack, w["workshop_id"], people)
        seat = (await reserve(stack, w["workshop_id"], people[0][1])).json()
        base = {"workshop_id": w["workshop_id"], "campaign_id": CAMPAIGN_ID, "status": "confirmed",
                "created_at": BEFORE_CAMPAIGN, "updated_at": BEFORE_CAMPAIGN}
        for number, who in ((3, "beyond-capacity"), (seat["seat_number"], "same-seat")):
            with pytest.raises(IntegrityError):
                async with stack.events.runtime.sessionmaker() as s, s.begin():
                    await s.execute(sa.insert(seats_table).values(id=who, participant_id=who, seat_number=number,
                                                                  **base))
