"""Public pages over real HTTP: the schedule of a campaign, in Vietnamese first and in English."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import httpx

from shared.platform.config import Settings
from tests.registration_support import CAMPAIGN_ID, board_session, business_body, registration_stack, valid_tax_codes
from tests.support import ORGANIZER, TEST_ISSUER


class Page(HTMLParser):
    """Collects links, the current day tab and the text of a page, as a reader would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.current: list[str] = []
        self.text: list[str] = []
        self._in_current = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
            self._in_current = found.get("aria-current") == "page"

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_current = False

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())
            if self._in_current:
                self.current.append(data.strip())

    @property
    def words(self) -> str:
        return " ".join(self.text)


async def test_schedule_page_shows_each_day_its_workshops_seats_and_banner_sites(settings: Settings):
    async with registration_stack(settings) as stack:
        events = stack.events.client
        room = (await events.post(f"/campaigns/{CAMPAIGN_ID}/rooms", headers=ORGANIZER,
                                  json={"name": "Hội trường A", "seats": 30})).json()
        w = (await events.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
            "title": "Tập huấn <kỹ năng số> & an toàn", "room_id": room["id"], "speakers": ["TS. Trần Minh"],
            "start": "2026-10-09T14:00:00+07:00", "end": "2026-10-09T16:00:00+07:00"})).json()
        await events.post(f"/campaigns/{CAMPAIGN_ID}/banner-sites", headers=ORGANIZER, json={
            "name": "Siêu thị Co.opmart Quảng Ngãi", "kind": "supermarket", "address": "242 Quang Trung", "spots": 2})

        r = await events.get(f"/schedule/{CAMPAIGN_ID}?day=2026-10-09")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert r.headers["content-language"] == "vi"
        assert "script-src" not in r.headers["content-security-policy"]
        assert "default-src 'none'" in r.headers["content-security-policy"]
        page = Page(r.text)
        assert "Tập huấn <kỹ năng số> & an toàn" in page.words  # shown as written ...
        assert "<kỹ năng số>" not in r.text  # ... and escaped in the HTML
        assert "14:00–16:00" in page.words and "Phòng: Hội trường A" in page.words
        assert "Còn 30 / 30 chỗ" in page.words
        assert page.current == ["Thứ Sáu 09/10"]
        days = [link for link in page.links if "?day=" in link and "lang=vi" in link]
        assert len(days) == 10  # 1 to 10 October
        assert f"/workshops/{w['workshop_id']}/calendar.ics" in page.links
        assert f"/campaigns/{CAMPAIGN_ID}/calendar.ics" in page.links
        assert f"/reserve/{w['workshop_id']}?lang=vi" in page.links
        registration = stack.registration.app.state.runtime.settings.base_url_of("registration")
        assert f"{registration}/exhibit/{CAMPAIGN_ID}?lang=vi" in page.links  # the ways in for a new user
        assert f"{registration}/join/{CAMPAIGN_ID}?lang=vi" in page.links
        assert "Siêu thị Co.opmart Quảng Ngãi" in page.words
        ics = await events.get(f"/workshops/{w['workshop_id']}/calendar.ics")
        assert ics.status_code == 200 and "BEGIN:VCALENDAR" in ics.text
        css = await events.get("/static/dxday.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

        empty = Page((await events.get(f"/schedule/{CAMPAIGN_ID}?day=2026-10-01")).text)
        assert "Chưa có hội thảo nào trong ngày này." in empty.words

        english = await events.get(f"/schedule/{CAMPAIGN_ID}?day=2026-10-09&lang=en")
        assert english.headers["content-language"] == "en"
        assert "30 of 30 seats left" in Page(english.text).words
        by_browser = await events.get(f"/schedule/{CAMPAIGN_ID}", headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert "Seminars and training" in Page(by_browser.text).words


async def test_schedule_page_explains_an_unknown_campaign_or_day_in_vietnamese(settings: Settings):
    async with registration_stack(settings) as stack:
        events = stack.events.client
        missing = await events.get("/schedule/khong-co")
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
        assert "Không hiển thị được trang" in Page(missing.text).words
        outside = await events.get(f"/schedule/{CAMPAIGN_ID}?day=2026-11-01")
        assert outside.status_code == 422 and "ngoài chiến dịch" in Page(outside.text).words
        garbled = await events.get(f"/schedule/{CAMPAIGN_ID}?day=mai")
        assert garbled.status_code == 404 and "Ngày không hợp lệ" in Page(garbled.text).words


def _hidden_token(html: str) -> str:
    marker = 'name="form_token" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


async def test_sign_up_page_asks_consent_per_channel_shows_errors_in_place_and_refuses_foreign_posts(
        settings: Settings):
    async with registration_stack(settings) as stack:
        reg = stack.reg
        form = await reg.get(f"/join/{CAMPAIGN_ID}")
        assert form.status_code == 200 and form.headers["content-language"] == "vi"
        assert "SameSite=strict" in form.headers["set-cookie"] and "HttpOnly" in form.headers["set-cookie"]
        token = _hidden_token(form.text)
        assert reg.cookies.get("dxday_form") == token
        words = Page(form.text).words
        assert "Vì sao chúng tôi hỏi thông tin này" in words and "Luật Bảo vệ dữ liệu cá nhân 2025" in words
        assert 'name="channels" value="email">' in form.text and 'name="channels" value="sms">' in form.text  # unticked
        assert " checked" not in form.text  # no consent purpose pre-ticked either: consent is a clear act

        url = f"/join/{CAMPAIGN_ID}"
        foreign = await reg.post(url, data={"name": "Trần Văn Minh", "channels": "email", "purposes": "service_notices",
                                            "email": "minh@example.vn", "form_token": "guessed"})
        assert foreign.status_code == 403 and "Biểu mẫu đã hết hạn" in Page(foreign.text).words

        wrong = await reg.post(url, data={"form_token": token, "name": "M", "email": "khong-phai-email",
                                          "locality": "<script>alert(1)</script>", "purposes": "service_notices"})
        assert wrong.status_code == 422
        page = Page(wrong.text)
        assert "Quá ngắn (ít nhất 2 ký tự)" in page.words
        assert "Địa chỉ email không hợp lệ" in page.words
        assert "Hãy chọn ít nhất một cách liên hệ mà bạn đồng ý" in page.words
        assert "<script>alert(1)</script>" not in wrong.text and "&lt;script&gt;" in wrong.text  # kept, escaped
        assert wrong.text.index("Quá ngắn") < wrong.text.index('id="email"')  # next to its field

        done = await reg.post(url, data={"form_token": token, "name": "Trần Văn Minh", "email": "minh@example.vn",
                                         "channels": "email", "purposes": ["service_notices", "reminders"]})
        assert done.status_code == 201 and "Đăng ký thành công" in Page(done.text).words
        assert 'id="sign-in"' in done.text  # no identity service here to send the link: a button to ask for it
        assert "access-token" not in done.text  # nothing to keep
        me = await reg.get("/me", headers={"Authorization": f"Bearer {TEST_ISSUER.person('minh@example.vn')}"})
        [me] = me.json()["participants"]  # signed in with that email, the person holds the sign-up
        assert me["channels"] == ["email"]
        assert me["consent_purposes"] == ["service_notices", "reminders"]

        english = await reg.get(f"/join/{CAMPAIGN_ID}?lang=en")
        assert "Why we ask for this" in Page(english.text).words
        missing = await reg.get("/join/khong-co")
        assert missing.status_code == 404 and "Không hiển thị được trang" in Page(missing.text).words


async def test_the_old_my_data_page_leads_to_my_registrations(settings: Settings):
    """Stopping messages and erasure are on /my, for the person signed in (tests/test_identity.py)."""
    async with registration_stack(settings) as stack:
        moved = await stack.reg.get("/my-data?lang=en")
        assert moved.status_code == 303 and moved.headers["location"] == "/my?lang=en"
        page = await stack.reg.get("/my?lang=en")  # nobody signed in: to the identity service's sign-in
        assert page.status_code == 303 and page.headers["location"].startswith(
            f"{settings.base_url_of('identity')}/sign-in?lang=en&next=")


async def test_board_needs_the_organizer_sign_in_and_refuses_foreign_posts(settings: Settings):
    async with (registration_stack(settings, booth_confirmation="approval") as stack,
                board_session(settings) as (_identity, session)):
        reg = stack.reg
        await stack.define_venue(["C01"])
        business_id, token = await stack.register_business(valid_tax_codes(1)[0])
        application = (await stack.apply(business_id, token)).json()

        anonymous = await reg.get(f"/board/{CAMPAIGN_ID}")
        assert anonymous.status_code == 303
        location = anonymous.headers["location"]
        assert location.startswith("/board/sign-in?") and f"next=/board/{CAMPAIGN_ID}" in location
        form = await reg.get("/board/sign-in?next=//evil.example/steal")
        here = quote(settings.base_url_of("registration") + "/", safe="")
        # the sign-in happens at the identity service, and leads back only to a path on this site
        assert f"{settings.base_url_of('identity')}/sign-in?lang=vi&amp;next={here}" in form.text
        assert "evil.example" not in form.text
        assert 'name="organizer_token"' not in form.text  # no installation-wide token any more
        forged = await reg.get(f"/board/{CAMPAIGN_ID}", cookies={"dxday_session": "x" * 43})
        assert forged.status_code == 303

        reg.cookies.set("dxday_session", session, domain="127.0.0.1")  # what the identity service set
        board = await reg.get(f"/board/{CAMPAIGN_ID}")
        assert board.status_code == 200 and f"a-{application['application_id']}" in board.text
        form_token = _hidden_token(board.text)
        assert (await reg.get(f"/campaigns/{CAMPAIGN_ID}/applications",
                              headers={"Authorization": f"Bearer {session}"})).status_code == 401
        approve = f"/board/{CAMPAIGN_ID}/applications/{application['application_id']}/approve"
        foreign = await reg.post(approve, data={"form_token": "from-another-site"})
        assert foreign.status_code == 403
        short = await reg.post(f"/board/{CAMPAIGN_ID}/applications/{application['application_id']}/reject",
                               data={"form_token": form_token, "reason": "x"})
        assert short.status_code == 422 and "Quá ngắn" in Page(short.text).words
        stored = (await reg.get(f"/applications/{application['application_id']}", headers=ORGANIZER)).json()
        assert stored["status"] == "pending"  # neither post changed anything
        assert (await reg.post(approve, data={"form_token": form_token})).status_code == 303
        stored = (await reg.get(f"/applications/{application['application_id']}", headers=ORGANIZER)).json()
        assert stored["status"] == "confirmed"

        csv = await reg.get(f"/board/{CAMPAIGN_ID}/businesses.csv")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        signed_out = await reg.post("/board/sign-out", data={"form_token": form_token})
        assert signed_out.status_code == 303 and not reg.cookies.get("dxday_session")
        assert (await reg.get(f"/board/{CAMPAIGN_ID}/businesses.csv")).status_code == 303
        # the session ended at the identity service: its cookie, replayed, opens nothing here
        replayed = await reg.get(f"/board/{CAMPAIGN_ID}", cookies={"dxday_session": session})
        assert replayed.status_code == 303


async def test_the_browser_that_registers_a_business_goes_on_to_its_booths_and_no_other(settings: Settings):
    """Nothing to keep: the page that registers a business holds it on that campaign's exhibit pages (a
    signed cookie scoped to them); a forged or foreign cookie opens nothing, and the form asks for no token."""
    async with registration_stack(settings) as stack:
        reg = stack.reg
        await stack.define_venue(["D01"])
        page = await reg.get(f"/exhibit/{CAMPAIGN_ID}")
        assert 'name="access_token"' not in page.text and 'id="sign-in"' in page.text
        form_token = _hidden_token(page.text)
        assert (await reg.get(f"/exhibit/{CAMPAIGN_ID}/booths")).status_code == 303  # not signed in
        foreign = await reg.post(f"/exhibit/{CAMPAIGN_ID}", data={"form_token": "guessed", "legal_name": "Công ty A"})
        assert foreign.status_code == 403
        fields = business_body(valid_tax_codes(1)[0])
        registered = await reg.post(f"/exhibit/{CAMPAIGN_ID}", data={"form_token": form_token, **fields})
        assert registered.status_code == 201, registered.text
        assert "lan@songtra.vn" in Page(registered.text).words  # the email to sign in with later
        held = reg.cookies.get("dxday_manage", path=f"/exhibit/{CAMPAIGN_ID}")
        assert held and "access-token" not in registered.text
        booths = await reg.get(f"/exhibit/{CAMPAIGN_ID}/booths")
        assert booths.status_code == 200 and "D01" in Page(booths.text).words
        none = await reg.post(f"/exhibit/{CAMPAIGN_ID}/booths", data={"form_token": form_token, "quantity": "1"})
        assert none.status_code == 422 and 'id="days-error"' in none.text
        async with httpx.AsyncClient(base_url=stack.registration.url) as other:
            forged = await other.get(f"/exhibit/{CAMPAIGN_ID}/booths", cookies={"dxday_manage": held[:-2] + "xx"})
            assert forged.status_code == 303
            elsewhere = await other.get(f"/exhibit/{CAMPAIGN_ID}-khac/booths", cookies={"dxday_manage": held})
            assert elsewhere.status_code in (303, 404)  # the cookie names this campaign only


def test_csv_cells_never_start_a_formula():
    from shared.web.csv_export import to_csv

    text = to_csv(("name", "note"), [{"name": "=HYPERLINK(\"http://x\")", "note": "+84 912"}, {"name": "Sông Trà"}])
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1] == "\"'=HYPERLINK(\"\"http://x\"\")\",'+84 912" and lines[2] == "Sông Trà,"


async def test_wrong_tokens_count_towards_the_failed_token_limit(settings: Settings):
    settings = settings.model_copy(update={"failed_token_limit_per_minute": 3})
    async with registration_stack(settings) as stack:
        reg = stack.reg
        attempts = [reg.get(f"/campaigns/{CAMPAIGN_ID}/applications", headers={"Authorization": f"Bearer {bad}"})
                    for bad in ("eyJx.eyJ.sig", "business.x.y", "participant.x.y")]
        assert [(await a).status_code for a in attempts] == [401, 401, 401]
        blocked = await reg.get("/businesses/x", headers={"Authorization": "Bearer eyJy.eyJ.sig"})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        right = await reg.get(f"/campaigns/{CAMPAIGN_ID}/applications", headers=ORGANIZER)
        assert right.status_code == 200  # the organizer behind the same address is not locked out


async def test_pages_explain_unknown_things_as_pages_in_the_readers_language(settings: Settings):
    async with registration_stack(settings) as stack:
        for response in (await stack.reg.get("/exhibit/khong-co?lang=en"),
                         await stack.events.client.get("/reserve/no-such-workshop?lang=en")):
            assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
            assert response.headers["content-language"] == "en" and "<!doctype html>" in response.text
