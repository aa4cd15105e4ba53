"""Services talk only through NATS: a campaign created in the events service reaches the others."""

from __future__ import annotations

import json

from launcher.natsserver import NatsServer
from services.events.app import create_app as events_app
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from shared.contracts.streams import EVENTS
from shared.platform.config import Settings
from tests.support import ORGANIZER, ORGANIZER_ID, eventually, metric_value, serve_in_process, stream_messages

CAMPAIGN = {
    "campaign_id": "quang-ngai-2026",
    "year": 2026,
    "theme": "Chuyển đổi số vì một cuộc sống tốt đẹp hơn cho người dân",
    "organizer": "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
    "locality": "Quảng Ngãi",
}


async def test_campaign_reaches_registration_and_notifications_once(settings: Settings, nats: NatsServer):
    async with (
        serve_in_process(events_app(settings)) as events,
        serve_in_process(registration_app(settings)) as registration,
        serve_in_process(notifications_app(settings)) as notifications,
    ):
        unknown = await registration.client.get("/campaigns/quang-ngai-2026")
        assert unknown.status_code == 404  # the events service, which owns campaigns, has none such
        assert unknown.json()["error"]["code"] == "campaign_not_found"

        created = await events.client.post("/campaigns", json=CAMPAIGN, headers=ORGANIZER)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["window_start"] == "2026-10-01T00:00:00+07:00"
        assert body["window_end"] == "2026-10-10T23:59:59+07:00"

        async def known() -> dict:
            r = await registration.client.get("/campaigns/quang-ngai-2026")
            return r.json() if r.status_code == 200 else {}

        window = await eventually(known, what="campaign window in registration")
        assert window["window_start"] == "2026-09-30T17:00:00Z"
        assert window["booth_confirmation"] == "auto"

        async def notified() -> float:
            text = (await notifications.client.get("/metrics")).text
            return metric_value(text, "dxday_inbox_handled_events_total", consumer="notifications-events")

        assert await eventually(notified, what="campaign in notifications") == 1.0
        messages = await stream_messages(nats.url, EVENTS.name, "events.campaign.created")
        assert len(messages) == 1
        envelope = json.loads(messages[0].data)
        assert messages[0].headers["Nats-Msg-Id"] == envelope["event_id"]
        assert (envelope["producer"], envelope["version"]) == ("events", 1)
        assert envelope["actor"] == {"kind": "account", "id": ORGANIZER_ID}  # who did it, by name
        assert envelope["campaign_id"] == "quang-ngai-2026"

        again = await events.client.post("/campaigns", json=CAMPAIGN, headers=ORGANIZER)
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "campaign_exists"


async def test_campaign_commands_check_the_organizer_and_the_input(settings: Settings):
    async with serve_in_process(events_app(settings)) as events:
        assert (await events.client.post("/campaigns", json=CAMPAIGN)).status_code == 401
        wrong = await events.client.post("/campaigns", json=CAMPAIGN, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401  # an unknown token is no identity at all
        bad = await events.client.post("/campaigns", json={**CAMPAIGN, "year": "năm nay"}, headers=ORGANIZER)
        assert bad.status_code == 422
        assert bad.json()["error"]["fields"][0]["field"] == "year"
        backwards = await events.client.post(
            "/campaigns", headers=ORGANIZER,
            json={**CAMPAIGN, "window_start": "2026-10-10T00:00:00+07:00", "window_end": "2026-10-01T00:00:00+07:00"},
        )
        assert backwards.status_code == 422
        assert backwards.json()["error"]["details"]["field"] == "window_end"
        zone = await events.client.post("/campaigns", json={**CAMPAIGN, "timezone": "Mars/Olympus"}, headers=ORGANIZER)
        assert zone.status_code == 422
        assert (await events.client.get("/campaigns")).json() == []
