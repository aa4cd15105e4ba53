"""`dxday up` as a user runs it: a subprocess with the embedded NATS and three child services."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.demo import demo_campaign_id, demo_year
from tests.support import free_port, metric_value

pytestmark = pytest.mark.slow
DEMO = demo_campaign_id(demo_year(dt.date.today()))


def _pids_with(marker: str) -> list[int]:
    """Processes whose environment mentions this test's data dir (our children, if any are left)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes() or marker.encode() in (
                entry / "cmdline"
            ).read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _stack_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXDAY_")}
    env.update(
        DXDAY_DATA_DIR=str(tmp_path / "var"),
        DXDAY_NATS_PORT=str(free_port()),
        DXDAY_NATS_MONITOR_PORT=str(free_port()),
        DXDAY_REGISTRATION_PORT=str(free_port()),
        DXDAY_EVENTS_PORT=str(free_port()),
        DXDAY_NOTIFICATIONS_PORT=str(free_port()),
    )
    return env


def _wait_ready(urls: list[str], proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    pending = set(urls)
    while pending and time.monotonic() < deadline:
        assert proc.poll() is None, f"dxday up exited with {proc.returncode}"
        for url in list(pending):
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    pending.discard(url)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    assert not pending, f"not ready: {pending}"


def test_dxday_up_serves_three_ready_services_and_leaves_nothing_after_sigterm(tmp_path: Path):
    env = _stack_env(tmp_path)
    log = (tmp_path / "up.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "up"], env=env, stdout=log, stderr=subprocess.STDOUT)
    names = ("registration", "events", "notifications")
    urls = {n: f"http://127.0.0.1:{env[f'DXDAY_{n.upper()}_PORT']}" for n in names}
    try:
        _wait_ready(list(urls.values()), proc)
        for url in urls.values():
            assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
        # the demo campaign flows events -> NATS -> registration and notifications
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if httpx.get(f"{urls['registration']}/campaigns/{DEMO}").status_code == 200:
                break
            time.sleep(0.2)
        else:
            pytest.fail("demo campaign did not reach registration")
        text = httpx.get(f"{urls['notifications']}/metrics").text
        deadline = time.monotonic() + 15
        while metric_value(text, "faststream_received_messages_total") < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
            text = httpx.get(f"{urls['notifications']}/metrics").text
        assert metric_value(text, "faststream_received_messages_total", handler="events.campaign.created") >= 1
        assert "dxday_outbox_pending_events" in httpx.get(f"{urls['events']}/metrics").text
        assert (tmp_path / "var" / "nats" / "jetstream").is_dir()  # the store lives under the data dir
        deadline = time.monotonic() + 40
        while "demo campaign" not in (tmp_path / "up.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        command = [sys.executable, "-m", "shared.cli", "events", "--stream", "REGISTRATION", "--last", "50"]
        trail = subprocess.run(command, env={**env, "DXDAY_NATS_URL": f"nats://127.0.0.1:{env['DXDAY_NATS_PORT']}"},
                               capture_output=True, text=True, timeout=60)
        assert trail.returncode == 0, trail.stderr
        assert "registration.business.registered" in trail.stdout  # the audit trail shows the demo's businesses
        assert "registration.booth_application.confirmed" in trail.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    output = (tmp_path / "up.log").read_text()
    assert code == 0, output
    assert "registration  ready: http://127.0.0.1:" in output
    assert f"demo: campaign {DEMO}: created" in output
    assert f"demo campaign ready: {urls['events']}/schedule/{DEMO}?day=" in output  # the page a citizen opens
    assert f"(JSON: {urls['events']}/campaigns/{DEMO}/schedule" in output
    time.sleep(0.5)
    assert _pids_with(str(tmp_path)) == [], "processes left behind after SIGTERM"


def test_dxday_up_names_the_variable_when_a_port_is_taken(tmp_path: Path):
    env = _stack_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env["DXDAY_EVENTS_PORT"])))
        taken.listen()
        result = subprocess.run([sys.executable, "-m", "shared.cli", "up"], env=env, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert "DXDAY_EVENTS_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_state_under_the_data_dir_survives_a_restart(tmp_path: Path):
    env = _stack_env(tmp_path)
    urls = [f"http://127.0.0.1:{env[f'DXDAY_{n}_PORT']}" for n in ("REGISTRATION", "EVENTS", "NOTIFICATIONS")]
    outputs = []
    for run in range(2):
        log_path = tmp_path / f"up-{run}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "up"], env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
            try:
                _wait_ready(urls, proc)
                deadline = time.monotonic() + 20
                while "demo campaign ready" not in log_path.read_text() and time.monotonic() < deadline:
                    time.sleep(0.2)
                campaigns = httpx.get(f"{urls[1]}/campaigns").json()
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(60)
        outputs.append(log_path.read_text())
        assert [c["campaign_id"] for c in campaigns] == [DEMO]
    assert f"campaign {DEMO}: created" in outputs[0]
    assert f"campaign {DEMO}: already there" in outputs[1]
    assert "4 workshops" in outputs[1] and "3 businesses (already there)" in outputs[1]
