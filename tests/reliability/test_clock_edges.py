"""Clock edges in Asia/Ho_Chi_Minh: the campaign window is 1 October 00:00:00 to 10 October 23:59:59
local time, whatever zone a request writes its times in."""

from __future__ import annotations

from shared.platform.config import Settings
from tests.registration_support import CAMPAIGN_ID, registration_stack, valid_tax_codes
from tests.support import ORGANIZER

LAST_SECOND = "2026-10-10T23:59:59+07:00"
ONE_LATER = "2026-10-11T00:00:00+07:00"


async def test_workshops_banners_and_booths_at_the_edges_of_the_window(settings: Settings):
    async with registration_stack(settings) as stack:
        events = stack.events.client
        room = (await events.post(f"/campaigns/{CAMPAIGN_ID}/rooms", json={"name": "Hội trường", "seats": 10},
                                  headers=ORGANIZER)).json()["id"]

        async def workshop(start: str, end: str, room_id: str = room):  # type: ignore[no-untyped-def]
            return await events.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
                "title": "Đêm hội số", "room_id": room_id, "start": start, "end": end})

        last = await workshop("2026-10-10T23:00:00+07:00", LAST_SECOND)
        assert last.status_code == 201, last.text
        assert last.json()["end"] == "2026-10-10T16:59:59Z"
        late = await workshop("2026-10-10T23:30:00+07:00", ONE_LATER)
        assert late.status_code == 409
        assert [c["kind"] for c in late.json()["error"]["details"]["conflicts"]] == ["outside_window", "room_taken"]
        other = (await events.post(f"/campaigns/{CAMPAIGN_ID}/rooms", json={"name": "Phòng B", "seats": 10},
                                   headers=ORGANIZER)).json()["id"]
        in_utc = await workshop("2026-10-10T16:00:00Z", "2026-10-10T17:00:00Z", other)  # 00:00 on the 11th
        assert in_utc.status_code == 409
        first = await workshop("2026-10-01T00:00:00+07:00", "2026-10-01T01:00:00+07:00", other)
        assert first.status_code == 201 and first.json()["start"] == "2026-09-30T17:00:00Z"
        early = await workshop("2026-09-30T23:59:59+07:00", "2026-10-01T01:00:00+07:00", room)
        assert early.status_code == 409

        # the public schedule files a workshop under its local day, not its UTC day
        day1 = (await events.get(f"/campaigns/{CAMPAIGN_ID}/schedule", params={"day": "2026-10-01"})).json()
        assert first.json()["workshop_id"] in str(day1)
        day10 = (await events.get(f"/campaigns/{CAMPAIGN_ID}/schedule", params={"day": "2026-10-10"})).json()
        assert last.json()["workshop_id"] in str(day10) and first.json()["workshop_id"] not in str(day10)

        site = (await events.post(f"/campaigns/{CAMPAIGN_ID}/banner-sites", headers=ORGANIZER, json={
            "name": "Trung tâm thương mại", "kind": "commercial_centre", "address": "Quảng Ngãi",
            "spots": 1})).json()
        plan = {"site_id": site["id"], "spot": 1, "slogan": "Chuyển đổi số toàn dân", "by": "Sở KH&CN"}
        url = f"/campaigns/{CAMPAIGN_ID}/banner-placements"
        outside = await events.post(url, headers=ORGANIZER, json={**plan, "first_day": "2026-10-10",
                                                                   "last_day": "2026-10-11"})
        assert outside.status_code == 422
        inside = await events.post(url, headers=ORGANIZER, json={**plan, "first_day": "2026-10-01",
                                                                  "last_day": "2026-10-10"})
        assert inside.status_code == 201, inside.text

        venue = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/venues", headers=ORGANIZER, json={
            "name": "Khu trưng bày", "address": "Quảng Ngãi", "booths": [{"code": "A01", "days": ["2026-10-11"]}]})
        assert venue.status_code == 422 and venue.json()["error"]["details"]["days"] == ["2026-10-11"]
        await stack.define_venue(["A01"], days=["2026-10-10"])
        business, token = await stack.register_business(valid_tax_codes(1)[0])
        assert (await stack.apply(business, token, days=["2026-10-11"])).status_code == 422
        assert (await stack.apply(business, token, days=["2026-10-10"])).status_code == 201
