"""The demo booth plan `dxday up` loads beside the demo campaign."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.registration.adapters.repository import Repository
from services.registration.application.booths import campaign_days, define_venue
from services.registration.application.commands import BoothSpec, DefineVenue
from services.registration.application.context import Call, Deps, known_campaign

DEMO_CAMPAIGN_ID = "demo-quang-ngai-2026"
DEMO_BOOTHS = [f"A{i:02d}" for i in range(1, 7)]


async def load_demo(deps: Deps, call: Call) -> dict[str, Any]:
    """Idempotent: the venue is defined once; a second call reports what is there."""
    call.require_organizer()
    async with deps.uow() as uow:
        repo = Repository(uow.session)
        campaign = await known_campaign(repo, DEMO_CAMPAIGN_ID)  # 503 until the campaign event arrives
        existing = await repo.booth_codes(DEMO_CAMPAIGN_ID)
    if existing:
        return {"campaign_id": DEMO_CAMPAIGN_ID, "summary": f"{len(existing)} booths (already there)"}
    first, last = campaign_days(campaign)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    await define_venue(deps, DEMO_CAMPAIGN_ID, DefineVenue(
        name="Khu trưng bày giải pháp số — Quảng trường Phạm Văn Đồng",
        address="Đường Hùng Vương, phường Cẩm Thành, Quảng Ngãi",
        booths=[BoothSpec(code=code, size="3x3 m", days=days) for code in DEMO_BOOTHS],
    ), call)
    return {"campaign_id": DEMO_CAMPAIGN_ID, "summary": f"{len(DEMO_BOOTHS)} booths open {first:%d/%m}–{last:%d/%m}"}
