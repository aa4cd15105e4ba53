"""`dxday up` as a user runs it: a subprocess with the embedded NATS and three child services."""

from __future__ import annotations

import csv
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

from launcher.demo import demo_campaign_id, demo_year
from shared.contracts.streams import STREAMS
from shared.platform.config import SERVICE_NAMES
from tests.support import AdministratorSession, free_port, metric_value

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
        DXDAY_IDENTITY_PORT=str(free_port()),
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
    proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up"], env=env, stdout=log, stderr=subprocess.STDOUT)
    names = SERVICE_NAMES
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
        command = [sys.executable, "-m", "launcher.cli", "events", "--stream", "REGISTRATION", "--last", "50"]
        trail = subprocess.run(command, env={**env, "DXDAY_NATS_URL": f"nats://127.0.0.1:{env['DXDAY_NATS_PORT']}"},
                               capture_output=True, text=True, timeout=60)
        assert trail.returncode == 0, trail.stderr
        assert "registration.business.registered" in trail.stdout  # the audit trail shows the demo's businesses
        assert "registration.booth_application.confirmed" in trail.stdout
        audit_csv = tmp_path / "audit.csv"
        audit = subprocess.run([sys.executable, "-m", "launcher.cli", "audit", DEMO, "--csv", str(audit_csv)],
                               env={**env, "DXDAY_NATS_URL": f"nats://127.0.0.1:{env['DXDAY_NATS_PORT']}"},
                               capture_output=True, text=True, timeout=60)
        assert audit.returncode == 0, audit.stderr
        rows = list(csv.DictReader(audit_csv.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0]["event"] == "events.campaign.created" and rows[0]["actor_kind"] == "account"
        assert {"registration.business.registered", "registration.booth_application.confirmed"} <= {
            r["event"] for r in rows}
        assert rows[0]["actor_id"]  # the national administrator's account: the demo signs in as it
        assert all(r["occurred_at"] <= s["occurred_at"] for r, s in zip(rows, rows[1:], strict=False))  # in order
        # the check-in staff's printed link signs them in and opens the door page of Xã Tịnh Khê's campaign
        deadline = time.monotonic() + 30
        staff = "soát vé, xã Tịnh Khê"
        while staff not in (tmp_path / "up.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        [staff_line] = [line for line in (tmp_path / "up.log").read_text().splitlines() if staff in line]
        link = staff_line.rsplit(": ", 1)[1].strip()
        with httpx.Client() as browser:
            page = browser.get(link)
            token = page.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
            landed = browser.post(link, data={"form_token": token})
            door = f"{urls['events']}/board/{DEMO.replace('quang-ngai', 'tinh-khe')}/door"
            assert landed.status_code == 303 and landed.headers["location"] == door, landed.text
            opened = browser.get(door)
            assert opened.status_code == 200 and "Soát vé tại cửa" in opened.text, opened.text
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
    # nothing under the data dir is readable by others: databases, message files, secrets, NATS store
    shared_with_others = [f"{p.relative_to(tmp_path)} {p.stat().st_mode & 0o777:o}"
                          for p in (tmp_path / "var").rglob("*")
                          if p.stat().st_mode & 0o077 and not p.name.endswith(".log")]
    assert shared_with_others == []
    assert (tmp_path / "var").stat().st_mode & 0o077 == 0


def test_dxday_up_names_the_variable_when_a_port_is_taken(tmp_path: Path):
    env = _stack_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env["DXDAY_EVENTS_PORT"])))
        taken.listen()
        result = subprocess.run([sys.executable, "-m", "launcher.cli", "up"], env=env, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert "DXDAY_EVENTS_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_state_under_the_data_dir_survives_a_restart(tmp_path: Path):
    env = _stack_env(tmp_path)
    urls = [f"http://127.0.0.1:{env[f'DXDAY_{n.upper()}_PORT']}" for n in SERVICE_NAMES]
    outputs = []
    for run in range(2):
        log_path = tmp_path / f"up-{run}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up"], env=env, stdout=log,
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
        assert [c["campaign_id"] for c in campaigns] == [DEMO, DEMO.replace("quang-ngai", "tinh-khe")]
    assert f"campaign {DEMO}: created" in outputs[0]
    assert f"campaign {DEMO}: already there" in outputs[1]
    assert "4 workshops" in outputs[1] and "3 businesses (already there)" in outputs[1]


def _pid_of_service(marker: str, name: str) -> int:
    for pid in _pids_with(marker):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"service" in cmdline and name.encode() in cmdline:
            return pid
    raise AssertionError(f"no {name} process")


