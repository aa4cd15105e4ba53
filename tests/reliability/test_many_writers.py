"""Many writers: concurrent requests on two replicas of registration and events, on PostgreSQL.

Each test is one race seen on PostgreSQL when a use case read a row's status before taking the lock
that serialises the decision. What is counted is what the database holds and what the outbox will
publish (the same rows both replicas' relays read), never the number of 2xx answers.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable
from typing import Any

import pytest
import sqlalchemy as sa

from shared.platform.config import Settings
from shared.platform.db import create_engine, outbox_table
from tests.registration_support import CAMPAIGN_ID, DAY, bearer, business_body, participant_body, valid_tax_codes
from tests.replica_support import replicas
from tests.support import ORGANIZER, TEST_ISSUER

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
TAX = valid_tax_codes(80, start=20_000_000)


async def outbox_events(settings: Settings, service: str, subject: str) -> list[dict[str, Any]]:
    """Every event of this subject the service committed (what its relays publish), as payloads."""
    engine = create_engine(settings.db_url_of(service))
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(outbox_table.c.body).where(outbox_table.c.subject == subject)))
            return [json.loads(b)["payload"] for (b,) in rows]
    finally:
        await engine.dispose()


async def after(seconds: float, request: Awaitable[Any]) -> Any:
    """Send ``request`` (already built) a little later than the ones it races."""
    await asyncio.sleep(seconds)
    return await request


def statuses(answers: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in answers)


async def test_five_approvals_at_once_give_one_application_one_booth(postgres_settings: Settings):
    async with replicas(postgres_settings, booth_confirmation="approval") as rs:
        await rs.define_venue([f"A{i:02d}" for i in range(1, 7)])
        for round_ in range(4):
            business, token = await rs.register_business(TAX[round_])
            app = await rs.apply(business, token)
            answers = await asyncio.gather(*(rs.reg(i).post(f"/applications/{app['application_id']}/approve",
                                                            headers=ORGANIZER) for i in range(5)))
            assert statuses(answers)[500] == 0, [a.text for a in answers]
            assert sorted(statuses(answers).elements()) == [200, 409, 409, 409, 409], [a.text for a in answers]
            final = (await rs.reg().get(f"/applications/{app['application_id']}", headers=ORGANIZER)).json()
            assert final["status"] == "confirmed" and len(final["allocations"]) == 1
        confirmed = await outbox_events(postgres_settings, "registration", "registration.booth_application.confirmed")
        assert sorted(Counter(e["application_id"] for e in confirmed).values()) == [1, 1, 1, 1]


@pytest.mark.parametrize("closing", ["cancel", "reject"])
async def test_a_closed_application_never_comes_back_confirmed(postgres_settings: Settings, closing: str):
    async with replicas(postgres_settings, booth_confirmation="approval") as rs:
        await rs.define_venue(["A01", "A02"])
        for round_ in range(12):
            business, token = await rs.register_business(TAX[round_])
            app = await rs.apply(business, token)
            url = f"/applications/{app['application_id']}"
            close = rs.reg(0).post(f"{url}/{closing}", headers=ORGANIZER,
                                   json={"reason": "Không đúng lĩnh vực"} if closing == "reject" else None)
            approve = after(0.002 * (round_ % 5), rs.reg(1).post(f"{url}/approve", headers=ORGANIZER))
            closed, approved = await asyncio.gather(close, approve)
            # closing is allowed from every open state; an approval after it must be refused
            assert closed.status_code == 200 and approved.status_code in (200, 409), (closed.text, approved.text)
            final = (await rs.reg().get(url, headers=ORGANIZER)).json()
            assert final["status"] in ("cancelled", "rejected") and final["allocations"] == [], final
        confirmed = await outbox_events(postgres_settings, "registration", "registration.booth_application.confirmed")
        closed_events = await outbox_events(postgres_settings, "registration",
                                            {"cancel": "registration.booth_application.cancelled",
                                             "reject": "registration.booth_application.rejected"}[closing])
        assert len(closed_events) == 12 and len({e["application_id"] for e in confirmed}) == len(confirmed)


async def test_reservations_racing_a_cancellation_leave_no_seat_in_the_cancelled_workshop(
        postgres_settings: Settings):
    async with replicas(postgres_settings) as rs:
        room = await rs.room(40, "Hội trường")
        people = await rs.participants(30)
        for hour in (8, 10, 13):
            workshop = await rs.workshop(room, hour, capacity=20)
            cancel = after(0.01, rs.ev(1).post(f"/workshops/{workshop}/cancel", headers=ORGANIZER,
                                               json={"reason": "Mưa bão"}))
            answers = await asyncio.gather(cancel, *(rs.ev(i).post(f"/workshops/{workshop}/seats",
                                                                          headers=bearer(tok))
                                                           for i, (_, tok) in enumerate(people)))
            assert statuses(answers)[500] == 0 and answers[0].status_code == 200, answers[0].text
            seats = (await rs.ev().get(f"/workshops/{workshop}/seats", headers=ORGANIZER)).json()
            assert seats == [], f"seats left in a cancelled workshop: {seats}"
        # every seat confirmed before a cancellation is named in that cancellation, and nobody after
        confirmed = await outbox_events(postgres_settings, "events", "events.seat.confirmed")
        cancelled = await outbox_events(postgres_settings, "events", "events.workshop.cancelled")
        named = {(c["workshop_id"], h["participant_id"]) for c in cancelled for h in c["holders"]}
        assert {(s["workshop_id"], s["participant_id"]) for s in confirmed} <= named


async def test_reschedule_and_cancel_of_one_workshop_never_both_land(postgres_settings: Settings):
    async with replicas(postgres_settings) as rs:
        room = await rs.room(40, "Hội trường")
        for hour in (8, 10, 13, 15, 17):
            workshop = await rs.workshop(room, hour)
            cancel = rs.ev(0).post(f"/workshops/{workshop}/cancel", headers=ORGANIZER, json={"reason": "Hoãn"})
            move = rs.ev(1).post(f"/workshops/{workshop}/reschedule", headers=ORGANIZER, json={
                "start": f"2026-10-09T{hour:02d}:00:00+07:00", "end": f"2026-10-09T{hour:02d}:30:00+07:00"})
            answers = await asyncio.gather(cancel, move)
            assert answers[0].status_code == 200 and answers[1].status_code in (200, 409), [a.text for a in answers]
        moved = await outbox_events(postgres_settings, "events", "events.workshop.rescheduled")
        cancelled = await outbox_events(postgres_settings, "events", "events.workshop.cancelled")
        # a move that lands after the cancellation would be a change notice for a cancelled workshop
        engine = create_engine(postgres_settings.db_url_of("events"))
        try:
            async with engine.connect() as conn:
                order = {json.loads(b)["payload"]["workshop_id"] + ":" + s: p for p, s, b in (await conn.execute(
                    sa.select(outbox_table.c.position, outbox_table.c.subject, outbox_table.c.body)
                    .where(outbox_table.c.subject.like("events.workshop.%")))).all()}
        finally:
            await engine.dispose()
        for m in moved:
            assert order[m["workshop_id"] + ":events.workshop.rescheduled"] < \
                order[m["workshop_id"] + ":events.workshop.cancelled"]
        assert len(cancelled) == 5


async def test_five_cancellations_of_one_seat_are_one(postgres_settings: Settings):
    async with replicas(postgres_settings) as rs:
        workshop = await rs.workshop(await rs.room(10, "Phòng B"), 9)
        people = await rs.participants(4)
        seats = []
        for _, tok in people:
            r = await rs.ev().post(f"/workshops/{workshop}/seats", headers=bearer(tok))
            seats.append((r.json()["seat_id"], tok))
        for seat_id, tok in seats:
            answers = await asyncio.gather(*(rs.ev(i).post(f"/seats/{seat_id}/cancel", headers=bearer(tok))
                                             for i in range(5)))
            assert statuses(answers)[500] == 0, [a.text for a in answers]
        cancelled = await outbox_events(postgres_settings, "events", "events.seat.cancelled")
        assert sorted(Counter(e["seat_id"] for e in cancelled).values()) == [1, 1, 1, 1]


async def test_concurrent_retries_get_the_original_answer_never_a_500(postgres_settings: Settings):
    async with replicas(postgres_settings) as rs:
        await rs.define_venue(["A01", "A02", "A03"])
        business, token = await rs.register_business(TAX[0])
        key = {"Idempotency-Key": "retry-7f3a", **bearer(token)}
        answers = await asyncio.gather(*(rs.reg(i).post(f"/businesses/{business}/applications",
                                                        json={"days": [DAY]}, headers=key) for i in range(10)))
        assert statuses(answers) == {201: 10}, [a.text for a in answers if a.status_code != 201]
        assert len({a.json()["application_id"] for a in answers}) == 1

        same = await asyncio.gather(*(rs.reg(i).post(f"/campaigns/{CAMPAIGN_ID}/businesses",
                                                     json=business_body(TAX[1])) for i in range(10)))
        assert statuses(same) == {201: 1, 409: 9}, [a.text for a in same if a.status_code not in (201, 409)]
        assert {a.json()["error"]["code"] for a in same if a.status_code == 409} == {"business_exists"}

        room = await rs.room(40, "Hội trường")
        workshop = await rs.workshop(room, 8, capacity=10)
        people = await rs.participants(20)

        async def resize(i: int) -> Any:
            await asyncio.sleep(0.003 * i)
            return await rs.ev(i).put(f"/workshops/{workshop}/capacity", json={"capacity": 5 + (i % 3) * 5},
                                      headers=ORGANIZER)
        answers = await asyncio.gather(*(resize(i) for i in range(6)), *(
            rs.ev(i).post(f"/workshops/{workshop}/seats", headers=bearer(tok)) for i, (_, tok) in enumerate(people)))
        assert statuses(answers)[500] == 0, [a.text for a in answers if a.status_code >= 500]
        view = (await rs.ev().get(f"/workshops/{workshop}")).json()
        seats = (await rs.ev().get(f"/workshops/{workshop}/seats", headers=ORGANIZER)).json()
        numbers = [s["seat_number"] for s in seats if s["status"] == "confirmed"]
        assert len(numbers) == len(set(numbers)) == view["confirmed"] <= view["capacity"]
        assert all(1 <= n <= view["capacity"] for n in numbers)


async def test_a_sign_up_sent_again_with_its_key_is_one_record_with_the_first_reply(postgres_settings: Settings):
    async with replicas(postgres_settings) as rs:
        body = participant_body(name="Phạm Thị Hoa", email="hoa@example.vn", phone=None, channels=["email"])
        answers = await asyncio.gather(*(rs.reg(i).post(f"/campaigns/{CAMPAIGN_ID}/participants", json=body,
                                                        headers={"Idempotency-Key": "join-9c1e"}) for i in range(8)))
        assert statuses(answers) == {201: 8}, [a.text for a in answers]
        assert len({a.json()["participant"]["id"] for a in answers}) == 1
        token = TEST_ISSUER.person("hoa@example.vn")
        assert (await rs.reg().get(f"/participants/{answers[0].json()['participant']['id']}",
                                   headers=bearer(token))).status_code == 200
        other = await rs.reg().post(f"/campaigns/{CAMPAIGN_ID}/participants", headers={"Idempotency-Key": "join-9c1e"},
                                    json={**body, "name": "Người khác"})
        assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
        signed = await outbox_events(postgres_settings, "registration", "registration.participant.registered")
        assert len(signed) == 1

        firm = await asyncio.gather(*(rs.reg(i).post(f"/campaigns/{CAMPAIGN_ID}/businesses", json=business_body(TAX[5]),
                                                     headers={"Idempotency-Key": "firm-1"}) for i in range(6)))
        assert statuses(firm) == {201: 6} and len({f.json()["business"]["id"] for f in firm}) == 1
        again = await rs.reg().post(f"/campaigns/{CAMPAIGN_ID}/businesses", json=business_body(TAX[5]))
        assert again.status_code == 409  # without the key it is a second registration of the tax code



async def test_six_sign_ups_of_one_person_at_once_on_two_replicas_are_one_participant(postgres_settings: Settings):
    """One person per campaign and contact: the same email typed six times at once (no Idempotency-Key,
    the same mobile on two of them with another email) makes one record; the others are told they
    signed up already; a person with another contact still signs up."""
    async with replicas(postgres_settings) as rs:
        url = f"/campaigns/{CAMPAIGN_ID}/participants"
        bodies = [participant_body(name="Phạm Thị Hoa", email="hoa@example.vn", phone=None, channels=["email"])] * 4
        bodies += [participant_body(name="Phạm Thị Hoa", email=f"hoa.{i}@example.vn", phone="0912 345 678")
                   for i in range(2)]
        answers = await asyncio.gather(*(rs.reg(i).post(url, json=b) for i, b in enumerate(bodies)))
        assert sorted(statuses(answers).elements()) == [201, 201, 409, 409, 409, 409], [a.text for a in answers]
        assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"already_signed_up"}
        signed = await outbox_events(postgres_settings, "registration", "registration.participant.registered")
        assert len(signed) == 2  # one by the email, one by the mobile: never a second record of either
        other = await rs.reg().post(url, json=participant_body(email="khac@example.vn", phone=None,
                                                               channels=["email"]))
        assert other.status_code == 201, other.text


async def test_five_unsubscribes_at_once_are_one_change(postgres_settings: Settings):
    from services.registration.app import unsubscribe_key
    from services.registration.application.context import Deps
    from services.registration.application.participants import unsubscribe_token

    async with replicas(postgres_settings) as rs:
        r = await rs.reg().post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
            email="lan@example.vn", phone=None, channels=["email"],
            consent={"accepted": True, "purposes": ["service_notices", "promotions"]}))
        pid = r.json()["participant"]["id"]
        deps = Deps(uow=None, clock=None, metrics=None, unsubscribe_key=unsubscribe_key(postgres_settings))  # type: ignore[arg-type]
        path = f"/unsubscribe/{unsubscribe_token(deps, pid)}"
        answers = await asyncio.gather(*(rs.reg(i).post(path) for i in range(5)))
        assert statuses(answers) == {200: 5}, [a.text for a in answers]
        updated = [e for e in await outbox_events(postgres_settings, "registration", "registration.participant.updated")
                   if e["participant_id"] == pid]
        assert len(updated) == 1 and updated[0]["consent_purposes"] == ["service_notices"]


async def test_first_sign_ins_of_one_contact_at_once_make_one_account_and_keep_the_hourly_limit(
        postgres_settings: Settings, postgres_databases):
    """Twelve sign-in requests for a contact nobody invited, at once, across two identity replicas on
    PostgreSQL: one account is made for it, and no more challenges than the hourly limit."""
    from services.identity.app import create_app as identity_app
    from services.notifications.app import create_app as notifications_app
    from tests.support import serve_in_process

    settings = postgres_settings.model_copy(update={"identity_db_url": await postgres_databases.url("identity"),
                                                    "sign_ins_per_hour": 5})
    async with (serve_in_process(notifications_app(settings)), serve_in_process(identity_app(settings)) as one,
                serve_in_process(identity_app(settings)) as two):
        answers = await asyncio.gather(*[
            (one if i % 2 else two).client.post("/sign-in/requests", json={"contact": "Lan@SongTra.vn"})
            for i in range(12)])
        assert statuses(answers) == Counter({202: 12}), [a.text for a in answers if a.status_code != 202]
        engine = create_engine(settings.identity_db_url)
        try:
            async with engine.connect() as conn:
                accounts = (await conn.execute(sa.text(
                    "SELECT id FROM accounts WHERE email = 'lan@songtra.vn'"))).scalars().all()
                challenges = (await conn.execute(sa.text(
                    "SELECT count(*) FROM sign_in_challenges"))).scalar_one()
        finally:
            await engine.dispose()
        assert len(accounts) == 1
        assert challenges == 5
