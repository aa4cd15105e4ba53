"""The pages in a real browser (headless Chromium from Debian's package, driven by Playwright) on a
phone-sized screen: a business applies for a booth, participants reserve the last seat and join the
waiting list, the organizer approves an application. Every page visited is saved as a screenshot
under var/test-output/browser/ and its form fields are checked for labels."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from shared.platform.config import Settings
from tests.registration_support import CAMPAIGN_ID, Stack, registration_stack, valid_tax_codes
from tests.support import ORGANIZER, eventually, qr_in

CHROMIUM = os.environ.get("DXDAY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("DXDAY_REQUIRE_BROWSER") == "1"
SHOTS = Path(os.environ.get("DXDAY_TEST_OUTPUT", "var/test-output")) / "browser"
PHONE = {"width": 390, "height": 844}

# Every visible form control must have a name a screen reader can read out.
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id || e.outerHTML.slice(0, 60))"""


def _browser_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium; or set DXDAY_CHROMIUM)"
    if REQUIRE_BROWSER:
        pytest.fail(f"DXDAY_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    _browser_or_skip()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()


async def new_phone(browser) -> object:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=PHONE, locale="vi-VN", device_scale_factor=1)
    return await context.new_page()


async def look(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshot for the run's output folder, and the accessibility check of the page's form."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert await page.evaluate(UNLABELLED) == [], f"unlabelled form fields on {name}"
    assert await page.evaluate("document.documentElement.lang") in ("vi", "en")


pytestmark = pytest.mark.browser


async def test_a_business_registers_applies_for_a_booth_and_sees_it_confirmed(settings: Settings, browser):
    async with registration_stack(settings) as stack:
        await stack.define_venue(["A01", "A02"])
        page = await new_phone(browser)
        await page.goto(f"{stack.registration.url}/exhibit/{CAMPAIGN_ID}")
        await look(page, "exhibit-register")

        tax_code = valid_tax_codes(1)[0]
        await page.get_by_label("Tên doanh nghiệp").fill("Công ty TNHH <Số> Sông Trà")
        await page.get_by_label("Mã số thuế").fill("123")  # wrong: the API's message shows next to the field
        await page.get_by_label("Tỉnh, thành phố").fill("Quảng Ngãi")
        await page.get_by_label("Lĩnh vực").fill("Phần mềm")
        await page.get_by_label("Người liên hệ").fill("Nguyễn Thị Lan")
        await page.get_by_label("Email").first.fill("lan@songtra.vn")
        await page.get_by_label("Số điện thoại di động").fill("0912 345 678")
        await page.get_by_role("button", name="Đăng ký doanh nghiệp").click()
        error = page.locator("#tax_code-error")
        assert "mã số thuế" in (await error.inner_text()).lower()
        assert await page.get_by_label("Tên doanh nghiệp").input_value() == "Công ty TNHH <Số> Sông Trà"
        await look(page, "exhibit-register-error")

        await page.get_by_label("Mã số thuế").fill(tax_code)
        await page.get_by_role("button", name="Đăng ký doanh nghiệp").click()
        assert "đăng nhập bằng lan@songtra.vn" in await page.locator("main").inner_text()  # nothing to keep
        await look(page, "exhibit-registered")

        await page.get_by_role("link", name="Chọn ngày và gian hàng").click()
        assert await page.locator("td.free").count() == 2  # the plan: both booths free on the day
        await page.get_by_label("10/10/2026").check()
        await page.get_by_label("Gian hàng cụ thể (không bắt buộc)").select_option("A02")
        await page.get_by_role("button", name="Gửi đăng ký").click()
        assert await page.get_by_role("status").inner_text() == "Đã nhận đăng ký của bạn."
        assert "Đã xác nhận" in await page.locator("ul.applications li").first.inner_text()
        assert "A02 (10/10)" in await page.locator("ul.applications li").first.inner_text()
        assert await page.locator("td.taken").count() == 1
        await look(page, "exhibit-booths")

        stored = (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/applications", headers=ORGANIZER)).json()
        assert [(a["status"], a["allocations"][0]["booth_code"]) for a in stored] == [("confirmed", "A02")]


async def test_participants_reserve_the_last_seat_and_the_next_one_waits(settings: Settings, databases, browser):
    """Two people sign up on their phones; each opens the sign-in link the sign-up sent (a real SMTP
    server), goes from "my registrations" to the schedule and reserves: the first gets the last seat and
    its QR code, which checks in; the second waits."""
    async with every_service(settings, databases) as (mailbox, settings, running):
        stack = Stack(running["events"], running["registration"])
        cid, day = "quang-ngai-2027", "2027-10-05"  # ahead: these services keep the real time
        events = stack.events.client
        assert (await events.post("/campaigns", headers=ORGANIZER, json={
            "campaign_id": cid, "year": 2027, "theme": "Chuyển đổi số vì người dân",
            "organizer": "Sở KH&CN", "locality": "Quảng Ngãi"})).status_code == 201
        room = (await events.post(f"/campaigns/{cid}/rooms", headers=ORGANIZER,
                                  json={"name": "Phòng họp nhỏ", "seats": 1})).json()
        workshop = (await events.post(f"/campaigns/{cid}/workshops", headers=ORGANIZER, json={
            "title": "Ký số cho hộ kinh doanh", "room_id": room["id"],
            "start": f"{day}T08:00:00+07:00", "end": f"{day}T10:00:00+07:00"})).json()

        async def known() -> bool:
            return (await stack.reg.get(f"/campaigns/{cid}")).status_code == 200

        await eventually(known, what="the campaign in the registration service")
        outcomes, qr_token = [], ""
        for who in ("Trần Văn Minh", "Lê Thị Hoa"):
            email = f"nguoi{len(outcomes)}@example.vn"
            page = await new_phone(browser)
            await page.goto(f"{stack.registration.url}/join/{cid}")
            await page.get_by_label("Họ và tên").fill(who)
            await page.get_by_label("Email").first.fill(email)
            await page.get_by_label("Email", exact=True).nth(1).check()
            await page.get_by_label("Thông báo về chỗ ngồi và thay đổi lịch (cần thiết)").check()  # nothing pre-ticked
            await page.get_by_role("button", name="Đăng ký").click()
            assert f"Liên kết đăng nhập đã được gửi tới {email}" in await page.locator("main").inner_text()
            await look(page, f"joined-{len(outcomes)}")

            async def link(email: str = email) -> str | None:
                found = [re.search(r"http://\S+/sign-in/\S+", m.get_body(preferencelist=("plain",)).get_content())
                         for m in mailbox.to(email)]
                return found[-1].group(0) if found and found[-1] else None

            await page.goto(await eventually(link, what="the sign-in email"))
            async with page.expect_navigation(url=re.compile(rf"{re.escape(stack.registration.url)}/my")):
                await page.get_by_role("button", name="Tiếp tục").click()
            assert who in await page.locator("main").inner_text()
            await page.get_by_role("link", name="Hội thảo và chỗ ngồi").click()
            await page.goto(f"{stack.events.url}/schedule/{cid}?day={day}")
            await look(page, f"schedule-{len(outcomes)}")
            await page.get_by_role("link", name="Đặt chỗ").click()
            await look(page, f"reserve-{len(outcomes)}")
            assert "Bạn đã đăng nhập trên trình duyệt này." in await page.locator("main").inner_text()

            async def reserved(p=page) -> str:  # type: ignore[no-untyped-def]
                await p.get_by_role("button", name="Đặt chỗ").click()  # the sign-up may be on its way still
                await p.wait_for_load_state()
                if not await p.locator("#seat-status").count():
                    raise AssertionError(await p.locator(".field-error").all_inner_texts())  # tried again
                return await p.locator("#seat-status").inner_text()

            outcomes.append(await eventually(reserved, what="seat reserved", interval=0.3))
            await look(page, f"reserved-{len(outcomes)}")
            if not qr_token:  # the confirmed seat: its QR code, read off the phone's screen, checks in
                await page.wait_for_load_state("networkidle")  # the stylesheet that sizes the code

                async def scanned(p=page) -> str:  # type: ignore[no-untyped-def]
                    return qr_in(await p.locator("svg.qr").screenshot())
                qr_token = await eventually(scanned, timeout=10, interval=0.5, what="the QR code read off the screen")
                code = await page.locator("#checkin-code").inner_text()
                await page.goto(f"{stack.events.url}/reserve/{workshop['workshop_id']}")  # their own page later
                assert await page.locator("#checkin-code").inner_text() == code

        assert outcomes == ["Đã xác nhận chỗ của bạn — ghế số 1",
                            "Hội thảo đã hết chỗ — bạn ở danh sách chờ, vị trí 1"]
        seats = (await events.get(f"/workshops/{workshop['workshop_id']}/seats", headers=ORGANIZER)).json()
        assert sorted(s["status"] for s in seats) == ["confirmed", "waitlisted"]
        checked = await events.post("/checkin", json={"token": qr_token}, headers=ORGANIZER)
        assert checked.status_code == 200 and checked.json()["seat_number"] == 1, checked.text


async def test_the_organizer_signs_in_and_approves_an_application(settings: Settings, browser):
    from services.identity.app import create_app as identity_app
    from tests.registration_support import one_time_link
    from tests.support import serve_in_process

    async with (registration_stack(settings, booth_confirmation="approval") as stack,
                serve_in_process(identity_app(settings)) as identity):
        await stack.define_venue(["B01"])
        business_id, token = await stack.register_business(valid_tax_codes(1)[0])
        applied = (await stack.apply(business_id, token)).json()
        assert applied["status"] == "pending"

        page = await new_phone(browser)
        await page.goto(f"{stack.registration.url}/board/{CAMPAIGN_ID}")
        assert "/board/sign-in" in page.url  # not signed in: the sign-in page first
        await look(page, "board-sign-in")
        account = page.get_by_role("link", name="Đăng nhập bằng tài khoản")
        public = settings.base_url_of("identity")  # the configured public address, served here on a free port
        assert (await account.get_attribute("href") or "").startswith(f"{public}/sign-in?")
        await page.goto((await one_time_link(identity, settings)).replace(public, identity.url))  # as printed
        await page.get_by_role("button", name="Tiếp tục").click()
        assert page.url.startswith(f"{identity.url}/me")
        await page.goto(f"{stack.registration.url}/board/{CAMPAIGN_ID}")
        assert page.url.endswith(f"/board/{CAMPAIGN_ID}")
        pending = page.locator(f"#a-{applied['application_id']}")
        assert "Công ty" in await pending.inner_text()
        await look(page, "board-registration")

        await pending.get_by_role("button", name="Duyệt").click()
        assert await page.get_by_role("status").inner_text() == "Đã duyệt hồ sơ."
        assert await page.locator(f"ul.board-confirmed #a-{applied['application_id']}").count() == 1
        await look(page, "board-approved")
        stored = (await stack.reg.get(f"/applications/{applied['application_id']}", headers=ORGANIZER)).json()
        assert stored["status"] == "confirmed"

        await page.goto(f"{stack.events.url}/board/{CAMPAIGN_ID}")  # the same sign-in serves the events board
        assert "Bảng điều hành — hội thảo và băng rôn" in await page.locator("h1").inner_text()
        await look(page, "board-events")
        csv = await page.request.get(f"{stack.registration.url}/board/{CAMPAIGN_ID}/businesses.csv")
        assert csv.ok and "text/csv" in csv.headers["content-type"]


async def test_an_invited_commune_organizer_signs_in_from_the_email_link(settings: Settings, databases, browser):
    """The administrator opens the printed one-time link, invites a commune organizer on the /me page;
    the invitation reaches a real SMTP server; its link, opened in Chromium, lands signed in."""
    from launcher.accounts import administrator
    from services.identity.app import create_app as identity_app
    from services.identity.application.sign_in import setup_sign_in_link
    from services.notifications.app import create_app as notifications_app
    from shared.platform.clock import SystemClock
    from tests.notification_support import smtp_server
    from tests.support import serve_in_process

    async with smtp_server() as (mailbox, port):
        settings = settings.model_copy(update={"identity_db_url": await databases.url("identity"),
                                               "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False})
        async with serve_in_process(notifications_app(settings)), serve_in_process(identity_app(settings)) as identity:
            name, email, role, scope, _lands_on = administrator(settings)
            first = await setup_sign_in_link(identity.app.state.deps.uow, SystemClock(), identity.url, name=name,
                                             email=email, role=role, scope=scope)
            page = await new_phone(browser)
            await page.goto(first)
            await look(page, "identity-link")
            await page.get_by_role("button", name="Tiếp tục").click()
            assert page.url.startswith(f"{identity.url}/me")
            assert await page.locator("#signed-in-as").inner_text() == "Quản trị viên quốc gia"
            assert "Việt Nam (VN)" in await page.locator("#grants").inner_text()
            await look(page, "identity-me")

            await page.get_by_label("Họ và tên").fill("Trần Thị Bích")
            await page.get_by_label("Email hoặc số điện thoại di động").fill("bich@tinhkhe.gov.vn")
            await page.get_by_label("Vai trò").select_option("organizer")
            await page.get_by_label("Địa bàn").select_option("P51")  # a province right below the country
            await page.get_by_role("button", name="Gửi lời mời").click()
            assert "Trần Thị Bích" in await page.locator("#invited").inner_text()

            async def invitation() -> str | None:
                mails = mailbox.to("bich@tinhkhe.gov.vn")
                return mails[0].get_body(preferencelist=("plain",)).get_content() if mails else None

            body = await eventually(invitation, what="the invitation email")
            link = re.search(r"http://\S+/sign-in/\S+", body).group(0)
            assert link.startswith(settings.base_url_of("identity"))  # the configured public address ...
            link = link.replace(settings.base_url_of("identity"), identity.url)  # ... served here on a free port
            other = await new_phone(browser)  # another person, another browser
            await other.goto(link)
            await other.get_by_role("button", name="Tiếp tục").click()
            assert await other.locator("#signed-in-as").inner_text() == "Trần Thị Bích"
            assert "Tỉnh Quảng Ngãi (P51)" in await other.locator("#grants").inner_text()
            await look(other, "identity-invited")
            await other.goto(link)  # a used link signs nobody in
            await other.get_by_role("button", name="Tiếp tục").click()
            assert "không còn hiệu lực" in await other.locator("main").inner_text()


@asynccontextmanager
async def every_service(settings: Settings, databases) -> AsyncIterator[tuple[Any, Settings, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """The four services on the free ports their public URLs name (the links in emails lead to them), and
    a real SMTP server: (mailbox, settings, the running services by name)."""
    from services.events.app import create_app as events_app
    from services.identity.app import create_app as identity_app
    from services.notifications.app import create_app as notifications_app
    from services.registration.app import create_app as registration_app
    from tests.notification_support import smtp_server
    from tests.support import free_port, serve_in_process

    ports = {name: free_port() for name in ("identity", "events", "registration", "notifications")}
    async with smtp_server() as (mailbox, smtp_port):
        settings = settings.model_copy(update={
            "identity_db_url": await databases.url("identity"), "smtp_host": "127.0.0.1", "smtp_port": smtp_port,
            "smtp_starttls": False,
            **{f"{name}_public_url": f"http://127.0.0.1:{port}" for name, port in ports.items()}})
        apps = {"notifications": notifications_app, "identity": identity_app, "events": events_app,
                "registration": registration_app}
        async with AsyncExitStack() as stack:
            running = {name: await stack.enter_async_context(serve_in_process(make(settings), ports[name]))
                       for name, make in apps.items()}
            yield mailbox, settings, running


async def test_a_commune_organizer_signs_in_at_the_board_and_manages_its_campaign_and_no_other(
        settings: Settings, databases, browser):
    """The board's sign-in sends the commune organizer to the identity service with the board as the
    way back; the email link (real SMTP) lands on the board signed in, where it approves its commune's
    application. The sibling commune's board refuses it."""
    from services.identity.application.sign_in import setup_sign_in_link
    from shared.contracts.identity import Role
    from shared.platform.clock import SystemClock
    from tests.registration_support import business_body

    async with every_service(settings, databases) as (mailbox, settings, running):
        identity, events, registration = running["identity"], running["events"], running["registration"]
        province = await setup_sign_in_link(identity.app.state.deps.uow, SystemClock(), identity.url,
                                            name="Sở KH&CN Quảng Ngãi", email="so@quangngai.gov.vn",
                                            role=Role.ORGANIZER, scope="P51")
        session = (await identity.client.post("/sessions", json={"link": province.rsplit("/", 1)[1]})).json()
        admin = {"Authorization": f"Bearer {session['access_token']}"}
        applications = {}
        for cid, place in (("tinh-khe-2027", "W21211"), ("nghia-hanh-2027", "W21172")):
            r = await events.client.post("/campaigns", headers=admin, json={
                "campaign_id": cid, "year": 2027, "theme": "Chuyển đổi số vì người dân", "organizer": "UBND xã",
                "locality": "Xã", "locality_code": place, "booth_confirmation": "approval"})
            assert r.status_code == 201, r.text

            async def known(cid: str = cid) -> bool:
                return (await registration.client.get(f"/campaigns/{cid}")).status_code == 200

            await eventually(known, what=f"{cid} in the registration service")
            venue = {"name": "Nhà văn hoá xã", "address": "Thôn 1",
                     "booths": [{"code": "A01", "days": ["2027-10-05"]}]}
            assert (await registration.client.post(f"/campaigns/{cid}/venues", json=venue, headers=admin)
                    ).status_code == 201
            b = (await registration.client.post(f"/campaigns/{cid}/businesses",
                                                json=business_body(valid_tax_codes(1)[0]))).json()
            a = await registration.client.post(f"/businesses/{b['business']['id']}/applications",
                                               json={"days": ["2027-10-05"]}, headers=admin)  # by the office
            applications[cid] = a.json()["application_id"]
        invited = await identity.client.post("/accounts", headers=admin, json={
            "name": "Trần Thị Bích", "email": "bich@tinhkhe.gov.vn", "role": "organizer", "scope": "W21211"})
        assert invited.status_code == 201, invited.text

        page = await new_phone(browser)
        await page.goto(f"{registration.url}/board/tinh-khe-2027")
        assert "/board/sign-in" in page.url
        await page.get_by_role("link", name="Đăng nhập bằng tài khoản của bạn").click()
        assert page.url.startswith(f"{identity.url}/sign-in")
        await look(page, "board-account-sign-in")
        await page.get_by_label("Email hoặc số điện thoại di động").fill("bich@tinhkhe.gov.vn")
        await page.get_by_role("button", name="Gửi liên kết đăng nhập cho tôi").click()

        async def board_link() -> str | None:
            links = [re.search(r"http://\S+/sign-in/\S+", m.get_body(preferencelist=("plain",)).get_content())
                     for m in mailbox.to("bich@tinhkhe.gov.vn")]
            return links[-1].group(0) if len(links) >= 2 else None  # the invitation, then this sign-in

        await page.goto(await eventually(board_link, what="the sign-in email"))
        async with page.expect_navigation(url=f"{registration.url}/board/tinh-khe-2027"):  # back on the board
            await page.get_by_role("button", name="Tiếp tục").click()
        pending = page.locator(f"#a-{applications['tinh-khe-2027']}")
        await pending.get_by_role("button", name="Duyệt").click()
        assert await page.get_by_role("status").inner_text() == "Đã duyệt hồ sơ."
        await look(page, "board-commune-approved")
        stored = await registration.client.get(f"/applications/{applications['tinh-khe-2027']}", headers=admin)
        assert stored.json()["status"] == "confirmed"

        response = await page.goto(f"{registration.url}/board/nghia-hanh-2027")  # the sibling commune's
        assert response.status == 403
        assert "Bạn không có quyền làm việc này tại đây" in await page.locator("main").inner_text()
        response = await page.goto(f"{events.url}/board/nghia-hanh-2027")
        assert response.status == 403
        response = await page.goto(f"{events.url}/board/tinh-khe-2027")  # its own: every part of the board
        assert response.status == 200
        await page.context.close()  # before the services stop: no connection of this browser left open


async def test_a_participant_signs_in_with_its_email_reserves_and_gives_up_its_seat_on_a_phone(
        settings: Settings, databases, browser):
    """No token to keep: on the workshop's page a signed-up person follows "Signed up already? Sign in",
    types its email, opens the link that reached a real SMTP server, lands back on the workshop signed
    in, reserves, finds the seat and its QR code on "My seats", and gives it up there."""
    from tests.registration_support import participant_body

    async with every_service(settings, databases) as (mailbox, settings, running):
        events, registration = running["events"], running["registration"]
        cid = "quang-ngai-2027"
        assert (await events.client.post("/campaigns", headers=ORGANIZER, json={
            "campaign_id": cid, "year": 2027, "theme": "Chuyển đổi số vì người dân", "organizer": "Sở KH&CN",
            "locality": "Quảng Ngãi"})).status_code == 201
        room = (await events.client.post(f"/campaigns/{cid}/rooms", headers=ORGANIZER,
                                         json={"name": "Hội trường A", "seats": 30})).json()
        workshop = (await events.client.post(f"/campaigns/{cid}/workshops", headers=ORGANIZER, json={
            "title": "Ký số cho hộ kinh doanh", "room_id": room["id"], "start": "2027-10-05T08:00:00+07:00",
            "end": "2027-10-05T10:00:00+07:00"})).json()

        async def known() -> bool:
            return (await registration.client.get(f"/campaigns/{cid}")).status_code == 200

        await eventually(known, what="the campaign in the registration service")
        signed_up = await registration.client.post(f"/campaigns/{cid}/participants", json=participant_body(
            name="Phạm Thị Hoa", email="hoa@example.vn", phone=None, channels=["email"]))
        assert signed_up.status_code == 201, signed_up.text

        page = await new_phone(browser)
        await page.goto(f"{events.url}/reserve/{workshop['workshop_id']}")
        await page.get_by_role("link", name="Đã đăng ký? Đăng nhập bằng email hoặc số di động của bạn").click()
        await page.get_by_label("Email hoặc số điện thoại di động").fill("hoa@example.vn")
        await page.get_by_role("button", name="Gửi liên kết đăng nhập cho tôi").click()

        async def link() -> str | None:
            found = [re.search(r"http://\S+/sign-in/\S+", m.get_body(preferencelist=("plain",)).get_content())
                     for m in mailbox.to("hoa@example.vn")]
            return found[-1].group(0) if found and found[-1] else None

        await page.goto(await eventually(link, what="the sign-in email"))
        async with page.expect_navigation(url=f"{events.url}/reserve/{workshop['workshop_id']}"):
            await page.get_by_role("button", name="Tiếp tục").click()
        assert "Bạn đã đăng nhập trên trình duyệt này." in await page.locator("main").inner_text()

        async def reserved() -> bool:  # the person's record may still be on its way to the events service
            await page.get_by_role("button", name="Đặt chỗ").click()
            return await page.locator("#seat-status").count() == 1
        await eventually(reserved, what="the seat reserved from the page")
        assert await page.locator("#seat-status").inner_text() == "Đã xác nhận chỗ của bạn — ghế số 1"

        await page.goto(f"{events.url}/my-seats")
        await look(page, "my-seats")
        mine = page.locator("ul.seats li")
        assert await mine.count() == 1 and "Ký số cho hộ kinh doanh" in await mine.inner_text()
        assert await mine.locator("svg.qr").count() == 1
        await mine.get_by_role("button", name="Trả lại chỗ này").click()
        gone = "Đã trả lại chỗ; người đầu tiên trong danh sách chờ sẽ nhận chỗ này."
        assert await page.get_by_role("status").inner_text() == gone
        assert await page.locator("ul.seats li").count() == 0
