"""HTTP access: tokens, rate limits on public forms and failed tokens, security headers, CORS."""

from __future__ import annotations

import pytest

from services.registration.app import create_app as registration_app
from shared.platform.config import Settings
from tests.registration_support import CAMPAIGN_ID, bearer, participant_body, registration_stack, valid_tax_codes
from tests.support import ORGANIZER, serve_in_process


async def test_security_headers_and_organizer_endpoints_need_a_token(settings: Settings):
    async with registration_stack(settings) as stack:
        r = await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses")
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        for header in ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"):
            assert header in r.headers
        assert (await stack.reg.get(f"/campaigns/{CAMPAIGN_ID}/businesses", headers=ORGANIZER)).status_code == 200


async def test_a_business_token_on_another_business_finds_nothing(settings: Settings):
    async with registration_stack(settings) as stack:
        (a, _), (_, b_token) = [await stack.register_business(t) for t in valid_tax_codes(2)]
        r = await stack.reg.get(f"/businesses/{a}", headers=bearer(b_token))
        assert r.status_code == 404  # not even whether it exists


async def test_bursts_on_public_forms_and_guessed_tokens_get_429(settings: Settings):
    settings = settings.model_copy(update={"form_rate_per_minute": 10, "failed_token_limit_per_minute": 5})
    async with registration_stack(settings):
        pass  # the campaign is now known to the registration database
    async with serve_in_process(registration_app(settings)) as reg:
        codes = [(await reg.client.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
            email=f"p{i}@example.vn", phone=None, channels=["email"]))).status_code for i in range(15)]
        assert codes[:10] == [201] * 10 and set(codes[10:]) == {429}
        limited = await reg.client.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body())
        assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
        disguised = await reg.client.post(f"/campaigns/{CAMPAIGN_ID}/participants", headers=bearer("x"),
                                          json=participant_body(email="disguised@example.vn"))
        assert disguised.status_code == 429  # any Authorization header does not lift the sign-up limit
        guesses = [(await reg.client.get("/businesses/x", headers=bearer(f"business.x.guess{i}"))).status_code
                   for i in range(7)]
        assert guesses[:5] == [401] * 5 and set(guesses[5:]) == {429}
        # behind the same address (a NAT, a campus, a proxy) valid requests and public pages still pass
        assert (await reg.client.get("/businesses/x", headers=ORGANIZER)).status_code == 404
        assert (await reg.client.get(f"/campaigns/{CAMPAIGN_ID}")).status_code == 200
        same = [(await reg.client.get("/businesses/x", headers=bearer("business.x.same"))).status_code
                for _ in range(5)]
        assert same[-1] == 429  # the same wrong token, sent again and again, is refused


@pytest.mark.parametrize("origin,allowed", [("https://dxday.quangngai.gov.vn", True), ("https://evil.example", False)])
async def test_cors_allows_only_configured_origins(settings: Settings, origin: str, allowed: bool):
    settings = settings.model_copy(update={"cors_origins": "https://dxday.quangngai.gov.vn"})
    async with serve_in_process(registration_app(settings)) as reg:
        r = await reg.client.options(f"/campaigns/{CAMPAIGN_ID}/participants", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        assert (r.headers.get("access-control-allow-origin") == origin) is allowed