def test_dxday_up_restarts_a_killed_service_and_a_killed_nats_server(tmp_path: Path):
    env = {**_stack_env(tmp_path), "DXDAY_DEMO": "0"}
    log_path = tmp_path / "up.log"
    names = SERVICE_NAMES
    urls = [f"http://127.0.0.1:{env[f'DXDAY_{n.upper()}_PORT']}" for n in names]
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            _wait_ready(urls, proc)
            os.kill(_pid_of_service(str(tmp_path), "events"), signal.SIGKILL)
            time.sleep(1)
            assert proc.poll() is None, "dxday up stopped with one service"
            _wait_ready(urls, proc, timeout=60)  # events is back, the others never left
            nats_pid = next(p for p in _pids_with(str(tmp_path / "var"))
                            if b"nats-server" in Path(f"/proc/{p}/cmdline").read_bytes())
            os.kill(nats_pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while "nats-server started again" not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            _wait_ready(urls, proc, timeout=60)  # every service reconnected to the restarted server
            administrator = AdministratorSession(env, f"http://127.0.0.1:{env['DXDAY_IDENTITY_PORT']}")
            r = httpx.post(f"{urls[1]}/campaigns", headers=administrator.header(), json={
                "campaign_id": "sau-su-co-2027", "year": 2027, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
                "locality": "Quảng Ngãi"})
            assert r.status_code == 201, r.text
            deadline = time.monotonic() + 30
            while httpx.get(f"{urls[0]}/campaigns/sau-su-co-2027").status_code != 200:
                assert time.monotonic() < deadline, "an event after the restarts did not travel"
                time.sleep(0.2)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
    output = log_path.read_text()
    assert code == 0, output[-3000:]
    assert "events exited with code -9; restarting it in 1 s (restart 1 since start)" in output
    assert "nats-server exited with code -9; restarting it in 1 s (restart 1 since start)" in output


def test_dxday_up_sizes_the_streams_from_the_setting_and_says_so(tmp_path: Path):
    env = {**_stack_env(tmp_path), "DXDAY_DEMO": "0", "DXDAY_STREAM_MAX_BYTES": str(256 * 1024**2)}
    log_path = tmp_path / "up.log"
    urls = [f"http://127.0.0.1:{env[f'DXDAY_{n.upper()}_PORT']}" for n in SERVICE_NAMES]
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            _wait_ready(urls, proc)
            monitor = f"http://127.0.0.1:{env['DXDAY_NATS_MONITOR_PORT']}"
            streams = httpx.get(f"{monitor}/jsz?streams=true&config=true").json()["account_details"][0]["stream_detail"]
            assert {s["name"]: s["config"]["max_bytes"] for s in streams} == {
                spec.name: 256 * 1024**2 for spec in STREAMS}
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    assert f"JetStream: {len(STREAMS)} streams × 0.25 GiB at most" in log_path.read_text()


def _service_waiting_for_nats(tmp_path: Path, name: str, **env_extra: str) -> tuple[subprocess.Popen, Path, str]:
    """One service started as its own process with a NATS URL nobody listens on (yet)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXDAY_")}
    env.update(DXDAY_DATA_DIR=str(tmp_path / "var"), DXDAY_CHECKIN_SECRET="s",
               DXDAY_LOG_FORMAT="text",
               **{f"DXDAY_{name.upper()}_PORT": str(port)}, **env_extra)
    env.setdefault("DXDAY_NATS_URL", f"nats://127.0.0.1:{free_port()}")
    log_path = tmp_path / f"{name}.log"
    proc = subprocess.Popen([sys.executable, "-m", f"services.{name}"], env=env, stdout=log_path.open("wb"),
                            stderr=subprocess.STDOUT)
    return proc, log_path, f"http://127.0.0.1:{port}"


def test_a_service_started_before_nats_says_so_answers_healthz_and_stops_on_sigterm(tmp_path: Path):
    nats_port = free_port()
    proc, log_path, url = _service_waiting_for_nats(tmp_path, "events",
                                                    DXDAY_NATS_URL=f"nats://127.0.0.1:{nats_port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 503
        while "waiting for NATS at" not in log_path.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert f"nats://127.0.0.1:{nats_port}" in log_path.read_text() and "(attempt 1)" in log_path.read_text()
        from launcher.natsserver import NatsServer

        with NatsServer(port=nats_port, sync_always=False):  # NATS arrives: the service gets ready
            deadline = time.monotonic() + 30
            while httpx.get(f"{url}/readyz", timeout=5).status_code != 200:
                assert time.monotonic() < deadline, log_path.read_text()[-2000:]
                time.sleep(0.3)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - started < 10, "SIGTERM took too long"
    assert code in (0, -signal.SIGTERM), log_path.read_text()[-2000:]  # uvicorn ends by re-raising the signal
    assert "Application shutdown complete" in log_path.read_text() and "Traceback" not in log_path.read_text()


def test_a_service_waiting_for_nats_stops_within_ten_seconds_of_sigterm(tmp_path: Path):
    proc, log_path, _url = _service_waiting_for_nats(tmp_path, "registration")
    deadline = time.monotonic() + 30
    while "waiting for NATS at" not in log_path.read_text():
        assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
        time.sleep(0.2)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(20)
    assert time.monotonic() - started < 10 and code in (0, -signal.SIGTERM), log_path.read_text()[-2000:]


def test_a_spoofed_forwarded_for_from_loopback_does_not_reset_the_limits(tmp_path: Path):
    proc, _log, url = _service_waiting_for_nats(tmp_path, "registration", DXDAY_FORM_RATE_PER_MINUTE="2")
    try:
        deadline = time.monotonic() + 30
        while True:  # it serves while it waits for NATS: enough for the limits
            assert proc.poll() is None and time.monotonic() < deadline
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        codes = [httpx.post(f"{url}/campaigns/c/participants", json={}, timeout=5,
                            headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
        assert codes[2:] == [429, 429], codes  # the address is the connection's, not the header's
    finally:
        proc.kill()
        proc.wait(10)
