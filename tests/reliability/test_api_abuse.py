"""Abuse of the API: fields a business may not set, more booths than the campaign allows, /metrics."""

from __future__ import annotations

import asyncio
import base64

from services.registration.app import create_app as registration_app
from shared.platform.config import Settings
from tests.registration_support import (
    CAMPAIGN_ID,
    DAY,
    bearer,
    business_body,
    registration_stack,
    valid_tax_codes,
)
from tests.support import serve_in_process

DAYS = ["2026-10-09", "2026-10-10"]


async def test_a_business_cannot_set_status_booth_or_organizer_fields(settings: Settings):
    async with registration_stack(settings, booth_confirmation="approval") as stack:
        tax_code = valid_tax_codes(1)[0]
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses",
                                 json=business_body(tax_code, status="approved", organizer=True))
        assert r.status_code == 422
        assert {f["field"] for f in r.json()["error"]["fields"]} == {"status", "organizer"}
        business, token = await stack.register_business(tax_code)
        await stack.define_venue(["A01", "A02"])
        for extra in ({"status": "confirmed"}, {"booth": "A01"}, {"approved_by_organizer": True}):
            r = await stack.apply(business, token, **extra)
            assert r.status_code == 422, (extra, r.text)
            assert r.json()["error"]["fields"][0]["field"] == next(iter(extra))
        r = await stack.apply(business, token)
        assert r.status_code == 201 and r.json()["status"] == "pending"  # approval mode still holds


async def test_a_business_cannot_hold_more_booths_a_day_than_the_campaign_allows(settings: Settings):
    async with registration_stack(settings, booths_per_business=2) as stack:
        await stack.define_venue([f"A{i:02d}" for i in range(10)], days=DAYS)
        (business, token), (other, other_token) = [await stack.register_business(t) for t in valid_tax_codes(2)]
        assert (await stack.apply(business, token, days=DAYS)).status_code == 201
        assert (await stack.apply(business, token, days=[DAY])).status_code == 201
        over = await stack.apply(business, token, days=DAYS)
        assert over.status_code == 409
        error = over.json()["error"]
        assert error["code"] == "booth_limit_reached" and error["details"]["days"] == [DAY]  # the 9th has room left
        assert "tối đa 2 gian hàng" in error["message"]
        assert (await stack.apply(business, token, days=["2026-10-09"])).status_code == 201  # one left that day
        too_many = await stack.apply(other, other_token, days=[DAY], quantity=3)
        assert too_many.status_code == 409 and too_many.json()["error"]["details"]["days"] == [DAY]

        # parallel requests cannot slip past the limit together
        results = await asyncio.gather(*(stack.apply(other, other_token, days=[DAY]) for _ in range(6)))
        assert sorted(r.status_code for r in results) == [201, 201] + [409] * 4
        listed = (await stack.reg.get(f"/businesses/{other}/applications", headers=bearer(other_token))).json()
        assert len(listed) == 2


async def test_metrics_can_ask_for_basic_auth(settings: Settings):
    protected = settings.model_copy(update={"metrics_user": "prometheus", "metrics_password": "s3cret-scrape"})
    async with serve_in_process(registration_app(protected)) as service:
        r = await service.client.get("/metrics")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
        assert r.json()["error"]["code"] == "unauthorized"
        wrong = base64.b64encode(b"prometheus:guess").decode()
        assert (await service.client.get("/metrics", headers={"Authorization": f"Basic {wrong}"})).status_code == 401
        right = base64.b64encode(b"prometheus:s3cret-scrape").decode()
        r = await service.client.get("/metrics", headers={"Authorization": f"Basic {right}"})
        assert r.status_code == 200 and "dxday_ready" in r.text
        assert (await service.client.get("/healthz")).status_code == 200  # probes stay open
    async with serve_in_process(registration_app(settings)) as open_service:
        assert (await open_service.client.get("/metrics")).status_code == 200
