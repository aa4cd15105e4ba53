"""kill -9 the registration service in the middle of a burst of booth applications and sign-ups; the
client retries what got no answer with the same Idempotency-Key. Every accepted application and
sign-up is stored once and its events are published once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import httpx
import pytest

from launcher.natsserver import NatsServer
from services.events.app import create_app as events_app
from shared.platform.config import Settings
from tests.registration_support import business_body, participant_body, valid_tax_codes
from tests.support import (
    ORGANIZER,
    TEST_ISSUER,
    eventually,
    free_port,
    serve_in_process,
    start_service_process,
    stream_messages,
    wait_process_ready,
)

pytestmark = pytest.mark.slow
APPLICATIONS = 1000
SIGN_UPS = 300
DAYS = [f"2026-10-{d:02d}" for d in range(1, 11)]


def start_registration(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    return start_service_process("registration", settings, port, log, DXDAY_FORM_RATE_PER_MINUTE="100000")


async def test_kill_9_during_a_burst_of_applications_loses_and_doubles_nothing(
    settings: Settings, nats: NatsServer, tmp_path: Path
):
    port = free_port()
    log = tmp_path / "registration.log"
    procs = [start_registration(settings, port, log)]
    try:
        await _burst(settings, port, log, procs)
    finally:  # a failing assertion must not leave the service running (it would load the machine)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


async def _burst(settings: Settings, port: int, log: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    url = f"http://127.0.0.1:{port}"
    proc = procs[0]
    async with serve_in_process(events_app(settings)) as events, httpx.AsyncClient(base_url=url, timeout=30) as http:
        await events.client.post("/campaigns", headers=ORGANIZER, json={
            "campaign_id": "crash-2026", "year": 2026, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
            "locality": "Quảng Ngãi"})
        await wait_process_ready(url, proc)
        await eventually(lambda: _known(http), what="campaign known")
        r = await http.post("/campaigns/crash-2026/venues", headers=ORGANIZER, json={
            "name": "Khu trưng bày", "address": "Quảng Ngãi",
            "booths": [{"code": f"B{i:03d}", "days": DAYS} for i in range(100)]})
        assert r.status_code == 201, r.text
        r = await http.post("/campaigns/crash-2026/businesses", json=business_body(valid_tax_codes(1)[0]))
        business, token = r.json()["business"]["id"], TEST_ISSUER.person("lan@songtra.vn")  # signed in with its email
        headers = {"Authorization": f"Bearer {token}"}

        answered: dict[str, dict] = {}
        killed = asyncio.Event()

        async def apply(key: str, day: str) -> None:
            try:
                if key.startswith("join-"):  # a participant's sign-up, retried the same way
                    resp = await http.post("/campaigns/crash-2026/participants", headers={"Idempotency-Key": key},
                                           json=participant_body(email=f"{key}@example.vn", phone=None,
                                                                 channels=["email"]))
                else:
                    resp = await http.post(f"/businesses/{business}/applications", json={"days": [day]},
                                           headers={**headers, "Idempotency-Key": key})
            except httpx.HTTPError:
                return  # no answer: the client will retry
            if resp.status_code == 201:
                answered[key] = resp.json()
                if len(answered) >= APPLICATIONS // 3 and not killed.is_set():
                    killed.set()
                    os.kill(proc.pid, signal.SIGKILL)  # mid-burst, between any two instructions

        keys = [(f"form-{i}", DAYS[i % len(DAYS)]) for i in range(APPLICATIONS)]
        keys += [(f"join-{i}", "") for i in range(SIGN_UPS)]
        semaphore = asyncio.Semaphore(20)

        async def bounded(key: str, day: str) -> None:
            async with semaphore:
                await apply(key, day)

        await asyncio.gather(*(bounded(k, d) for k, d in keys))
        assert killed.is_set() and proc.wait(10) == -signal.SIGKILL
        proc = start_registration(settings, port, log)
        procs.append(proc)
        await wait_process_ready(url, proc)
        for _attempt in range(3):  # the client retries everything that got no answer, same key
            await asyncio.gather(*(bounded(k, d) for k, d in keys if k not in answered))
        assert len(answered) == APPLICATIONS + SIGN_UPS
        joined = {k: a["participant"]["id"] for k, a in answered.items() if k.startswith("join-")}
        answered = {k: a for k, a in answered.items() if not k.startswith("join-")}

        listed = (await http.get(f"/businesses/{business}/applications", headers=headers)).json()
        assert len(listed) == APPLICATIONS  # each accepted application stored once
        assert sorted(a["application_id"] for a in listed) == sorted(a["application_id"] for a in answered.values())
        assert Counter(a["status"] for a in listed) == {"confirmed": APPLICATIONS}

        async def published() -> list | None:
            found = await stream_messages(settings.nats_url or "", "REGISTRATION",
                                          "registration.booth_application.submitted")
            return found if len(found) >= APPLICATIONS else None

        submitted = await eventually(published, timeout=60, what="every submission published")
        ids = Counter(json.loads(m.data)["payload"]["application_id"] for m in submitted)
        assert len(ids) == APPLICATIONS and set(ids.values()) == {1}  # published once each

        async def signed_up() -> list | None:
            found = await stream_messages(settings.nats_url or "", "REGISTRATION",
                                          "registration.participant.registered")
            return found if len(found) >= SIGN_UPS else None
        people = Counter(json.loads(m.data)["payload"]["participant_id"] for m in await eventually(
            signed_up, timeout=60, what="every sign-up published"))
        assert set(people) == set(joined.values()) and set(people.values()) == {1}  # stored and published once
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


async def _known(http: httpx.AsyncClient) -> bool:
    return (await http.get("/campaigns/crash-2026")).status_code == 200
