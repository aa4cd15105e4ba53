"""Who may manage which campaign: accounts of the identity service, their access tokens verified by
the events, registration and notifications services with the published keys, each organizer route
allowed to the right role in the right place and refused (403 / 401, nothing changed) to the same
role in a sibling commune, another role, a signed-out caller, an expired token and another issuer's
token. Sign-out reaches the events service within 5 seconds. Real nats-server, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import nats as nats_client
import pytest
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import ECKey

from services.events.app import create_app as events_app
from services.identity.app import create_app as identity_app
from services.identity.application.sign_in import setup_sign_in_link
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from shared.contracts.identity import Role
from shared.platform.clock import SystemClock
from shared.platform.config import Settings
from shared.platform.db import create_engine, outbox_table
from tests.conftest import Databases
from tests.registration_support import business_body, participant_body, valid_tax_codes
from tests.support import TEST_ISSUER, eventually, participants_known, serve_in_process

TINH_KHE, SIBLING, HA_NOI_WARD = "W21211", "W21172", "W00004"
PEOPLE = {  # who: (role, scope)
    "province": (Role.ORGANIZER, "P51"),
    "commune": (Role.ORGANIZER, TINH_KHE),
    "sibling": (Role.ORGANIZER, SIBLING),
    "hanoi": (Role.ORGANIZER, "P01"),
    "scheduler": (Role.SCHEDULER, TINH_KHE),
    "reviewer": (Role.BOOTH_REVIEWER, TINH_KHE),
    "crew": (Role.BANNER_CREW, TINH_KHE),
    "door": (Role.CHECKIN_STAFF, TINH_KHE),
    "sibling_door": (Role.CHECKIN_STAFF, SIBLING),
}
CAMPAIGN = {"campaign_id": "tinh-khe-2027", "year": 2027, "theme": "Chuyển đổi số vì người dân",
            "organizer": "UBND xã Tịnh Khê", "locality": "Xã Tịnh Khê", "locality_code": TINH_KHE}


async def sign_in_everyone(identity: Any, settings: Settings) -> dict[str, dict[str, Any]]:
    sessions = {}
    for who, (role, scope) in PEOPLE.items():
        link = await setup_sign_in_link(identity.app.state.deps.uow, SystemClock(), settings.base_url_of("identity"),
                                        name=who, email=f"{who}@dxday.test", role=role, scope=scope)
        r = await identity.client.post("/sessions", json={"link": link.rsplit("/sign-in/", 1)[1]})
        assert r.status_code == 201, r.text
        sessions[who] = r.json()
    return sessions


async def committed(settings: Settings, service: str, subject: str) -> list[dict[str, Any]]:
    """The envelopes of this subject the service committed to its outbox, in order."""
    engine = create_engine(settings.db_url_of(service))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(outbox_table.c.body).where(outbox_table.c.subject == subject)
                                      .order_by(outbox_table.c.position))
            return [json.loads(body) for (body,) in rows]
    finally:
        await engine.dispose()


def as_(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


@dataclass
class Offices:
    """The four services in process, everyone of PEOPLE signed in, and the campaign made by the commune's
    organizer and known to the registration service."""
    identity: Any
    events: Any
    registration: Any
    notifications: Any
    people: dict[str, dict[str, Any]]


@asynccontextmanager
async def every_service(settings: Settings, campaign: dict[str, Any] = CAMPAIGN) -> AsyncIterator[Offices]:
    async with (serve_in_process(identity_app(settings)) as identity, serve_in_process(events_app(settings)) as events,
                serve_in_process(registration_app(settings)) as registration,
                serve_in_process(notifications_app(settings)) as notifications):
        people = await sign_in_everyone(identity, settings)
        created = await events.client.post("/campaigns", json=campaign, headers=as_(people["commune"]))
        assert created.status_code == 201, created.text

        async def known() -> bool:
            return (await registration.client.get(f"/campaigns/{campaign['campaign_id']}")).status_code == 200

        await eventually(known, what="the campaign in the registration service")
        yield Offices(identity, events, registration, notifications, people)


@pytest.fixture
async def with_identity(settings: Settings, databases: Databases) -> Settings:
    return settings.model_copy(update={"identity_db_url": await databases.url("identity")})


async def test_each_events_route_is_allowed_in_its_scope_and_refused_elsewhere(with_identity: Settings):
    settings = with_identity
    async with serve_in_process(identity_app(settings)) as identity, serve_in_process(events_app(settings)) as events:
        people = await sign_in_everyone(identity, settings)
        http = events.client

        async def refused(method: str, path: str, who: str | None, body: Any = None, status: int = 403) -> None:
            headers = as_(people[who]) if who else {}
            r = await http.request(method, path, json=body, headers=headers)
            assert r.status_code == status, (method, path, who, r.status_code, r.text)

        # a campaign of Xã Tịnh Khê: its organizer (or the province's) creates it; nobody beside it
        for who in ("sibling", "hanoi", "scheduler", "door"):
            await refused("POST", "/campaigns", who, CAMPAIGN)
        await refused("POST", "/campaigns", None, CAMPAIGN, 401)
        assert (await http.get(f"/campaigns/{CAMPAIGN['campaign_id']}")).status_code == 404  # nothing was made
        created = await http.post("/campaigns", json=CAMPAIGN, headers=as_(people["commune"]))
        assert created.status_code == 201, created.text
        unknown = await http.post("/campaigns", json={**CAMPAIGN, "campaign_id": "nowhere-2027",
                                                      "locality_code": "W99999"}, headers=as_(people["hanoi"]))
        assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "locality_not_found"
        cid = CAMPAIGN["campaign_id"]

        # rooms and workshops: the scheduler of the commune, its organizers; not the sibling, not the door
        room_body = {"name": "Nhà văn hoá xã", "seats": 40}
        for who in ("sibling", "hanoi", "door", "crew"):
            await refused("POST", f"/campaigns/{cid}/rooms", who, room_body)
        room = await http.post(f"/campaigns/{cid}/rooms", json=room_body, headers=as_(people["scheduler"]))
        assert room.status_code == 201, room.text
        workshop_body = {"room_id": room.json()["id"], "title": "Hướng dẫn cài VNeID", "kind": "training",
                         "start": "2027-10-05T08:00:00+07:00", "end": "2027-10-05T10:00:00+07:00", "capacity": 30}
        for who in ("sibling", "door"):
            await refused("POST", f"/campaigns/{cid}/workshops", who, workshop_body)
        workshop = await http.post(f"/campaigns/{cid}/workshops", json=workshop_body,
                                   headers=as_(people["province"]))  # the province reaches its communes
        assert workshop.status_code == 201, workshop.text
        wid = workshop.json()["workshop_id"]
        for who in ("sibling", "door", "crew"):
            await refused("PUT", f"/workshops/{wid}/capacity", who, {"capacity": 20})
        assert (await http.put(f"/workshops/{wid}/capacity", json={"capacity": 25},
                                 headers=as_(people["scheduler"]))).status_code == 200
        await refused("GET", f"/workshops/{wid}/seats", "sibling")
        assert (await http.get(f"/workshops/{wid}/seats", headers=as_(people["commune"]))).status_code == 200

        # banners: the organizer plans, the crew marks installed; the scheduler may not
        site = await http.post(f"/campaigns/{cid}/banner-sites", headers=as_(people["commune"]), json={
            "name": "Chợ Tịnh Khê", "kind": "other", "address": "Thôn An Lộc", "spots": 2})
        assert site.status_code == 201, site.text
        placement = await http.post(f"/campaigns/{cid}/banner-placements", headers=as_(people["commune"]), json={
            "site_id": site.json()["id"], "spot": 1, "slogan": "Chuyển đổi số vì người dân",
            "first_day": "2027-10-01", "last_day": "2027-10-10", "by": "Tổ treo băng rôn"})
        assert placement.status_code == 201, placement.text
        pid = placement.json()["id"]
        for who in ("scheduler", "sibling", "door"):
            await refused("POST", f"/banner-placements/{pid}/install", who, {"by": "Tổ khác"})
        installed = await http.post(f"/banner-placements/{pid}/install", json={"by": "Tổ treo băng rôn"},
                                    headers=as_(people["crew"]))
        assert installed.status_code == 200 and installed.json()["status"] == "installed", installed.text

        # a workshop move by another commune's organizer changes nothing
        await refused("POST", f"/workshops/{wid}/reschedule", "sibling",
                      {"start": "2027-10-06T08:00:00+07:00", "end": "2027-10-06T10:00:00+07:00"})
        after = (await http.get(f"/workshops/{wid}")).json()
        assert after["start"].startswith("2027-10-05") and after["capacity"] == 25
        await refused("POST", f"/workshops/{wid}/cancel", "door", {"reason": "Không đủ người"})
        assert (await http.get(f"/workshops/{wid}")).json()["status"] == "scheduled"


async def test_each_events_command_over_nats_is_allowed_in_its_scope_and_refused_elsewhere(with_identity: Settings):
    """The same scopes over request-reply (``rpc.events.*``): the caller is who the request's access
    token says; the sibling commune, another province, a wrong role, no token and a token that is not
    valid are refused, and the refusal changes nothing."""
    settings = with_identity
    async with serve_in_process(identity_app(settings)) as identity, serve_in_process(events_app(settings)) as events:
        people = await sign_in_everyone(identity, settings)
        nc = await nats_client.connect(settings.nats_url or "")
        try:
            async def ask(command: str, args: dict[str, Any], who: str | None, token: str | None = None
                          ) -> dict[str, Any]:
                token = token or (people[who]["access_token"] if who else None)
                body = {"args": args, **({"access_token": token} if token else {})}
                reply = await nc.request(f"rpc.events.{command}", json.dumps(body).encode(), timeout=10)
                return json.loads(reply.data)

            async def refused(command: str, args: dict[str, Any], who: str | None, code: str = "outside_your_scope",
                              token: str | None = None) -> None:
                answer = await ask(command, args, who, token)
                assert answer["ok"] is False and answer["error"]["code"] == code, (command, who, answer)

            cid = CAMPAIGN["campaign_id"]
            for who in ("sibling", "hanoi", "scheduler", "door", None):
                await refused("campaign.create", CAMPAIGN, who)
            await refused("campaign.create", CAMPAIGN, None, "unauthorized", token="eyJhbGciOi.not.atoken")
            assert (await events.client.get(f"/campaigns/{cid}")).status_code == 404  # nothing was made
            made = await ask("campaign.create", CAMPAIGN, "commune")
            assert made["ok"] is True and made["result"] == {"campaign_id": cid}, made

            room = await events.client.post(f"/campaigns/{cid}/rooms", json={"name": "Hội trường", "seats": 30},
                                             headers=as_(people["scheduler"]))
            assert room.status_code == 201, room.text
            workshop = {"campaign_id": cid, "room_id": room.json()["id"], "title": "Ký số cho hộ kinh doanh",
                        "kind": "training", "start": "2027-10-05T08:00:00+07:00", "end": "2027-10-05T10:00:00+07:00",
                        "capacity": 30}
            for who in ("sibling", "sibling_door", "hanoi", "door", "crew", None):
                await refused("workshop.schedule", workshop, who)
            assert (await events.client.get(f"/campaigns/{cid}/workshops")).json() == []
            scheduled = await ask("workshop.schedule", workshop, "scheduler")
            assert scheduled["ok"] is True, scheduled
            wid = scheduled["result"]["workshop_id"]

            moved = {"workshop_id": wid, "start": "2027-10-06T08:00:00+07:00", "end": "2027-10-06T10:00:00+07:00"}
            for who in ("sibling", "hanoi", "door", None):
                await refused("workshop.reschedule", moved, who)
                await refused("workshop.cancel", {"workshop_id": wid, "reason": "Mưa bão"}, who)
            still = (await events.client.get(f"/workshops/{wid}")).json()
            assert (still["start"][:10], still["status"]) == ("2027-10-05", "scheduled")  # nothing changed
            assert (await ask("workshop.reschedule", moved, "province"))["ok"] is True  # the place above
            assert (await ask("workshop.cancel", {"workshop_id": wid, "reason": "Mưa bão"}, "commune"))["ok"] is True
        finally:
            await nc.close()


async def test_expired_foreign_and_signed_out_tokens_are_refused_within_seconds(with_identity: Settings):
    settings = with_identity
    async with serve_in_process(identity_app(settings)) as identity, serve_in_process(events_app(settings)) as events:
        people = await sign_in_everyone(identity, settings)
        http = events.client
        ok = await http.post("/campaigns", json=CAMPAIGN, headers=as_(people["commune"]))
        assert ok.status_code == 201, ok.text
        room_body = {"name": "Hội trường", "seats": 10}
        cid = CAMPAIGN["campaign_id"]

        now = int(dt.datetime.now(dt.UTC).timestamp())
        claims = {"iss": settings.base_url_of("identity"), "sub": "x", "sid": "s", "iat": now - 600,
                  "exp": now - 300, "grants": [{"role": "organizer", "scope": "VN"}]}
        async with identity.app.state.deps.uow() as uow:
            expired = await identity.app.state.signer.access_token(uow, claims, dt.datetime.now(dt.UTC))
            await uow.commit()
        foreign_key = ECKey.generate_key("P-256", parameters={"kid": "elsewhere"})
        foreign = jwt.encode({"alg": "ES256", "kid": "elsewhere"}, {**claims, "exp": now + 300}, foreign_key)
        for token in (expired, foreign, "eyJhbGciOi.not.atoken"):
            r = await http.post(f"/campaigns/{cid}/rooms", json=room_body, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401, r.text

        # signed out at the identity service: the events service refuses the token within 5 s
        token = as_(people["scheduler"])
        assert (await http.post(f"/campaigns/{cid}/rooms", json=room_body, headers=token)).status_code == 201
        assert (await identity.client.post("/sign-out", json={"session": people["scheduler"]["session"]})
                ).status_code == 204

        async def refused_now() -> bool:  # the same room again: 409 while the token works, 401 once it is void
            r = await http.post(f"/campaigns/{cid}/rooms", json=room_body, headers=token)
            assert r.status_code in (401, 409), r.text
            return r.status_code == 401

        await eventually(refused_now, timeout=5, what="the signed-out token refused")
        rooms = (await http.get(f"/campaigns/{cid}/rooms")).json()
        assert [r["name"] for r in rooms] == ["Hội trường"]


async def test_a_removed_grant_and_a_sign_out_are_refused_by_every_service_within_seconds(with_identity: Settings):
    """What the identity service revokes (``identity.grant.revoked``, ``identity.session.ended``) reaches
    the events, registration and notifications services alike: each refuses the tokens concerned within
    5 s, however long they had left."""
    settings = with_identity
    async with every_service(settings) as offices:
        identity, events, registration, notifications = (offices.identity, offices.events, offices.registration,
                                                         offices.notifications)
        people, cid = offices.people, CAMPAIGN["campaign_id"]
        organizer_routes = ((events.client, f"/campaigns/{cid}/audit"),
                            (registration.client, f"/campaigns/{cid}/businesses"),
                            (notifications.client, f"/notifications?campaign={cid}"))

        async def statuses(who: str) -> list[int]:
            return [(await client.get(path, headers=as_(people[who]))).status_code for client, path in organizer_routes]

        assert await statuses("commune") == [200, 200, 200]
        assert await statuses("scheduler") == [403, 403, 403]  # signed in, in no organizer's role

        # the province organizer removes the commune organizer's grant; the token still has minutes left
        commune = people["commune"]["account"]
        grant = commune["grants"][0]["id"]
        removed = await identity.client.delete(f"/accounts/{commune['id']}/grants/{grant}",
                                               headers=as_(people["province"]))
        assert removed.status_code == 200, removed.text

        async def commune_refused() -> bool:
            found = await statuses("commune")
            assert set(found) <= {200, 401}, found
            return found == [401, 401, 401]

        await eventually(commune_refused, timeout=5, what="the removed grant's token refused by every service")

        # the scheduler signs out: its token is refused everywhere (401, no longer a 403 for the role)
        assert (await identity.client.post("/sign-out", json={"session": people["scheduler"]["session"]})
                ).status_code == 204

        async def scheduler_refused() -> bool:
            found = await statuses("scheduler")
            assert set(found) <= {403, 401}, found
            return found == [401, 401, 401]

        await eventually(scheduler_refused, timeout=5, what="the signed-out token refused by every service")
        assert await statuses("province") == [200, 200, 200]  # nobody else's


async def test_each_registration_and_notifications_route_is_allowed_in_its_scope_and_refused_elsewhere(
        with_identity: Settings):
    settings = with_identity
    async with every_service(settings, {**CAMPAIGN, "booth_confirmation": "approval"}) as offices:
        notifications, people, cid, reg = offices.notifications, offices.people, CAMPAIGN["campaign_id"], \
            offices.registration.client

        async def refused(client: Any, method: str, path: str, who: str | None, body: Any = None,
                          status: int = 403) -> None:
            r = await client.request(method, path, json=body, headers=as_(people[who]) if who else {})
            assert r.status_code == status, (method, path, who, r.status_code, r.text)

        # the exhibition venue: an organizer of the commune (or above); not a reviewer, not the sibling
        venue = {"name": "Nhà văn hoá xã Tịnh Khê", "address": "Thôn An Lộc",
                 "booths": [{"code": "A01", "days": ["2027-10-05"]}, {"code": "A02", "days": ["2027-10-05"]}]}
        for who in ("sibling", "hanoi", "reviewer", "door"):
            await refused(reg, "POST", f"/campaigns/{cid}/venues", who, venue)
        await refused(reg, "POST", f"/campaigns/{cid}/venues", None, venue, 401)
        assert (await reg.get(f"/campaigns/{cid}/venues")).json() == []  # nothing was made
        made = await reg.post(f"/campaigns/{cid}/venues", json=venue, headers=as_(people["province"]))
        assert made.status_code == 201, made.text

        # two businesses apply; the booth reviewer of the commune decides, nobody beside it
        tax = valid_tax_codes(2)
        apps = []
        for i, code in enumerate(tax):
            b = await reg.post(f"/campaigns/{cid}/businesses", json=business_body(code, email=f"b{i}@songtra.vn"))
            assert b.status_code == 201, b.text
            a = await reg.post(f"/businesses/{b.json()['business']['id']}/applications",
                               json={"days": ["2027-10-05"]},
                               headers={"Authorization": f"Bearer {TEST_ISSUER.person(f'b{i}@songtra.vn')}"})
            assert a.status_code == 201 and a.json()["status"] == "pending", a.text
            apps.append(a.json()["application_id"])
        for who in ("sibling", "door", "scheduler"):
            await refused(reg, "GET", f"/campaigns/{cid}/applications", who)
            await refused(reg, "POST", f"/applications/{apps[0]}/approve", who)
            await refused(reg, "POST", f"/applications/{apps[1]}/reject", who, {"reason": "Không phù hợp"})
        assert (await reg.get(f"/applications/{apps[0]}", headers=as_(people["sibling"]))).status_code == 404
        listed = await reg.get(f"/campaigns/{cid}/applications", headers=as_(people["reviewer"]))
        assert [a["status"] for a in listed.json()] == ["pending", "pending"]  # the refusals changed nothing
        approved = await reg.post(f"/applications/{apps[0]}/approve", headers=as_(people["reviewer"]))
        assert approved.status_code == 200 and approved.json()["status"] == "confirmed", approved.text
        rejected = await reg.post(f"/applications/{apps[1]}/reject", json={"reason": "Không phù hợp"},
                                  headers=as_(people["commune"]))
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected", rejected.text

        # the businesses' contact details: organizers of the place only (a reviewer decides, it does not export)
        for who in ("sibling", "hanoi", "reviewer", "door"):
            await refused(reg, "GET", f"/campaigns/{cid}/businesses", who)
            await refused(reg, "GET", f"/campaigns/{cid}/businesses.csv", who)
        assert (await reg.get(f"/campaigns/{cid}/businesses", headers=as_(people["commune"]))).json()["total"] == 2
        assert (await reg.get(f"/campaigns/{cid}/businesses.csv", headers=as_(people["province"]))).status_code == 200
        # seeing the contact details is itself recorded: who (the account), which list, how many rows
        viewed = await committed(settings, "registration", "registration.contacts.viewed")
        assert [(e["actor"], e["payload"]["listing"], e["payload"]["rows"]) for e in viewed] == [
            ({"kind": "account", "id": people["commune"]["account"]["id"]}, "businesses", 2),
            ({"kind": "account", "id": people["province"]["account"]["id"]}, "businesses.csv", 2)]
        business_id = listed.json()[0]["business_id"]
        assert (await reg.get(f"/businesses/{business_id}", headers=as_(people["sibling"]))).status_code == 404
        assert (await reg.get(f"/businesses/{business_id}", headers=as_(people["commune"]))).status_code == 200

        # the delivery log and announcements of the campaign: its organizers
        log = notifications.client

        async def noticed() -> list[dict[str, Any]]:
            r = await log.get(f"/notifications?campaign={cid}", headers=as_(people["commune"]))
            assert r.status_code == 200, r.text
            return r.json()

        notices = await eventually(noticed, what="the notices of the campaign")
        for who in ("sibling", "hanoi", "door"):
            await refused(log, "GET", f"/notifications?campaign={cid}", who)
            await refused(log, "POST", f"/notifications/{notices[0]['id']}/resend", who)
            await refused(log, "POST", f"/campaigns/{cid}/announcements", who,
                          {"title": "Mời tham quan", "text": "Khu trưng bày mở cửa"})
        await refused(log, "GET", "/notifications", "commune")  # every campaign's log: the national level
        await refused(log, "GET", f"/notifications?campaign={cid}", None, status=401)
        resent = await log.post(f"/notifications/{notices[0]['id']}/resend", headers=as_(people["commune"]))
        assert resent.status_code == 409  # allowed here; only a failed notice is sent again
        told = await log.post(f"/campaigns/{cid}/announcements", json={"title": "Mời tham quan",
                              "text": "Khu trưng bày mở cửa"}, headers=as_(people["province"]))
        assert told.status_code == 200, told.text


async def test_every_board_page_opens_in_its_scope_and_nowhere_else(with_identity: Settings):
    """The organizer pages of the three services, signed in with the identity session: the campaign's
    organizers (its commune and its province) open every one; the booth reviewer opens the booth board
    (the applications and the businesses' names, not their contact details), the check-in staff the
    door, the banner crew its round; the sibling commune, another province and the other roles get 403;
    signed out, the page leads to the sign-in."""
    settings = with_identity
    async with every_service(settings) as offices:
        events, registration, notifications = offices.events, offices.registration, offices.notifications
        people, cid = offices.people, CAMPAIGN["campaign_id"]
        venue = {"name": "Nhà văn hoá xã Tịnh Khê", "address": "Thôn An Lộc",
                 "booths": [{"code": "A01", "days": ["2027-10-05"]}]}
        assert (await registration.client.post(f"/campaigns/{cid}/venues", json=venue, headers=as_(people["commune"]))
                ).status_code == 201
        business = await registration.client.post(f"/campaigns/{cid}/businesses", json=business_body(
            valid_tax_codes(1)[0], email="lan@songtra.vn"))
        applied = await registration.client.post(
            f"/businesses/{business.json()['business']['id']}/applications", json={"days": ["2027-10-05"]},
            headers={"Authorization": f"Bearer {TEST_ISSUER.person('lan@songtra.vn')}"})
        assert applied.status_code == 201, applied.text
        board = f"/board/{cid}"
        pages = [(events, board), (events, f"{board}/workshops.csv"), (events, f"{board}/banner-placements.csv"),
                 (events, f"{board}/audit"), (events, f"{board}/audit.csv"),
                 (notifications, board), (notifications, f"{board}/notifications.csv"),
                 (registration, board), (registration, f"{board}/businesses.csv"),
                 (registration, f"{board}/businesses.xlsx"), (events, f"{board}/door"), (events, f"{board}/banners")]
        also = {(id(registration), board): "reviewer", (id(events), f"{board}/door"): "door",
                (id(events), f"{board}/banners"): "crew"}  # the one other role each page is for
        everyone = ("province", "commune", "sibling", "hanoi", "scheduler", "reviewer", "crew", "door")
        for service, path in pages:
            for who in everyone:
                r = await service.client.get(path, cookies={"dxday_session": people[who]["session"]})
                wanted = 200 if who in ("province", "commune") or also.get((id(service), path)) == who else 403
                assert r.status_code == wanted, (path, who, r.status_code, r.text[:300])
            signed_out = await service.client.get(path)
            assert signed_out.status_code == 303 and "/sign-in" in signed_out.headers["location"], path

        def page_of(who: str) -> Any:
            return registration.client.get(board, cookies={"dxday_session": people[who]["session"]})

        shown_to_reviewer, shown_to_organizer = (await page_of("reviewer")).text, (await page_of("commune")).text
        assert "Công ty TNHH Giải pháp Số Sông Trà" in shown_to_reviewer  # the name beside its application
        assert "lan@songtra.vn" not in shown_to_reviewer and "0912" not in shown_to_reviewer
        assert "businesses.csv" not in shown_to_reviewer and "businesses.csv" in shown_to_organizer


async def test_the_door_staff_check_seats_in_on_the_door_page_of_their_commune_only(with_identity: Settings):
    """The door page (events, signed in with the identity session): the commune's check-in staff type a
    ticket's code and the seat is checked in, once; a code that is no ticket is refused next to the field;
    the sibling commune's door staff and the scheduler cannot open it; a form from elsewhere is 403."""
    settings = with_identity
    async with every_service(settings) as offices:
        events, people, cid = offices.events, offices.people, CAMPAIGN["campaign_id"]
        room = await events.client.post(f"/campaigns/{cid}/rooms", json={"name": "Hội trường", "seats": 30},
                                        headers=as_(people["scheduler"]))
        workshop = await events.client.post(f"/campaigns/{cid}/workshops", headers=as_(people["scheduler"]), json={
            "room_id": room.json()["id"], "title": "Ký số cho hộ kinh doanh", "kind": "training",
            "start": "2027-10-05T08:00:00+07:00", "end": "2027-10-05T10:00:00+07:00", "capacity": 30})
        assert workshop.status_code == 201, workshop.text
        joined = await offices.registration.client.post(f"/campaigns/{cid}/participants", json=participant_body(
            email="hoa@example.vn", phone=None, channels=["email"]))
        assert joined.status_code == 201, joined.text
        await participants_known(events, [joined.json()["participant"]["id"]])
        seat = await events.client.post(f"/workshops/{workshop.json()['workshop_id']}/seats",
                                        headers={"Authorization": f"Bearer {TEST_ISSUER.person('hoa@example.vn')}"})
        assert seat.status_code == 201 and seat.json()["status"] == "confirmed", seat.text
        code = seat.json()["checkin_code"]

        door = f"/board/{cid}/door"
        staff = {"dxday_session": people["door"]["session"]}
        for who in ("sibling_door", "scheduler", "crew"):
            r = await events.client.get(door, cookies={"dxday_session": people[who]["session"]})
            assert r.status_code == 403, (who, r.status_code)
        assert (await events.client.get(door)).status_code == 303  # signed out: to the sign-in
        page = await events.client.get(f"{door}?lang=vi", cookies=staff)
        assert page.status_code == 200 and "Soát vé tại cửa" in page.text and 'id="code"' in page.text
        form_token = page.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
        staff_form = {**staff, "dxday_form": page.cookies.get("dxday_form") or form_token}  # the double submit

        async def post(code_typed: str, who_cookies: dict[str, str], token: str = form_token) -> Any:
            return await events.client.post(f"{door}?lang=vi", data={"form_token": token, "code": code_typed},
                                             cookies=who_cookies)

        assert (await post(code, staff_form, "guessed")).status_code == 403  # not this page's form: nothing done
        unknown = await post("ZZZZZ-ZZZZZ", staff_form)
        assert unknown.status_code == 422 and 'id="code-error"' in unknown.text, unknown.text  # no ticket's code
        done = await post(f" {code.lower()} ", staff_form)  # read out, typed in lower case with spaces
        assert done.status_code == 200, done.text
        assert "Đã soát vé: ghế số 1" in done.text and "Ký số cho hộ kinh doanh" in done.text, done.text
        again = await post(code, staff_form)
        assert again.status_code == 409 and 'id="code-error"' in again.text
        sibling = {"dxday_session": people["sibling_door"]["session"], "dxday_form": staff_form["dxday_form"]}
        assert (await post(code, sibling)).status_code == 403
        attended = (await events.client.get(f"/workshops/{workshop.json()['workshop_id']}")).json()["attended"]
        assert attended == 1


async def test_the_banner_crew_puts_up_and_takes_down_banners_on_its_round_page(with_identity: Settings):
    """The crew's round page (events, the identity session): the campaign's placements to put up, up and
    taken down; each step marked with who did it (the signed-in person's name unless they change it) and
    recorded as the API would; the check-in staff, the sibling commune and a form from elsewhere change
    nothing."""
    settings = with_identity
    async with every_service(settings) as offices:
        events, people, cid = offices.events, offices.people, CAMPAIGN["campaign_id"]
        site = await events.client.post(f"/campaigns/{cid}/banner-sites", headers=as_(people["commune"]), json={
            "name": "Chợ Tịnh Khê", "kind": "public_square", "address": "Thôn An Lộc", "spots": 2})
        assert site.status_code == 201, site.text
        planned = await events.client.post(f"/campaigns/{cid}/banner-placements", headers=as_(people["commune"]),
                                           json={"site_id": site.json()["id"], "spot": 1, "by": "UBND xã",
                                                 "slogan": "Chuyển đổi số vì người dân", "first_day": "2027-10-01",
                                                 "last_day": "2027-10-10"})
        assert planned.status_code == 201, planned.text
        pid = planned.json()["id"]
        round_page = f"/board/{cid}/banners"
        for who in ("door", "sibling", "scheduler"):
            r = await events.client.get(round_page, cookies={"dxday_session": people[who]["session"]})
            assert r.status_code == 403, (who, r.status_code)
        crew = {"dxday_session": people["crew"]["session"]}
        page = await events.client.get(f"{round_page}?lang=vi", cookies=crew)
        assert page.status_code == 200, page.text
        assert "Cần treo (1)" in page.text and "Chuyển đổi số vì người dân" in page.text
        assert 'name="by" value="crew"' in page.text  # the signed-in person's name, from the identity service
        token = page.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
        crew_form = {**crew, "dxday_form": page.cookies.get("dxday_form") or token}

        async def step(name: str, cookies: dict[str, str], by: str = "Tổ 2 — Lê Văn Dũng", form: str = token) -> Any:
            return await events.client.post(f"{round_page}/{pid}/{name}?lang=vi", data={"form_token": form, "by": by},
                                             cookies=cookies)

        assert (await step("install", crew_form, form="guessed")).status_code == 403
        door = {"dxday_session": people["door"]["session"], "dxday_form": crew_form["dxday_form"]}
        assert (await step("install", door)).status_code == 403
        nameless = await step("install", crew_form, by="")
        assert nameless.status_code == 422 and f'id="error-{pid}"' in nameless.text
        assert (await events.client.get(f"/campaigns/{cid}/banner-placements")).json()[0]["status"] == "planned"

        put_up = await step("install", crew_form)
        assert put_up.status_code == 303, put_up.text
        shown = await events.client.get(put_up.headers["location"], cookies=crew)
        assert "Đã ghi nhận: đã treo." in shown.text and "Người treo: Tổ 2 — Lê Văn Dũng" in shown.text
        assert (await step("install", crew_form)).status_code == 409  # up already: refused beside it
        assert (await step("remove", crew_form)).status_code == 303
        [placement] = (await events.client.get(f"/campaigns/{cid}/banner-placements")).json()
        assert (placement["status"], placement["installed_by"], placement["removed_by"]) == (
            "removed", "Tổ 2 — Lê Văn Dũng", "Tổ 2 — Lê Văn Dũng")
        [installed] = await committed(settings, "events", "events.banner_placement.installed")
        assert installed["actor"]["id"] == people["crew"]["account"]["id"]


async def test_a_signed_in_official_finds_its_campaigns_and_the_pages_of_its_roles(with_identity: Settings):
    """From /me (identity) to /board (events): the campaigns the official acts on, each with the pages
    of its roles there; the sibling commune's campaign is not among the commune organizer's, the
    province organizer sees both; an official with no role in any campaign is told so."""
    settings = with_identity
    async with every_service(settings) as offices:
        events, people, cid = offices.events, offices.people, CAMPAIGN["campaign_id"]
        sibling_campaign = {**CAMPAIGN, "campaign_id": "nghia-hanh-2027", "locality_code": SIBLING,
                            "locality": "Xã bên cạnh"}
        assert (await events.client.post("/campaigns", json=sibling_campaign, headers=as_(people["sibling"]))
                ).status_code == 201
        me = await offices.identity.client.get("/me?lang=vi", cookies={"dxday_session": people["door"]["session"]})
        assert me.status_code == 200 and f'href="{settings.base_url_of("events")}/board?lang=vi"' in me.text

        async def listed(who: str) -> str:
            r = await events.client.get("/board?lang=vi", cookies={"dxday_session": people[who]["session"]})
            assert r.status_code == 200, r.text
            return r.text

        def section(page: str, campaign_id: str) -> str:
            return page.split(f'id="c-{campaign_id}"', 1)[1].split("</li>", 1)[0] if f'id="c-{campaign_id}"' in page \
                else ""

        commune, province = await listed("commune"), await listed("province")
        assert section(commune, cid) and not section(commune, "nghia-hanh-2027")
        assert section(province, cid) and section(province, "nghia-hanh-2027")
        assert f"/board/{cid}/audit" in section(commune, cid) and f"/board/{cid}/door" in section(commune, cid)
        door = section(await listed("door"), cid)
        assert f"/board/{cid}/door" in door and f"/board/{cid}/audit" not in door and "/banners" not in door
        crew = section(await listed("crew"), cid)
        assert f"/board/{cid}/banners" in crew and "/door" not in crew
        reviewer = section(await listed("reviewer"), cid)
        assert f'{settings.base_url_of("registration")}/board/{cid}' in reviewer and "/door" not in reviewer
        assert "Bạn chưa có vai trò trong chiến dịch nào" in await listed("hanoi")
        assert (await events.client.get("/board")).status_code == 303  # signed out: to the sign-in


async def test_an_external_issuers_tokens_act_by_their_mapped_grants(with_identity: Settings):
    """A province's SSO, configured by issuer URL: its discovery document and keys served on loopback,
    its tokens accepted with grants from its ``dxday_grants`` claim; the wrong audience, another key
    and an expired token are refused."""
    from fastapi import FastAPI

    from tests.support import free_port

    key = ECKey.generate_key("P-256", parameters={"kid": "sso-1"})
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    sso = FastAPI()

    @sso.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, str]:
        return {"issuer": issuer, "jwks_uri": f"{issuer}/jwks"}

    @sso.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False)]}

    now = int(dt.datetime.now(dt.UTC).timestamp())

    def token(signer: ECKey = key, **over: Any) -> dict[str, str]:
        claims = {"iss": issuer, "sub": "can-bo-42", "aud": "dxday", "iat": now, "exp": now + 300,
                  "dxday_grants": ["organizer@W21211"], **over}
        return {"Authorization": f"Bearer {jwt.encode({'alg': 'ES256', 'kid': signer.kid}, claims, signer)}"}

    configured = with_identity.model_copy(update={"oidc_issuer": issuer})
    async with (serve_in_process(sso, port), serve_in_process(identity_app(configured)),  # the locality tree
                serve_in_process(events_app(configured)) as events):
        http = events.client
        assert (await http.post("/campaigns", json=CAMPAIGN, headers=token())).status_code == 201
        elsewhere = {**CAMPAIGN, "campaign_id": "nghia-hanh-2027", "locality_code": SIBLING}
        assert (await http.post("/campaigns", json=elsewhere, headers=token())).status_code == 403
        stranger = ECKey.generate_key("P-256", parameters={"kid": "sso-1"})
        for refused in (token(aud="other"), token(stranger), token(exp=now - 10),
                        token(iss="http://127.0.0.1:1")):
            r = await http.post("/campaigns", json=elsewhere, headers=refused)
            assert r.status_code == 401, r.text
        [created] = await committed(configured, "events", "events.campaign.created")
        assert created["actor"] == {"kind": "account", "id": "oidc:can-bo-42"}


