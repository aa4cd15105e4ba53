"""People sign in: the identity service on a real nats-server, SQLite and PostgreSQL, with the
notifications service delivering sign-in links through a real SMTP server (aiosmtpd) and the HTTP
SMS gateway. Scopes follow the locality tree; tokens are verified with the published keys."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import Message
from typing import Any

import pytest

from launcher.accounts import administrator
from services.events.app import create_app as events_app
from services.identity.app import create_app as identity_app
from services.identity.application.sign_in import setup_sign_in_link
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from shared.contracts.identity import SIGNING_KEYS_RPC, Role
from shared.platform.clock import SystemClock
from shared.platform.config import Settings
from shared.platform.rpc import ask
from shared.platform.tokens import TokenVerifier
from tests.conftest import Databases
from tests.notification_support import Gateway, gateway_server, smtp_server
from tests.registration_support import business_body, participant_body, valid_tax_codes
from tests.support import TEST_ISSUER, eventually, serve_in_process

LINK = re.compile(r"/sign-in/([0-9a-f-]{36}\.[A-Za-z0-9_-]+)")
CODE = re.compile(r"\b([0-9]{6})\b")


def now_true(check):  # eventually() awaits its probe
    async def probe():
        return check()
    return probe


def text_of(mail: Message) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


async def admin_session(identity, settings: Settings) -> dict:
    """The national administrator, signed in with the one-time link ``dxday up`` prints."""
    name, email, role, scope, _lands_on = administrator(settings)
    link = await setup_sign_in_link(identity.app.state.deps.uow, SystemClock(), settings.base_url_of("identity"),
                                    name=name, email=email, role=role, scope=scope)
    r = await identity.client.post("/sessions", json={"link": link.rsplit("/sign-in/", 1)[1]})
    assert r.status_code == 201, r.text
    return r.json()


def bearer(session: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


@pytest.fixture
async def with_identity(settings: Settings, databases: Databases) -> Settings:
    return settings.model_copy(update={"identity_db_url": await databases.url("identity")})


async def test_invited_people_sign_in_from_the_email_and_act_only_in_their_own_subtree(
        with_identity: Settings, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    async with smtp_server() as (mailbox, port):
        settings = with_identity.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                    "smtp_starttls": False})
        async with serve_in_process(notifications_app(settings)), serve_in_process(identity_app(settings)) as identity:
            http = identity.client
            admin = await admin_session(identity, settings)
            assert admin["account"]["grants"][0]["scope"] == "VN"
            me = (await http.get("/accounts/me", headers=bearer(admin))).json()
            assert me["grants"] == [{"id": me["grants"][0]["id"], "role": "organizer", "scope": "VN",
                                     "scope_name": "Việt Nam"}]

            # the administrator invites the Quảng Ngãi province organizer: the email carries link and code
            r = await http.post("/accounts", headers=bearer(admin), json={
                "name": "Nguyễn Văn An", "email": "an@quangngai.gov.vn", "role": "organizer", "scope": "P51"})
            assert r.status_code == 201 and r.json()["new"] is True, r.text
            mails = await eventually(now_true(lambda: mailbox.to("an@quangngai.gov.vn")), what="the invitation email")
            mail = mails[0]
            body = text_of(mail)
            link, code = LINK.search(body).group(1), CODE.search(mail["Subject"]).group(1)
            assert code in body
            province = await http.post("/sessions", json={"link": link})
            assert province.status_code == 201, province.text
            again = await http.post("/sessions", json={"link": link})
            assert again.status_code == 401 and again.json()["error"]["code"] == "sign_in_refused"  # used once
            province = province.json()
            assert province["account"]["verified"] is True

            # the province organizer invites a commune organizer of Tịnh Khê; not one of Hà Nội
            commune_invite = await http.post("/accounts", headers=bearer(province), json={
                "name": "Trần Thị Bích", "email": "bich@tinhkhe.gov.vn", "role": "organizer", "scope": "W21211"})
            assert commune_invite.status_code == 201, commune_invite.text
            outside = await http.post("/accounts", headers=bearer(province), json={
                "name": "Người khác", "email": "x@hanoi.gov.vn", "role": "organizer", "scope": "W00004"})
            assert outside.status_code == 403 and outside.json()["error"]["code"] == "outside_your_scope"

            # the commune organizer signs in with the code instead of the link
            await eventually(now_true(lambda: mailbox.to("bich@tinhkhe.gov.vn")), what="the commune organizer's email")
            code = CODE.search(mailbox.to("bich@tinhkhe.gov.vn")[-1]["Subject"]).group(1)
            wrong = await http.post("/sessions", json={"contact": "BICH@tinhkhe.gov.vn", "code": "000000"
                                                       if code != "000000" else "111111"})
            assert wrong.status_code == 401
            commune = await http.post("/sessions", json={"contact": "BICH@tinhkhe.gov.vn", "code": code})
            assert commune.status_code == 201, commune.text
            commune = commune.json()
            staff = await http.post("/accounts", headers=bearer(commune), json={
                "name": "Lê Văn Cường", "phone": "0912 345 678", "role": "checkin_staff", "scope": "W21211"})
            assert staff.status_code == 201, staff.text
            sibling = await http.post("/accounts", headers=bearer(commune), json={
                "name": "Phạm Thị Dung", "email": "dung@x.vn", "role": "scheduler", "scope": "W21172"})
            assert sibling.status_code == 403
            above = await http.post("/accounts", headers=bearer(commune), json={
                "name": "Phạm Thị Dung", "email": "dung@x.vn", "role": "organizer", "scope": "P51"})
            assert above.status_code == 403
            listed = await http.get("/accounts", params={"scope": "P51"}, headers=bearer(province))
            assert {a["name"] for a in listed.json()["accounts"]} == {"Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường"}
            assert (await http.get("/accounts", params={"scope": "P51"}, headers=bearer(commune))).status_code == 403

            # villages below the commune, defined by its organizer
            village = await http.post("/localities/W21211/villages", headers=bearer(commune),
                                      json={"name": "Thôn An Lộc"})
            assert village.status_code == 201 and village.json()["code"] == "W21211/thon-an-loc"
            place = (await http.get("/localities/W21211")).json()
            assert place["name"] == "Xã Tịnh Khê" and place["children"][0]["name"] == "Thôn An Lộc"

            # signed out: the session's tokens are refused, the refresh too
            assert (await http.post("/sign-out", json={"session": commune["session"]})).status_code == 204
            assert (await http.get("/accounts/me", headers=bearer(commune))).status_code == 401
            assert (await http.post("/token", json={"session": commune["session"]})).status_code == 401
            # no sign-in code, link or contact in what the services log (the SMTP sink and this test's own
            # HTTP client log theirs)
            logged = "\n".join(r.getMessage() for r in caplog.records
                               if not r.name.startswith(("mail.log", "httpx", "httpcore")))
            assert code not in logged and "bich@tinhkhe.gov.vn" not in logged and link not in logged


async def test_the_code_arrives_by_sms_and_sign_in_requests_are_limited(with_identity: Settings):
    gateway = Gateway()
    async with gateway_server(gateway) as url:
        settings = with_identity.model_copy(update={"sms_gateway_url": f"{url}/sms", "sign_ins_per_hour": 3})
        async with serve_in_process(notifications_app(settings)), serve_in_process(identity_app(settings)) as identity:
            http = identity.client
            admin = await admin_session(identity, settings)
            r = await http.post("/accounts", headers=bearer(admin), json={
                "name": "Lê Văn Cường", "phone": "0912345678", "role": "checkin_staff", "scope": "W21211"})
            assert r.status_code == 201, r.text
            await eventually(now_true(lambda: gateway.sms), what="the invitation SMS")
            for _ in range(4):  # the invitation counted as the first
                answer = await http.post("/sign-in/requests", json={"contact": "+84 912 345 678"})
                assert answer.status_code == 202
            nobody = await http.post("/sign-in/requests", json={"contact": "nobody@example.vn"})
            assert nobody.status_code == 202 and nobody.json() == answer.json()  # nothing learnt by asking
            await eventually(now_true(lambda: len(gateway.sms) >= 3), what="three SMS")
            assert len(gateway.sms) == 3 and all(m["to"] == "+84912345678" for m in gateway.sms)
            code = CODE.search(gateway.sms[-1]["text"]).group(1)
            signed = await http.post("/sessions", json={"contact": "0912 345 678", "code": code})
            assert signed.status_code == 201, signed.text
            assert signed.json()["account"]["grants"][0]["role"] == Role.CHECKIN_STAFF.value


async def test_every_service_verifies_tokens_with_the_published_keys_and_rotation_keeps_old_tokens(
        with_identity: Settings, nats):
    import nats as nats_client

    async with serve_in_process(identity_app(with_identity)) as identity:
        admin = await admin_session(identity, with_identity)
        nc = await nats_client.connect(nats.url)
        try:
            async def published() -> list[dict]:
                return (await ask(nc, SIGNING_KEYS_RPC, {}))["keys"]

            issuer = with_identity.base_url_of("identity")
            verifier = TokenVerifier(published, {issuer})
            claims = await verifier.verify(admin["access_token"])
            assert claims is not None and claims.account_id == admin["account"]["id"]
            assert claims.grants == (("organizer", "VN"),)
            assert await TokenVerifier(published, {"https://elsewhere.example"}).verify(admin["access_token"]) is None
            tampered = admin["access_token"][:-4] + ("AAAA" if not admin["access_token"].endswith("AAAA") else "BBBB")
            assert await verifier.verify(tampered) is None
            assert await verifier.verify("not a token") is None

            async with identity.app.state.deps.uow() as uow:
                new_kid = await identity.app.state.signer.rotate(uow, SystemClock().now())
                await uow.commit()
            assert await verifier.verify(admin["access_token"]) is not None  # signed by the old key: still good
            fresh = (await identity.client.post("/token", json={"session": admin["session"]})).json()["access_token"]
            assert fresh.split(".")[0] != admin["access_token"].split(".")[0]
            import base64
            import json
            header = json.loads(base64.urlsafe_b64decode(fresh.split(".")[0] + "=="))
            assert header["kid"] == new_kid
            verifier._fetched_at = -1e9  # a new key id: the verifier asks again (at most every 10 s)
            assert await verifier.verify(fresh) is not None
            jwks = (await identity.client.get("/.well-known/jwks.json")).json()["keys"]
            assert {k["kid"] for k in jwks} >= {new_kid} and len(jwks) == 2

            verifier.session_ended(admin["session"].split(".")[0])  # what identity.session.ended tells
            assert await verifier.verify(fresh) is None
        finally:
            await nc.close()


@dataclass
class People:
    """A Quảng Ngãi campaign with every service running, a real SMTP server, the administrator signed in."""

    mailbox: Any
    settings: Settings
    identity: Any
    events: Any
    registration: Any
    admin: dict
    cid: str = "quang-ngai-2027"

    async def signed_in_as(self, contact: str) -> dict:
        """The person asks for a sign-in with ``contact`` and opens the link the SMTP server received."""
        assert (await self.identity.client.post("/sign-in/requests", json={"contact": contact})).status_code == 202
        links = await eventually(now_true(lambda: [m.group(1) for mail in self.mailbox.to(contact.lower())
                                                   if (m := LINK.search(text_of(mail)))]),
                                 what=f"a sign-in link to {contact}")
        r = await self.identity.client.post("/sessions", json={"link": links[-1]})
        assert r.status_code == 201, r.text
        return r.json()


@asynccontextmanager
async def people_of_a_campaign(with_identity: Settings) -> AsyncIterator[People]:
    async with smtp_server() as (mailbox, port):
        settings = with_identity.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                    "smtp_starttls": False})
        async with (serve_in_process(notifications_app(settings)), serve_in_process(identity_app(settings)) as identity,
                    serve_in_process(events_app(settings)) as events,
                    serve_in_process(registration_app(settings)) as registration):
            people = People(mailbox, settings, identity, events, registration, await admin_session(identity, settings))
            campaign = {"campaign_id": people.cid, "year": 2027, "theme": "Chuyển đổi số vì người dân",
                        "organizer": "Sở KH&CN Quảng Ngãi", "locality": "Tỉnh Quảng Ngãi", "locality_code": "P51"}
            created = await events.client.post("/campaigns", json=campaign, headers=bearer(people.admin))
            assert created.status_code == 201, created.text

            async def known() -> bool:
                return (await registration.client.get(f"/campaigns/{people.cid}")).status_code == 200

            await eventually(known, what="the campaign in the registration service")
            yield people


async def test_a_business_that_lost_everything_gets_back_in_with_its_email(with_identity: Settings):
    """No token kept, no link: the business asks for a sign-in with the email it registered (in another
    case), opens the link the SMTP server received, sees its application and cancels it; another
    person signed in the same way sees nothing of it."""
    async with people_of_a_campaign(with_identity) as people:
        admin, reg, cid = people.admin, people.registration.client, people.cid
        venue = {"name": "Quảng trường Phạm Văn Đồng", "address": "TP Quảng Ngãi",
                 "booths": [{"code": "A01", "days": ["2027-10-05"]}]}
        assert (await reg.post(f"/campaigns/{cid}/venues", json=venue, headers=bearer(admin))).status_code == 201
        registered = await reg.post(f"/campaigns/{cid}/businesses",
                                    json=business_body(valid_tax_codes(1)[0], email="lan@songtra.vn"))
        business_id = registered.json()["business"]["id"]
        # signed in on the day through the province's single sign-on with that email
        on_the_day = {"Authorization": f"Bearer {TEST_ISSUER.person('lan@songtra.vn')}"}
        applied = await reg.post(f"/businesses/{business_id}/applications", json={"days": ["2027-10-05"]},
                                 headers=on_the_day)
        assert applied.json()["status"] == "confirmed", applied.text
        # ... and that is lost. A second registration is refused, as before:
        again = await reg.post(f"/campaigns/{cid}/businesses",
                               json=business_body(valid_tax_codes(1)[0], email="lan@songtra.vn"))
        assert again.status_code == 409 and again.json()["error"]["details"]["sign_in_link_sent"] is True
        assert "lan@songtra.vn" not in again.text  # the claimant learns no contact ...
        assert "liên kết đăng nhập" in again.json()["error"]["message"]  # ... only that a link went to it

        signed_in_as = people.signed_in_as
        lan = await signed_in_as("Lan@SongTra.vn")
        assert lan["account"]["grants"] == []  # a person, not an official
        mine = await reg.get("/me", headers=bearer(lan))
        assert mine.status_code == 200, mine.text
        [business] = mine.json()["businesses"]
        assert business["id"] == business_id and business["applications"][0]["status"] == "confirmed"
        assert (await reg.get(f"/businesses/{business_id}", headers=bearer(lan))).status_code == 200
        cancelled = await reg.post(f"/applications/{applied.json()['application_id']}/cancel", headers=bearer(lan))
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text

        # the page: /my with the identity session cookie this browser would send to every service here
        page = await reg.get("/my", cookies={"dxday_session": lan["session"]})
        assert page.status_code == 200 and "Công ty TNHH Giải pháp Số Sông Trà" in page.text
        assert f"a-{applied.json()['application_id']}\" class=\"status-cancelled" in page.text
        assert (await reg.get("/my")).status_code == 303  # not signed in: to the identity sign-in page

        stranger = await signed_in_as("khac@example.vn")
        assert (await reg.get("/me", headers=bearer(stranger))).json() == {"businesses": [], "participants": []}
        assert (await reg.get(f"/businesses/{business_id}", headers=bearer(stranger))).status_code == 404
        assert (await reg.get("/me")).status_code == 401

        # the organizer moves the record to the stranger (the real owner): the old access ends
        moved = await reg.put(f"/businesses/{business_id}/contact", headers=bearer(admin), json={
            "contact_person": "Lê Khác", "email": "khac@example.vn", "phone": "0912 000 111"})
        assert moved.status_code == 200, moved.text
        assert (await reg.get(f"/businesses/{business_id}", headers=bearer(stranger))).status_code == 200
        assert (await reg.get(f"/businesses/{business_id}", headers=bearer(lan))).status_code == 404
        assert (await reg.get(f"/businesses/{business_id}", headers=on_the_day)).status_code == 404


async def test_a_participant_who_signs_up_again_gets_a_sign_in_link_not_a_second_record(with_identity: Settings):
    """One person per campaign and contact: the second sign-up with the same email (in other letters)
    makes no record; a sign-in link reaches that email (a real SMTP server), and signed in with it the
    person finds the one sign-up. Once erased, the contact may sign up afresh."""
    async with people_of_a_campaign(with_identity) as people:
        reg, url = people.registration.client, f"/campaigns/{people.cid}/participants"
        body = participant_body(name="Phạm Thị Hoa", email="hoa@example.vn", phone=None, channels=["email"])
        first = await reg.post(url, json=body)
        assert first.status_code == 201, first.text
        again = await reg.post(url, json={**body, "email": "Hoa@Example.VN", "name": "Hoa"})
        assert again.status_code == 409, again.text
        assert again.json()["error"]["code"] == "already_signed_up"
        assert again.json()["error"]["details"]["sign_in_link_sent"] is True
        hoa = await people.signed_in_as("hoa@example.vn")  # the link the 409 sent (and one more)
        [mine] = (await reg.get("/me", headers=bearer(hoa))).json()["participants"]
        assert mine["id"] == first.json()["participant"]["id"] and mine["name"] == "Phạm Thị Hoa"
        erased = await reg.delete(f"/participants/{mine['id']}", headers=bearer(hoa))
        assert erased.status_code == 204, erased.text
        afresh = await reg.post(url, json=body)
        assert afresh.status_code == 201 and afresh.json()["participant"]["id"] != mine["id"]


async def test_the_sign_up_page_sends_a_sign_in_link_and_my_page_stops_messages_and_erases(with_identity: Settings):
    """Nothing shown to keep: the sign-up page sends a sign-in link to the email given (a real SMTP
    server); opened, it lands on /my, where the person stops every message and then erases its data
    (ticked to confirm); a signed-in stranger can do neither to it."""
    async with people_of_a_campaign(with_identity) as people:
        reg, cid = people.registration.client, people.cid
        form = await reg.get(f"/join/{cid}")
        form_token = form.text.split('name="form_token" value="')[1].split('"')[0]
        joined = await reg.post(f"/join/{cid}", data={
            "form_token": form_token, "name": "Đỗ Văn Nam", "email": "nam@example.vn", "channels": "email",
            "purposes": ["service_notices", "reminders"]})
        assert joined.status_code == 201, joined.text
        assert "nam@example.vn" in joined.text and 'id="sign-in"' not in joined.text  # the link is on its way
        links = await eventually(now_true(lambda: [m.group(1) for mail in people.mailbox.to("nam@example.vn")
                                                   if (m := LINK.search(text_of(mail)))]), what="the sign-in link")
        opened = await people.identity.client.get(f"/sign-in/{links[0]}")
        assert opened.status_code == 200  # a page to confirm (mail scanners open links too)
        used = await people.identity.client.post(f"/sign-in/{links[0]}", data={
            "form_token": opened.text.split('name="form_token" value="')[1].split('"')[0]})
        assert used.status_code == 303 and used.headers["location"].endswith("/my"), used.text
        cookies = {"dxday_session": people.identity.client.cookies["dxday_session"]}
        page = await reg.get("/my", cookies=cookies)
        assert page.status_code == 200 and "Đỗ Văn Nam" in page.text
        [nam] = (await reg.get("/me", headers=bearer(await people.signed_in_as("nam@example.vn")))).json()[
            "participants"]
        page_token = page.text.split('name="form_token" value="')[1].split('"')[0]
        posted = {**cookies, "dxday_form": page_token}

        stranger = await people.signed_in_as("khac@example.vn")
        theirs = await reg.post(f"/my/participants/{nam['id']}/erase",
                                data={"form_token": page_token, "confirm": "yes"},
                                cookies={"dxday_session": stranger["session"], "dxday_form": page_token})
        assert theirs.status_code == 404  # not theirs: as if there were no such person
        stopped = await reg.post(f"/my/participants/{nam['id']}/opt-out", data={"form_token": page_token},
                                 cookies=posted)
        assert stopped.status_code == 303 and stopped.headers["location"].endswith("done=opt-out")
        after = await reg.get("/my", cookies=cookies)
        assert "Bạn không nhận tin nào từ chiến dịch" in after.text
        unconfirmed = await reg.post(f"/my/participants/{nam['id']}/erase", data={"form_token": page_token},
                                     cookies=posted)
        assert unconfirmed.status_code == 422 and "Hãy đánh dấu ô xác nhận" in unconfirmed.text
        erased = await reg.post(f"/my/participants/{nam['id']}/erase", data={"form_token": page_token,
                                                                             "confirm": "yes"}, cookies=posted)
        assert erased.status_code == 303 and erased.headers["location"].endswith("done=erase")
        assert (await reg.get(f"/participants/{nam['id']}", headers=bearer(people.admin))).status_code == 404
        gone = await reg.get("/my?done=erase", cookies=cookies)
        assert "Đỗ Văn Nam" not in gone.text and "Chưa có đăng ký nào" in gone.text


async def test_a_signed_in_participant_reserves_sees_and_gives_up_its_seats_without_a_token(
        with_identity: Settings):
    """"My seats": signed in with the email it signed up with (a link from a real SMTP server), a person
    reserves a seat at the events service with no token of its own, finds it at ``GET /me/seats`` and on
    the ``/my-seats`` page (QR code and check-in code), and gives it up there; a signed-in stranger holds
    nothing and sees nothing of it."""
    async with people_of_a_campaign(with_identity) as people:
        admin, settings = people.admin, people.settings
        ev, reg, cid = people.events.client, people.registration.client, people.cid
        room = (await ev.post(f"/campaigns/{cid}/rooms", json={"name": "Hội trường A", "seats": 30},
                              headers=bearer(admin))).json()
        workshop = (await ev.post(f"/campaigns/{cid}/workshops", headers=bearer(admin), json={
            "title": "Ký số cho hộ kinh doanh", "room_id": room["id"], "start": "2027-10-05T08:00:00+07:00",
            "end": "2027-10-05T10:00:00+07:00"})).json()
        signed_up = await reg.post(f"/campaigns/{cid}/participants", json=participant_body(
            name="Phạm Thị Hoa", email="hoa@example.vn", phone=None, channels=["email"]))
        pid = signed_up.json()["participant"]["id"]
        hoa, stranger = await people.signed_in_as("hoa@example.vn"), await people.signed_in_as("khac@example.vn")
        assert (await ev.get("/me/seats", headers=bearer(hoa))).json() == []

        async def reserved() -> bool:  # the sign-up reaches the events service as an event
            r = await ev.post(f"/workshops/{workshop['workshop_id']}/seats", headers=bearer(hoa))
            return r.status_code == 201 and r.json()["participant_id"] == pid
        await eventually(reserved, what="a seat reserved by the signed-in person")
        refused = await ev.post(f"/workshops/{workshop['workshop_id']}/seats", headers=bearer(stranger))
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"] == {"field": "participant_id"}
        [seat] = (await ev.get("/me/seats", headers=bearer(hoa))).json()
        assert seat["status"] == "confirmed" and seat["workshop"]["title"] == "Ký số cho hộ kinh doanh"
        assert (await ev.get(f"/seats/{seat['seat_id']}", headers=bearer(stranger))).status_code == 404
        assert (await ev.get("/me/seats", headers=bearer(stranger))).json() == []

        cookies = {"dxday_session": hoa["session"]}
        page = await ev.get("/my-seats", cookies=cookies)
        assert page.status_code == 200 and "Ký số cho hộ kinh doanh" in page.text
        assert seat["checkin_code"] in page.text and "svg" in page.text  # the QR code and the code to type
        form_token = page.text.split('name="form_token" value="')[1].split('"')[0]
        gone = await ev.post(f"/my-seats/{seat['seat_id']}/cancel", cookies={**cookies, "dxday_form": form_token},
                             data={"form_token": form_token})
        assert gone.status_code == 303, gone.text
        assert (await ev.get("/me/seats", headers=bearer(hoa))).json() == []
        signed_out = await ev.get("/my-seats")
        assert signed_out.status_code == 303 and signed_out.headers["location"].startswith(
            f"{settings.base_url_of('identity')}/sign-in?")


async def test_an_official_may_choose_a_password_and_sign_in_with_it(with_identity: Settings):
    """Optional, for officials: a password of 12 characters or more (not the contact), kept as an argon2id
    hash; signing in with it opens a session like a link does; five wrong tries shut it for 15 minutes
    (the right one is refused too meanwhile), and a removed password opens nothing."""
    import sqlalchemy as sa

    from shared.platform.db import create_engine

    async with serve_in_process(identity_app(with_identity)) as identity:
        http = identity.client
        admin = await admin_session(identity, with_identity)
        email = administrator(with_identity)[1]
        for weak in ("ngắn quá", email):
            r = await http.put("/accounts/me/password", headers=bearer(admin), json={"password": weak})
            assert r.status_code == 422 and r.json()["error"]["code"] == "weak_password", r.text
        chosen = "Ngày Chuyển đổi số 10/10"
        assert (await http.put("/accounts/me/password", headers=bearer(admin),
                               json={"password": chosen})).status_code == 204
        engine = create_engine(with_identity.db_url_of("identity"))
        try:
            async with engine.connect() as conn:
                [stored] = (await conn.execute(sa.text("SELECT hash FROM passwords"))).scalars().all()
        finally:
            await engine.dispose()
        assert stored.startswith("$argon2id$") and chosen not in stored

        signed = await http.post("/sessions", json={"contact": email.upper(), "password": chosen})
        assert signed.status_code == 201, signed.text
        assert (await http.get("/accounts/me", headers=bearer(signed.json()))).json()["email"] == email
        for _ in range(5):
            wrong = await http.post("/sessions", json={"contact": email, "password": chosen + "!"})
            assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "sign_in_refused"
        shut = await http.post("/sessions", json={"contact": email, "password": chosen})
        assert shut.status_code == 401  # shut for 15 minutes, whatever is typed
        nobody = await http.post("/sessions", json={"contact": "khong-co@dxday.test", "password": chosen})
        assert nobody.status_code == 401 and nobody.json()["error"] == shut.json()["error"]  # nothing is learnt
        assert (await http.delete("/accounts/me/password", headers=bearer(admin))).status_code == 204

        # the pages: an official sets one on /me, and signs in with it on /sign-in
        cookies = {"dxday_session": admin["session"]}
        me = await http.get("/me", cookies=cookies)
        form_token = me.text.split('name="form_token" value="')[1].split('"')[0]
        post = {**cookies, "dxday_form": form_token}
        short = await http.post("/me/password", cookies=post, data={"form_token": form_token, "password": "ngắn",
                                                                     "action": "set"})
        assert short.status_code == 422 and 'id="new-password-error"' in short.text
        saved = await http.post("/me/password", cookies=post, data={"form_token": form_token, "password": chosen,
                                                                     "action": "set"})
        assert saved.status_code == 200 and "Đã lưu mật khẩu." in saved.text
        page = await http.post("/sign-in/password", cookies={"dxday_form": form_token}, data={
            "form_token": form_token, "contact": email, "password": chosen, "next": "/me"})
        assert page.status_code == 303 and page.headers["location"] == "/me"
        assert "dxday_session=" in page.headers["set-cookie"]


async def test_an_api_key_acts_in_its_scope_only_shown_once_and_revoked_everywhere(with_identity: Settings):
    from tests.test_scopes import committed

    settings = with_identity
    async with serve_in_process(identity_app(settings)) as identity, serve_in_process(events_app(settings)) as events:
        link = await setup_sign_in_link(identity.app.state.deps.uow, SystemClock(), settings.base_url_of("identity"),
                                        name="Nguyễn Văn An", email="an@quangngai.gov.vn", role=Role.ORGANIZER,
                                        scope="P51")
        an = (await identity.client.post("/sessions", json={"link": link.rsplit("/", 1)[1]})).json()
        outside = await identity.client.post("/api-keys", headers=bearer(an), json={
            "name": "Cổng thông tin Hà Nội", "role": "organizer", "scope": "P01"})
        assert outside.status_code == 403, outside.text
        made = await identity.client.post("/api-keys", headers=bearer(an), json={
            "name": "Cổng thông tin xã Tịnh Khê", "role": "organizer", "scope": "W21211"})
        assert made.status_code == 201, made.text
        key, key_id = made.json()["key"], made.json()["id"]
        listed = await identity.client.get("/api-keys", headers=bearer(an))
        assert [k["id"] for k in listed.json()] == [key_id] and key.split(".", 1)[1] not in listed.text  # shown once
        assert (await identity.client.post("/token", json={"api_key": key + "x"})).status_code == 401

        token = (await identity.client.post("/token", json={"api_key": key})).json()["access_token"]
        as_key = {"Authorization": f"Bearer {token}"}
        mine = {"campaign_id": "tinh-khe-2027", "year": 2027, "theme": "Chuyển đổi số", "organizer": "UBND xã",
                "locality": "Xã Tịnh Khê", "locality_code": "W21211"}
        assert (await events.client.post("/campaigns", json=mine, headers=as_key)).status_code == 201
        province = {**mine, "campaign_id": "quang-ngai-2027", "locality_code": "P51"}
        assert (await events.client.post("/campaigns", json=province, headers=as_key)).status_code == 403
        [created] = await committed(settings, "events", "events.campaign.created")
        assert created["actor"] == {"kind": "account", "id": an["account"]["id"], "api_key": key_id}
        # a key's token is not a session: it cannot act at the identity service as its issuer
        assert (await identity.client.post("/api-keys", headers=as_key, json={
            "name": "Khóa khác", "role": "organizer", "scope": "W21211"})).status_code == 401

        assert (await identity.client.delete(f"/api-keys/{key_id}", headers=bearer(an))).status_code == 204
        assert (await identity.client.post("/token", json={"api_key": key})).status_code == 401
        room = {"name": "Nhà văn hoá", "seats": 20}

        async def refused() -> bool:
            r = await events.client.post("/campaigns/tinh-khe-2027/rooms", json=room, headers=as_key)
            assert r.status_code in (201, 409, 401), r.text
            return r.status_code == 401

        await eventually(refused, timeout=5, what="the revoked key's token refused by the events service")
