"""The composition root takes a fake unit of work: the events HTTP API answers from in-memory stores,
with no NATS and no database (the app is not started; nothing connects)."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.events.app import create_app
from shared.platform.config import Settings
from tests.unit.events.fakes import FakeSchedule, FakeUnitOfWork, workshop


async def test_a_workshop_and_its_seats_left_come_from_the_fake_stores(tmp_path: Path):
    schedule = FakeSchedule()
    schedule.workshops["w1"] = workshop(capacity=30)
    settings = Settings(_env_file=None, data_dir=tmp_path, checkin_secret="unit-secret",
                        events_db_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    app = create_app(settings, uow_factory=lambda: FakeUnitOfWork(schedule, []))  # type: ignore[arg-type,return-value]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://events") as client:
        found = await client.get("/workshops/w1")
        missing = await client.get("/workshops/nope")
    assert found.status_code == 200, found.text
    assert (found.json()["title"], found.json()["seats_left"]) == ("Ký số", 30)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "workshop_not_found"
    unused = tmp_path / "unused.db"  # created empty and owner-only up front, never written to
    assert not unused.exists() or unused.stat().st_size == 0
