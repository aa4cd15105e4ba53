"""The demo campaign `dxday up` loads, so a new user has something to look at."""

from __future__ import annotations

from services.events.application.campaigns import CreateCampaign, create_campaign, get_campaign
from shared.clock import Clock
from shared.contracts.envelope import Actor
from shared.errors import NotFound

DEMO_CAMPAIGN = CreateCampaign(
    campaign_id="demo-quang-ngai-2026",
    year=2026,
    theme="Chuyển đổi số giải quyết các vấn đề của xã hội vì một cuộc sống tốt đẹp hơn cho người dân",
    organizer="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
    locality="Quảng Ngãi",
)


async def load_demo(uow_factory, *, clock: Clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Idempotent: loading twice leaves one demo campaign."""
    try:
        campaign = await get_campaign(uow_factory(), DEMO_CAMPAIGN.campaign_id)
        created = False
    except NotFound:
        campaign = await create_campaign(uow_factory(), DEMO_CAMPAIGN, actor=Actor(kind="system", id="demo"),
                                         clock=clock)
        created = True
    return {
        "campaign_id": campaign.id,
        "summary": f"{campaign.locality} {campaign.year}, "
        f"{campaign.local(campaign.window_start):%d/%m %H:%M}–{campaign.local(campaign.window_end):%d/%m %H:%M} "
        f"({campaign.timezone})"
        + (" (created)" if created else " (already there)"),
    }
