"""Small defects met on the API and pages, each through the real HTTP service: which field an error
names, what a missing record looks like, times without a zone, exports a spreadsheet opens safely,
search wildcards, the Host header, redirects after sign-in."""

from __future__ import annotations

import io

import pytest

from shared.platform.config import Settings
from shared.web.csv_export import runs_as_formula, to_csv
from tests.registration_support import CAMPAIGN_ID, bearer, business_body, registration_stack, valid_tax_codes
from tests.support import ORGANIZER

TAX = valid_tax_codes(6, start=40_000_000)


async def test_errors_name_the_field_at_fault(settings: Settings):
    async with registration_stack(settings) as stack:
        ev = stack.events.client
        site = (await ev.post(f"/campaigns/{CAMPAIGN_ID}/banner-sites", headers=ORGANIZER, json={
            "name": "Quảng trường", "kind": "public_square", "address": "TP. Quảng Ngãi", "spots": 1})).json()
        late = await ev.post(f"/campaigns/{CAMPAIGN_ID}/banner-placements", headers=ORGANIZER, json={
            "site_id": site["id"], "spot": 1, "slogan": "Chuyển đổi số", "first_day": "2026-10-02",
            "last_day": "2026-10-12", "by": "Đoàn Thanh niên"})
        assert late.status_code == 422 and late.json()["error"]["details"]["field"] == "last_day"
        await stack.register_business(TAX[0])
        again = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses", json=business_body(TAX[0]))
        assert again.status_code == 409 and again.json()["error"]["details"]["field"] == "tax_code"
        page = await stack.reg.get(f"/exhibit/{CAMPAIGN_ID}")
        assert page.status_code == 200


async def test_a_missing_record_and_someone_elses_look_the_same(settings: Settings):
    async with registration_stack(settings) as stack:
        (mine, token), (other, _) = [await stack.register_business(t) for t in TAX[1:3]]
        missing = await stack.reg.get("/businesses/00000000-0000-0000-0000-000000000000", headers=bearer(token))
        foreign = await stack.reg.get(f"/businesses/{other}", headers=bearer(token))
        assert missing.status_code == foreign.status_code == 404
        assert missing.json() == foreign.json() == {"error": {"code": "not_found", "message": "Không tìm thấy hồ sơ",
                                                              "message_en": "No such record"}}
        assert (await stack.reg.get(f"/businesses/{mine}", headers=bearer(token))).status_code == 200


@pytest.mark.parametrize("window,field", [
    (("2027-10-01T00:00:00", "2027-10-10T23:59:59"), "window_start"),      # no zone: refused, not server time
    (("2031-10-01T00:00:00+07:00", "2031-10-10T23:59:59+07:00"), "window_start"),  # not the campaign's year
])
async def test_a_campaign_window_needs_a_zone_and_its_year(settings: Settings, window: tuple[str, str], field: str):
    async with registration_stack(settings) as stack:
        r = await stack.events.client.post("/campaigns", headers=ORGANIZER, json={
            "campaign_id": "ha-noi-2027", "year": 2027, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN Hà Nội",
            "locality": "Hà Nội", "window_start": window[0], "window_end": window[1]})
        assert r.status_code == 422, r.text
        body = r.json()["error"]
        assert field in ({f["field"] for f in body.get("fields", [])} | {body.get("details", {}).get("field")})


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped_in_every_disguise():
    for formula in ["=1+1", "\uff1dHYPERLINK(\"http://x\")", "\u200b=1+1", "\ufeff+SUM(A1)", "\uff20cmd", " =2"]:
        assert runs_as_formula(formula), formula
        assert to_csv(("c",), [{"c": formula}]).lstrip("\ufeff").splitlines()[1].lstrip('"').startswith("'")
    assert not runs_as_formula("Công ty Sông Trà") and not runs_as_formula("0100000010")


async def test_the_spreadsheet_export_keeps_tax_codes_as_text(settings: Settings):
    from openpyxl import load_workbook

    async with registration_stack(settings) as stack:
        await stack.register_business(TAX[3], legal_name="\uff1dHYPERLINK(\"http://x\")")
        r = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses.xlsx", headers=ORGANIZER)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(r.content)).active
        header = [c.value for c in sheet[1]]
        row = {h: c for h, c in zip(header, sheet[2], strict=True)}
        assert row["tax_code"].value == TAX[3] and row["tax_code"].data_type == "s"  # the leading 0 stays
        assert row["legal_name"].value.startswith("'")
        assert (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses.xlsx")).status_code == 401


async def test_a_percent_sign_in_a_search_is_a_letter(settings: Settings):
    async with registration_stack(settings) as stack:
        await stack.register_business(TAX[4])
        r = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses", params={"q": "%"}, headers=ORGANIZER)
        assert r.status_code == 200 and r.json()["total"] == 0
        r = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses", params={"q": "_"}, headers=ORGANIZER)
        assert r.json()["total"] == 0


async def test_calendar_links_never_come_from_the_host_header(settings: Settings):
    async with registration_stack(settings) as stack:
        r = await stack.events.client.get(f"/campaigns/{CAMPAIGN_ID}/calendar.ics", headers={"Host": "evil.example"})
        assert r.status_code == 200 and "evil.example" not in r.text


@pytest.mark.parametrize("next_path", ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example"])
async def test_sign_in_never_redirects_off_the_site(settings: Settings, next_path: str):
    from urllib.parse import quote

    async with registration_stack(settings) as stack:
        assert (await stack.reg.get("/board/sign-in?next=/%09/evil.example")).status_code == 422  # refused early
        form = await stack.reg.get("/board/sign-in", params={"next": next_path})
        assert form.status_code in (200, 422), form.text
        assert "evil.example" not in form.text
        if form.status_code == 200:  # the sign-in at the identity service leads back to this site's front page
            here = quote(settings.base_url_of("registration") + "/", safe="")
            assert f"/sign-in?lang=vi&amp;next={here}\"" in form.text, (next_path, form.text)


async def test_an_answer_from_the_error_handler_is_counted_and_hardened(sqlite_settings: Settings):
    import sqlalchemy as sa

    from shared.platform.db import create_engine
    from tests.registration_support import participant_body
    from tests.support import metric_value

    async with registration_stack(sqlite_settings) as stack:
        engine = create_engine(sqlite_settings.db_url_of("registration"))
        async with engine.begin() as conn:  # the table a sign-up needs is gone: the database refuses
            await conn.execute(sa.text("ALTER TABLE participants RENAME TO participants_gone"))
        await engine.dispose()
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body())
        assert r.status_code in (500, 503) and r.json()["error"]["code"] in ("internal_error", "database_unavailable")
        assert r.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in r.headers
        metrics = (await stack.reg.get("/metrics")).text
        assert metric_value(metrics, "dxday_http_requests_total", route="/campaigns/{campaign_id}/participants",
                            status="5xx") == 1
