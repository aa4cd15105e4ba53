"""Registration service over real HTTP, real NATS, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import unicodedata
from collections import Counter

import nats
import pytest
import sqlalchemy as sa

from launcher.natsserver import NatsServer
from services.registration.adapters.orm import participants
from services.registration.app import create_app as registration_app
from shared.contracts.identity import contact_digest
from shared.contracts.streams import REGISTRATION
from shared.platform.config import Settings
from shared.platform.db import outbox_table
from tests.registration_support import (
    CAMPAIGN_ID,
    DAY,
    bearer,
    business_body,
    participant_body,
    registration_stack,
    valid_tax_codes,
)
from tests.support import ORGANIZER, TEST_ISSUER, eventually, metric_value, serve_in_process, stream_messages

TAX = valid_tax_codes(60)


async def subjects_in_stream(nats_url: str) -> Counter[str]:
    return Counter(m.subject for m in await stream_messages(nats_url, REGISTRATION.name))


BAD_BUSINESSES = [
    ("tax_code", {"tax_code": TAX[0][:-1] + str((int(TAX[0][-1]) + 1) % 10)}),  # wrong check digit
    ("tax_code", {"tax_code": "12345"}),
    ("phone", {"phone": "024 3825 3111"}),  # a landline, not a mobile
    ("phone", {"phone": "12"}),
    ("email", {"email": "lan-at-songtra"}),
    ("legal_name", {"legal_name": " "}),
    ("province", {"province": None}),
    ("status", {"status": "approved"}),  # mass assignment is refused
]


@pytest.mark.parametrize("field,change", BAD_BUSINESSES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_BUSINESSES)])
async def test_invalid_business_gets_422_naming_the_field_and_nothing_is_stored(
    settings: Settings, nats: NatsServer, field: str, change: dict
):
    async with registration_stack(settings) as stack:
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses", json={**business_body(TAX[0]), **change})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "validation_failed"
        assert [f["field"] for f in error["fields"]] == [field]
        assert error["fields"][0]["message"]
        listed = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses", headers=ORGANIZER)
        assert listed.json()["total"] == 0
        await asyncio.sleep(0.3)
        assert "registration.business.registered" not in await subjects_in_stream(nats.url)


async def test_business_is_normalised_registered_once_and_published_once(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        decomposed = unicodedata.normalize("NFD", "Công ty Cổ phần Đổi mới Sáng tạo")
        branch = TAX[1] + "001"
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses",
                                 json=business_body(branch, legal_name=decomposed, phone="+84 912-345-678"))
        assert r.status_code == 201, r.text
        business = r.json()["business"]
        assert business["tax_code"] == f"{TAX[1]}-001"
        assert business["phone"] == "+84912345678"
        assert business["legal_name"] == unicodedata.normalize("NFC", decomposed)
        assert set(r.json()) == {"business"}  # nothing to keep: whoever signs in with its email holds it

        again = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses", json=business_body(f"{TAX[1]}-001"))
        assert again.status_code == 409
        assert again.json()["error"]["details"]["existing_id"] == business["id"]

        household = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses",
                                         json=business_body("051 203 004 567"))
        assert household.status_code == 201  # household business: the owner's 12-digit personal id
        assert household.json()["business"]["tax_code"] == "051203004567"

        await eventually(lambda: _count(nats.url, "registration.business.registered", 2), what="2 events")
        messages = [m for m in await stream_messages(nats.url, REGISTRATION.name)
                    if m.subject == "registration.business.registered"]
        payload = json.loads(messages[0].data)["payload"]
        assert payload["business_id"] == business["id"] and payload["tax_code"] == f"{TAX[1]}-001"
        metrics = (await stack.reg.get("/metrics")).text
        assert metric_value(metrics, "dxday_registrations_total", kind="business", outcome="accepted") == 2
        assert metric_value(metrics, "dxday_registrations_total", kind="business", outcome="duplicate") == 1


async def _count(url: str, subject: str, n: int) -> bool:
    return (await subjects_in_stream(url))[subject] == n


async def test_unknown_campaign_is_404_and_a_retryable_503_while_events_cannot_say(settings: Settings):
    async with registration_stack(settings) as stack:
        r = await stack.reg.post("/campaigns/no-such-campaign/businesses", json=business_body(TAX[0]))
        assert r.status_code == 404 and r.json()["error"]["code"] == "campaign_not_found"  # events says so
    async with serve_in_process(registration_app(settings)) as alone:  # the events service is not running
        r = await alone.client.post("/campaigns/no-such-campaign/businesses", json=business_body(TAX[0]))
        assert r.status_code == 503 and r.headers["retry-after"]
        assert r.json()["error"]["code"] == "campaign_unknown"
        assert "retry" in r.json()["error"]["message_en"]


async def test_fifty_concurrent_applications_for_the_last_five_booths(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        await stack.define_venue([f"A{i:02d}" for i in range(1, 6)])
        firms = [await stack.register_business(code) for code in TAX[:50]]
        results = await asyncio.gather(*(stack.apply(bid, token) for bid, token in firms))
        assert all(r.status_code == 201 for r in results), [r.text for r in results if r.status_code != 201]
        statuses = Counter(r.json()["status"] for r in results)
        assert statuses == {"confirmed": 5, "waitlisted": 45}
        booths = [a["booth_code"] for r in results for a in r.json()["allocations"]]
        assert sorted(booths) == ["A01", "A02", "A03", "A04", "A05"]  # no booth twice
        listed = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/applications?status=waitlisted", headers=ORGANIZER)
        assert [a["waitlist_position"] for a in listed.json()] == list(range(1, 46))
        plan = (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/venues")).json()
        assert not any(d["free"] for b in plan[0]["booths"] for d in b["days"])
        metrics = (await stack.reg.get("/metrics")).text
        assert metric_value(metrics, "dxday_booth_occupancy_ratio", campaign=CAMPAIGN_ID) == 1.0
        assert metric_value(metrics, "dxday_booth_waitlist_length", campaign=CAMPAIGN_ID) == 45


async def test_cancel_promotes_the_first_waitlisted_and_both_events_are_published_once(
    settings: Settings, nats: NatsServer
):
    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01"])
        (a_id, a_tok), (b_id, b_tok), (c_id, c_tok) = [await stack.register_business(t) for t in TAX[:3]]
        first = (await stack.apply(a_id, a_tok)).json()
        second = (await stack.apply(b_id, b_tok)).json()
        third = (await stack.apply(c_id, c_tok)).json()
        assert [first["status"], second["status"], third["status"]] == ["confirmed", "waitlisted", "waitlisted"]
        assert (second["waitlist_position"], third["waitlist_position"]) == (1, 2)

        cancelled = await stack.reg.post(f"/applications/{first['application_id']}/cancel", headers=bearer(a_tok))
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        promoted = (await stack.reg.get(f"/applications/{second['application_id']}", headers=bearer(b_tok))).json()
        assert promoted["status"] == "confirmed"
        venue_id = promoted["allocations"][0]["venue_id"]
        assert promoted["allocations"] == [{"booth_code": "A01", "venue_id": venue_id, "day": DAY}]
        still = (await stack.reg.get(f"/applications/{third['application_id']}", headers=bearer(c_tok))).json()
        assert (still["status"], still["waitlist_position"]) == ("waitlisted", 1)

        again = await stack.reg.post(f"/applications/{first['application_id']}/cancel", headers=bearer(a_tok))
        assert again.status_code == 409 and again.json()["error"]["code"] == "transition_not_allowed"

        async def published() -> Counter[str]:
            found = await subjects_in_stream(nats.url)
            return found if found["registration.booth_application.promoted"] else Counter()

        found = await eventually(published, what="promotion published")
        assert found["registration.booth_application.cancelled"] == 1
        assert found["registration.booth_application.promoted"] == 1
        bodies = [json.loads(m.data) for m in await stream_messages(nats.url, REGISTRATION.name)]
        events = {b["type"]: b["payload"] for b in bodies}
        assert events["registration.booth_application.promoted"]["application_id"] == second["application_id"]


async def test_application_days_must_lie_in_the_campaign_window(settings: Settings):
    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01"], days=["2026-10-01", DAY])
        bid, tok = await stack.register_business(TAX[0])
        r = await stack.apply(bid, tok, days=["2026-09-30", DAY])
        assert r.status_code == 422
        assert r.json()["error"]["details"] == {"field": "days", "days": ["2026-09-30"]}
        closed = await stack.apply(bid, tok, days=["2026-10-05"])
        assert closed.status_code == 422 and closed.json()["error"]["code"] == "invalid_application"
        named = await stack.apply(bid, tok, booth_code="Z99")
        assert named.status_code == 422
        venue = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/venues", headers=ORGANIZER, json={
            "name": "Siêu thị Co.opmart", "address": "Quảng Ngãi",
            "booths": [{"code": "B01", "days": ["2026-10-11"]}]})
        assert venue.status_code == 422 and venue.json()["error"]["details"]["days"] == ["2026-10-11"]


async def test_idempotency_key_makes_a_retried_application_one_application(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01", "A02"])
        bid, tok = await stack.register_business(TAX[0])
        headers = {**bearer(tok), "Idempotency-Key": "form-42"}
        first = await stack.reg.post(f"/businesses/{bid}/applications", json={"days": [DAY]}, headers=headers)
        retry = await stack.reg.post(f"/businesses/{bid}/applications", json={"days": [DAY]}, headers=headers)
        assert first.json()["application_id"] == retry.json()["application_id"]
        assert len((await stack.reg.get(f"/businesses/{bid}/applications", headers=bearer(tok))).json()) == 1


async def test_approval_mode_tells_the_businesses_an_approval_made_impossible(settings: Settings, nats: NatsServer):
    async with registration_stack(settings, booth_confirmation="approval") as stack:
        await stack.define_venue(["A01"])
        (a_id, a_tok), (b_id, b_tok) = [await stack.register_business(t) for t in TAX[:2]]
        a = (await stack.apply(a_id, a_tok)).json()
        b = (await stack.apply(b_id, b_tok)).json()
        assert a["status"] == b["status"] == "pending"
        assert (await stack.reg.post(f"/applications/{a['application_id']}/approve",
                                     headers=bearer(a_tok))).status_code == 403
        approved = await stack.reg.post(f"/applications/{a['application_id']}/approve", headers=ORGANIZER)
        assert approved.json()["status"] == "confirmed"
        b_now = (await stack.reg.get(f"/applications/{b['application_id']}", headers=bearer(b_tok))).json()
        assert b_now["status"] == "waitlisted" and "approved" in b_now["reason"]

        async def told() -> list:
            msgs = await stream_messages(nats.url, REGISTRATION.name, "registration.booth_application.waitlisted")
            return [json.loads(m.data)["payload"] for m in msgs]

        waitlisted = await eventually(told, what="waitlisted event")
        assert [p["application_id"] for p in waitlisted] == [b["application_id"]]

        rejected = await stack.reg.post(f"/applications/{a['application_id']}/reject", headers=ORGANIZER,
                                        json={"reason": "Hồ sơ thiếu giấy phép"})
        assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "Hồ sơ thiếu giấy phép"
        b_final = (await stack.reg.get(f"/applications/{b['application_id']}", headers=bearer(b_tok))).json()
        assert b_final["status"] == "pending"  # the freed booth can serve it: back to the organizer to decide


async def test_tokens_only_open_their_own_records(settings: Settings):
    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01"])
        (a_id, a_tok), (b_id, b_tok) = [await stack.register_business(t) for t in TAX[:2]]
        app = (await stack.apply(a_id, a_tok)).json()
        assert (await stack.reg.get(f"/businesses/{a_id}", headers=bearer(b_tok))).status_code == 404
        assert (await stack.reg.put(f"/businesses/{a_id}/contact", headers=bearer(b_tok), json={
            "contact_person": "Kẻ lạ", "email": "x@y.vn", "phone": "0912345678"})).status_code == 404
        assert (await stack.reg.post(f"/businesses/{a_id}/applications", json={"days": [DAY]},
                                     headers=bearer(b_tok))).status_code == 404
        assert (await stack.reg.get(f"/applications/{app['application_id']}", headers=bearer(b_tok))).status_code == 404
        assert (await stack.reg.post(f"/applications/{app['application_id']}/cancel",
                                     headers=bearer(b_tok))).status_code == 404
        assert (await stack.reg.get(f"/businesses/{a_id}")).status_code == 401
        forged = f"business.{a_id}.not-the-secret"
        assert (await stack.reg.get(f"/businesses/{a_id}", headers=bearer(forged))).status_code == 401
        a_email = f"lienhe.{TAX[0]}@songtra.vn"  # the issuer does not say it checked this email: it proves nothing
        unproved = TEST_ISSUER.token("ke-la", email=a_email, email_verified=False)
        assert (await stack.reg.get(f"/businesses/{a_id}", headers=bearer(unproved))).status_code == 404
        claimed = TEST_ISSUER.token("ke-la", contacts=[contact_digest(a_email)])  # only the identity service's count
        assert (await stack.reg.get(f"/businesses/{a_id}", headers=bearer(claimed))).status_code == 404
        assert (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses", headers=bearer(a_tok))).status_code == 403
        assert (await stack.reg.get(f"/businesses/{a_id}", headers=bearer(a_tok))).status_code == 200
        assert (await stack.reg.get(f"/businesses/{a_id}", headers=ORGANIZER)).status_code == 200

        p1 = (await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body())).json()
        p2 = (await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                   json=participant_body(name="Lê Thị Hoa", email="hoa@example.vn",
                                                         phone="0912 000 222"))).json()
        p1_id, p2_id = p1["participant"]["id"], p2["participant"]["id"]
        p1_token = TEST_ISSUER.person("minh@example.vn")
        assert (await stack.reg.get(f"/participants/{p2_id}", headers=bearer(p1_token))).status_code == 404
        assert (await stack.reg.get(f"/participants/{p2_id}", headers=bearer(a_tok))).status_code == 404
        mine = await stack.reg.get(f"/participants/{p1_id}", headers=bearer(p1_token))
        assert mine.status_code == 200 and mine.json()["phone"] == "+84987654321"


async def test_participant_needs_explicit_consent_and_a_contact_for_each_channel(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        url = f"/campaigns/{CAMPAIGN_ID}/participants"
        refused = await stack.reg.post(url, json=participant_body(consent={"accepted": False,
                                                                            "purposes": ["reminders"]}))
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"][0]["field"] == "consent.accepted"
        no_purpose = await stack.reg.post(url, json=participant_body(consent={"accepted": True, "purposes": []}))
        assert no_purpose.status_code == 422
        no_phone = await stack.reg.post(url, json=participant_body(phone=None, channels=["sms"]))
        assert no_phone.status_code == 422
        assert (await stack.reg.post(url, json=participant_body(channels=["pigeon"]))).status_code == 422
        ok = await stack.reg.post(url, json=participant_body())
        assert ok.status_code == 201
        assert ok.json()["participant"]["consent_purposes"] == ["service_notices", "reminders"]
        await asyncio.sleep(0.3)
        assert (await subjects_in_stream(nats.url))["registration.participant.registered"] == 1


async def test_opt_out_and_erasure(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        created = (await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body())).json()
        pid, tok = created["participant"]["id"], TEST_ISSUER.person("minh@example.vn")
        out = await stack.reg.post(f"/participants/{pid}/opt-out", headers=bearer(tok))
        assert out.status_code == 200 and out.json()["opted_out_at"]
        erased = await stack.reg.delete(f"/participants/{pid}", headers=bearer(tok))
        assert erased.status_code == 204
        assert (await stack.reg.get(f"/participants/{pid}", headers=ORGANIZER)).status_code == 404
        async with stack.registration.runtime.sessionmaker() as s:
            row = (await s.execute(sa.select(participants).where(participants.c.id == pid))).mappings().one()
        assert (row["name"], row["email"], row["phone"], row["locality"]) == (None,) * 4
        assert row["erased_at"] is not None
        async with stack.registration.runtime.sessionmaker() as s:
            bodies = (await s.execute(sa.select(outbox_table.c.body))).scalars().all()
        assert not any(b"minh@example.vn" in b or b"+84987654321" in b for b in bodies)  # nor in the outbox

        async def erasure_event() -> list:
            return await stream_messages(nats.url, REGISTRATION.name, "registration.participant.erased")

        [message] = await eventually(erasure_event, what="erasure event")
        body = json.loads(message.data)
        assert body["payload"] == {"participant_id": pid, "campaign_id": CAMPAIGN_ID}
        assert "minh@example.vn" not in message.data.decode() and "+84987654321" not in message.data.decode()
        assert (await stack.reg.get(f"/participants/{pid}", headers=bearer(tok))).status_code == 404  # held no more


async def test_organizer_lists_filters_and_exports_businesses(settings: Settings):
    async with registration_stack(settings) as stack:
        await stack.register_business(TAX[0])
        await stack.register_business(TAX[1], province="Huế", legal_name="Hợp tác xã Nông nghiệp Số")
        page = (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses?province=Huế", headers=ORGANIZER)).json()
        assert page["total"] == 1 and page["items"][0]["legal_name"] == "Hợp tác xã Nông nghiệp Số"
        paged = (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses?limit=1&offset=1",
                                     headers=ORGANIZER)).json()
        assert paged["total"] == 2 and len(paged["items"]) == 1
        csv_response = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses.csv", headers=ORGANIZER)
        assert csv_response.headers["content-type"].startswith("text/csv")
        lines = csv_response.text.lstrip("\ufeff").splitlines()
        assert lines[0].startswith("id,campaign_id,legal_name,tax_code")
        assert len(lines) == 3 and "Hợp tác xã Nông nghiệp Số" in csv_response.text


async def test_commands_over_nats_request_reply(settings: Settings, nats: NatsServer):
    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01"])
        nc = await _nc(nats.url)
        try:
            async def call(command: str, args: dict, token: str | None = None) -> dict:
                body = {"args": args, **({"access_token": token} if token else {})}
                reply = await nc.request(f"rpc.registration.{command}", json.dumps(body).encode(), timeout=10)
                return json.loads(reply.data)

            bad = await call("business.register", {"campaign_id": CAMPAIGN_ID, **business_body("123")})
            assert bad["ok"] is False and bad["error"]["fields"][0]["field"] == "tax_code"
            good = await call("business.register", {"campaign_id": CAMPAIGN_ID, **business_body(TAX[0])})
            good_token = TEST_ISSUER.person("lan@songtra.vn")
            assert good["ok"] is True
            business_id = good["result"]["business"]["id"]
            other = await call("business.register", {"campaign_id": CAMPAIGN_ID,
                                                     **business_body(TAX[1], email="an@khac.vn")})
            assert other["ok"] is True
            stranger = await call("booth_application.submit", {"business_id": business_id, "days": [DAY]},
                                  TEST_ISSUER.person("an@khac.vn"))
            assert stranger["ok"] is False and stranger["error"]["code"] == "not_found"
            nobody = await call("booth_application.submit", {"business_id": business_id, "days": [DAY]})
            assert nobody["ok"] is False and nobody["error"]["code"] == "not_found"
            named = await nc.request("rpc.registration.booth_application.submit", json.dumps({
                "args": {"business_id": business_id, "days": [DAY]},
                "actor": {"kind": "business", "id": business_id}}).encode(), timeout=10)
            assert json.loads(named.data)["error"]["code"] == "validation_failed"  # the body never names its actor
            forged = await call("booth_application.submit", {"business_id": business_id, "days": [DAY]},
                                "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
            assert forged["ok"] is False and forged["error"]["code"] == "unauthorized"
            applied = await call("booth_application.submit", {"business_id": business_id, "days": [DAY]},
                                 good_token)
            assert applied["ok"] and applied["result"]["status"] == "confirmed"
            garbage = await nc.request("rpc.registration.booth_application.get", b"{nope", timeout=10)
            assert json.loads(garbage.data)["error"]["code"] == "validation_failed"
        finally:
            await nc.close()


async def _nc(url: str):  # type: ignore[no-untyped-def]
    return await nats.connect(url)


async def test_the_database_itself_refuses_a_second_holder_of_a_booth_day(settings: Settings):
    from sqlalchemy.exc import IntegrityError

    from services.registration.adapters.orm import booth_allocations

    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01", "A02"])
        (a_id, a_tok), (b_id, b_tok) = [await stack.register_business(t) for t in TAX[:2]]
        first = (await stack.apply(a_id, a_tok, booth_code="A01")).json()
        second = (await stack.apply(b_id, b_tok, booth_code="A02")).json()
        async with stack.registration.runtime.sessionmaker() as s:
            held = (await s.execute(sa.select(booth_allocations).where(
                booth_allocations.c.application_id == first["application_id"]))).mappings().one()
        with pytest.raises(IntegrityError):
            async with stack.registration.runtime.sessionmaker() as s, s.begin():
                await s.execute(sa.insert(booth_allocations).values(
                    booth_id=held["booth_id"], day=held["day"], application_id=second["application_id"],
                    campaign_id=CAMPAIGN_ID, slot=2, quantity=1).values(slot=1))


@pytest.mark.parametrize("slot,quantity", [(1, 1), (2, 1), (2, 2), (0, 1)],
                         ids=["slot-taken", "beyond-quantity", "quantity-not-its-own", "slot-zero"])
async def test_the_database_itself_refuses_more_booths_than_an_application_asked_for(
        settings: Settings, slot: int, quantity: int):
    from sqlalchemy.exc import IntegrityError

    from services.registration.adapters.orm import booth_allocations, booths

    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01", "A02"])
        business, token = await stack.register_business(TAX[0])
        app = (await stack.apply(business, token, booth_code="A01")).json()  # quantity 1, holds A01
        async with stack.registration.runtime.sessionmaker() as s:
            other = (await s.execute(sa.select(booths.c.id).where(booths.c.code == "A02"))).scalar_one()
        with pytest.raises(IntegrityError):  # a second booth that day for a one-booth application
            async with stack.registration.runtime.sessionmaker() as s, s.begin():
                await s.execute(sa.insert(booth_allocations).values(
                    booth_id=other, day=dt.date.fromisoformat(DAY), application_id=app["application_id"],
                    campaign_id=CAMPAIGN_ID, slot=slot, quantity=quantity))


async def test_in_an_approval_campaign_a_freed_booth_returns_the_next_waiting_to_the_organizer(settings: Settings):
    async with registration_stack(settings, booth_confirmation="approval") as stack:
        await stack.define_venue(["A01"])
        (b1, t1), (b2, t2) = [await stack.register_business(t) for t in TAX[:2]]
        a1 = (await stack.apply(b1, t1)).json()
        a2 = (await stack.apply(b2, t2)).json()
        assert (a1["status"], a2["status"]) == ("pending", "pending")
        approved = await stack.reg.post(f"/applications/{a1['application_id']}/approve", headers=ORGANIZER)
        assert approved.json()["status"] == "confirmed"
        second = (await stack.reg.get(f"/applications/{a2['application_id']}", headers=ORGANIZER)).json()
        assert second["status"] == "waitlisted"  # the only booth went to a1
        await stack.reg.post(f"/applications/{a1['application_id']}/cancel", headers=bearer(t1))
        second = (await stack.reg.get(f"/applications/{a2['application_id']}", headers=ORGANIZER)).json()
        assert second["status"] == "pending" and second["allocations"] == []  # not confirmed without approval
        approved = await stack.reg.post(f"/applications/{a2['application_id']}/approve", headers=ORGANIZER)
        assert approved.json()["status"] == "confirmed" and len(approved.json()["allocations"]) == 1