async def test_the_campaigns_audit_trail_says_who_did_what_and_when_to_its_organizers_only(with_identity: Settings):
    """Every service's events of the campaign, read by the events service into one trail: the actor's
    account id on each line, seeing a list of contact details recorded among them; the API, the page
    and the CSV shown to the campaign's organizers (its place and above) and refused to anyone else."""
    from services.events.adapters.orm import audit_trail

    settings = with_identity
    async with every_service(settings) as offices:
        events, people, cid, reg = offices.events, offices.people, CAMPAIGN["campaign_id"], offices.registration.client
        room = await events.client.post(f"/campaigns/{cid}/rooms", json={"name": "Hội trường", "seats": 30},
                                        headers=as_(people["scheduler"]))
        workshop = await events.client.post(f"/campaigns/{cid}/workshops", headers=as_(people["scheduler"]), json={
            "room_id": room.json()["id"], "title": "Ký số cho hộ kinh doanh", "kind": "training",
            "start": "2027-10-05T08:00:00+07:00", "end": "2027-10-05T10:00:00+07:00", "capacity": 30})
        assert workshop.status_code == 201, workshop.text
        business = await reg.post(f"/campaigns/{cid}/businesses",
                                  json=business_body(valid_tax_codes(1)[0], email="lan@songtra.vn"))
        assert business.status_code == 201, business.text
        assert (await reg.get(f"/campaigns/{cid}/businesses", headers=as_(people["commune"]))).status_code == 200

        wanted = {"events.campaign.created", "events.workshop.scheduled", "registration.business.registered",
                  "registration.contacts.viewed"}

        async def trail() -> list[dict[str, Any]]:
            r = await events.client.get(f"/campaigns/{cid}/audit", headers=as_(people["province"]))
            assert r.status_code == 200, r.text
            lines = r.json()["lines"]
            return lines if wanted <= {line["event"] for line in lines} else []

        lines = await eventually(trail, what="every service's events in the campaign's trail")
        by_event = {line["event"]: line for line in lines}
        commune, scheduler = people["commune"]["account"]["id"], people["scheduler"]["account"]["id"]
        assert (by_event["events.campaign.created"]["actor_kind"], by_event["events.campaign.created"]["actor_id"]) \
            == ("account", commune)
        assert by_event["events.workshop.scheduled"]["actor_id"] == scheduler
        # officials by their names, asked of the identity service as the trail is read; businesses by id
        assert (by_event["events.campaign.created"]["actor_name"], by_event["events.workshop.scheduled"]["actor_name"]
                ) == ("commune", "scheduler")
        assert by_event["registration.business.registered"]["actor_name"] is None
        assert by_event["events.workshop.scheduled"]["about"] == workshop.json()["workshop_id"]
        assert by_event["registration.business.registered"]["actor_kind"] == "business"
        viewed = by_event["registration.contacts.viewed"]
        assert (viewed["actor_id"], viewed["about"]) == (commune, "businesses (1)")  # who saw which list, how long
        times = [line["occurred_at"] for line in lines]
        assert times == sorted(times, reverse=True) and all(t.endswith("+07:00") for t in times)  # the campaign's zone

        # a page at a time, back in time, each line once
        first = (await events.client.get(f"/campaigns/{cid}/audit?limit=2", headers=as_(people["commune"]))).json()
        assert len(first["lines"]) == 2 and first["older"]
        rest = (await events.client.get(f"/campaigns/{cid}/audit", params={"before": first["older"], "limit": 1000},
                                        headers=as_(people["commune"]))).json()
        assert [x["event_id"] for x in first["lines"] + rest["lines"]] == [x["event_id"] for x in lines]
        assert rest["older"] is None
        bad = await events.client.get(f"/campaigns/{cid}/audit?before=yesterday", headers=as_(people["commune"]))
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_cursor", bad.text

        # nobody beside the campaign's organizers: not the sibling commune, another province, another role
        for who in ("sibling", "hanoi", "scheduler", "reviewer", "door"):
            r = await events.client.get(f"/campaigns/{cid}/audit", headers=as_(people[who]))
            assert r.status_code == 403, (who, r.text)
        assert (await events.client.get(f"/campaigns/{cid}/audit")).status_code == 401
        assert (await events.client.get("/campaigns/nowhere/audit", headers=as_(people["province"]))).status_code == 404

        # the page and the CSV, signed in with the identity session
        page = events.client
        assert (await page.get(f"/board/{cid}/audit")).status_code == 303  # signed out: to the sign-in
        shown = await page.get(f"/board/{cid}/audit?lang=vi", cookies={"dxday_session": people["province"]["session"]})
        assert shown.status_code == 200, shown.text
        assert "Nhật ký hoạt động" in shown.text and "Tạo chiến dịch" in shown.text and commune in shown.text
        assert "Xem hoặc xuất danh sách thông tin liên hệ" in shown.text and "<strong>scheduler</strong>" in shown.text
        assert "lan@songtra.vn" not in shown.text and "Nguyễn Thị Lan" not in shown.text
        refused = await page.get(f"/board/{cid}/audit", cookies={"dxday_session": people["sibling"]["session"]})
        assert refused.status_code == 403
        csv_file = await page.get(f"/board/{cid}/audit.csv?lang=en",
                                  cookies={"dxday_session": people["commune"]["session"]})
        assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
        rows = csv_file.text.lstrip("\ufeff").splitlines()
        assert rows[0].split(",")[:6] == ["occurred_at", "event", "what", "actor_kind", "actor_id", "actor_name"]
        assert len(rows) == 1 + len(lines) and "Campaign created" in rows[1]  # the oldest first
        assert rows[1].split(",")[4:6] == [commune, "commune"]
        assert (await page.get(f"/board/{cid}/audit.csv", cookies={"dxday_session": people["door"]["session"]})
                ).status_code == 403

    # the trail holds ids only: no name, email or phone number is copied into it
    engine = create_engine(settings.db_url_of("events"))
    try:
        async with engine.connect() as conn:
            kept = str((await conn.execute(sa.select(audit_trail))).all())
    finally:
        await engine.dispose()
    assert "songtra" not in kept and "Lan" not in kept and "912345678" not in kept
    assert "scheduler@" not in kept and "'commune'" not in kept  # nor an official's name
