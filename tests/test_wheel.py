"""What a container meets, without Docker: the built wheel, installed into a root-owned environment,
run by an unprivileged user from a read-only working directory with docker-compose.yml's environment
(PostgreSQL, a data volume per service). The image's Dockerfile does the same: /app root-owned,
/data the only place the service may write."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from shared.platform.config import SERVICE_NAMES, Settings
from tests.conftest import Databases
from tests.registration_support import participant_body
from tests.support import eventually, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
SECRETS = {"DXDAY_CHECKIN_SECRET": "compose-checkin-secret",
           **{f"DXDAY_NATS_{n.upper()}_PASSWORD": f"nats-{n}" for n in SERVICE_NAMES}}


def compose_environment(service: str) -> dict[str, str]:
    """The service's environment as docker compose gives it: anchors merged, ``${VAR:?}`` and
    ``${VAR:-default}`` filled from SECRETS or their defaults."""
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]["environment"]

    def fill(value: str) -> str:
        def one(m: re.Match[str]) -> str:
            name, op, rest = m.group(1), m.group(2), m.group(3)
            if name in SECRETS:
                return SECRETS[name]
            assert op == ":-", f"{name} must be set for compose"
            return rest
        return re.sub(r"\$\{(\w+)(:\?|:-)([^}]*)\}", one, str(value))

    return {k: fill(v) for k, v in raw.items()}


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """The wheel built from a copy of the sources (as the Dockerfile copies them), installed into a
    root-owned environment of Debian's Python 3.11 that any user may run but only root may change.
    Its dependencies are the ones this checkout already installed (a .pth file points at them)."""
    debian_python = Path("/usr/bin/python3.11")
    assert debian_python.exists(), "Debian's python3.11 is needed to run the wheel as another user"
    root = Path(tempfile.mkdtemp(prefix="dxday-wheel-", dir="/tmp"))
    try:
        root.chmod(0o755)
        src = root / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, src / name)
        for name in ("shared", "services", "launcher"):
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "wheel", "--no-deps", "-w", str(root / "dist"), str(src)], check=True,
                       capture_output=True, timeout=300)
        [wheel] = (root / "dist").glob("dxday-*.whl")
        venv = root / "venv"
        subprocess.run([str(debian_python), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
        subprocess.run([*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index",
                        str(wheel)], check=True, capture_output=True, timeout=120)
        [site] = (venv / "lib").glob("python3*/site-packages")
        deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "fastapi").exists())
        (site / "dxday-dependencies.pth").write_text(f"{deps}\n")
        assert not (site / "services" / "__init__.py").is_symlink()
        for path in [venv, *venv.rglob("*")]:  # what a container's root-owned /app is to its user
            path.chmod(path.stat().st_mode & ~(stat.S_IWGRP | stat.S_IWOTH))
        yield venv
    finally:
        shutil.rmtree(root, ignore_errors=True)


def as_unprivileged(argv: list[str]) -> list[str]:
    """Run as nobody when we are root; an unprivileged caller already is what a container's user is."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


@dataclass
class Container:
    """Three services started as a container runs them: own volume, read-only working directory."""

    workdir: Path
    logs: Path
    urls: dict[str, str] = field(default_factory=dict)
    volumes: dict[str, Path] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    installed: Path | None = None

    @property
    def app_dir(self) -> Path:
        return self.workdir / "app"

    def start(self, installed: Path, settings: Settings) -> None:
        self.workdir.chmod(0o755)  # a path the service's user can walk, as / is in a container
        self.app_dir.mkdir()  # the working directory: read-only, as /app in the image
        ports = {name: free_port() for name in SERVICE_NAMES}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name in SERVICE_NAMES:
            env = compose_environment(name)
            assert env["DXDAY_DATA_DIR"] == "/data"
            volume = self.volumes[name] = self.workdir / f"{name}-data"  # its volume, its user's only
            volume.mkdir(mode=0o700)
            if os.geteuid() == 0:
                os.chown(volume, NOBODY, NOBODY)
            env.update({
                "DXDAY_DATA_DIR": str(volume), "DXDAY_NATS_URL": settings.nats_url or "",
                "DXDAY_STREAM_REPLICAS": "1",  # one test nats-server, not compose's three
                "DXDAY_HTTP_HOST": "127.0.0.1",
                **{f"DXDAY_{n.upper()}_PORT": str(p) for n, p in ports.items()},
                **{f"DXDAY_{n.upper()}_PUBLIC_URL": u for n, u in self.urls.items()},
                **{f"DXDAY_{n.upper()}_DB_URL": settings.db_url_of(n) for n in SERVICE_NAMES},
                "PATH": f"{installed / 'bin'}:/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"})
            for key in ("DXDAY_NATS_USER", "DXDAY_NATS_PASSWORD"):  # the test server has no users
                env.pop(key, None)
            self.envs[name], self.installed = env, installed
            self.procs[name] = subprocess.Popen(
                as_unprivileged([str(installed / "bin" / "dxday"), "service", name]), cwd=self.app_dir, env=env,
                stdout=(self.logs / f"{name}.log").open("wb"), stderr=subprocess.STDOUT)
        self.app_dir.chmod(0o555)

    def sign_in_link(self) -> str:
        """``docker compose exec identity dxday sign-in-link``: the administrator's first sign-in."""
        assert self.installed is not None
        made = subprocess.run(as_unprivileged([str(self.installed / "bin" / "dxday"), "sign-in-link"]),
                              cwd=self.app_dir, env=self.envs["identity"], capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().rsplit(" ", 1)[1]

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def running(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} exited with {proc.returncode}:\n{self.log(name)[-3000:]}"

    def wrote_message(self) -> bool:
        messages = self.volumes["notifications"] / "messages"
        return messages.exists() and any(messages.glob("*.txt"))

    def check_files(self) -> None:
        assert list(self.app_dir.iterdir()) == []  # nothing written beside the code
        for volume in self.volumes.values():
            for path in volume.rglob("*"):
                mode = stat.S_IMODE(path.stat().st_mode)
                assert mode & 0o077 == 0, f"{path} is readable by others ({mode:o})"
                if os.geteuid() == 0:
                    assert path.stat().st_uid == NOBODY, f"{path} not owned by the service's user"

    def stop(self) -> None:
        """A container stop: SIGTERM, and every service gone within 10 s, without a traceback."""
        for proc in self.procs.values():
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, proc in self.procs.items():
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            assert "Traceback" not in self.log(name) and "PermissionError" not in self.log(name), self.log(name)

    def remove(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if self.app_dir.exists():
            self.app_dir.chmod(0o755)
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    box = Container(Path(tempfile.mkdtemp(prefix="dxday-run-", dir="/tmp")), tmp_path)
    try:
        yield box
    finally:
        box.remove()


async def test_the_built_wheel_runs_as_an_unprivileged_user_from_a_read_only_directory(
        installed: Path, postgres_settings: Settings, postgres_databases: Databases, container: Container):
    postgres_settings = postgres_settings.model_copy(
        update={"identity_db_url": await postgres_databases.url("identity")})
    container.start(installed, postgres_settings)
    async with httpx.AsyncClient(timeout=10) as http:
        async def ready() -> bool:
            container.running()
            return all([(await http.get(f"{u}/readyz")).status_code == 200 for u in container.urls.values()])
        await eventually(ready, timeout=90, what="the three services ready")
        await walk_through(http, container.urls, container.sign_in_link())

        async def written() -> bool:
            return container.wrote_message()
        await eventually(written, timeout=30, what="the seat notice written by the file channel")
    container.check_files()
    container.stop()


async def walk_through(http: httpx.AsyncClient, urls: dict[str, str], link: str) -> None:
    """The administrator signs in with the link the installation printed and sets up a workshop, a person
    signs up and reserves; pages, docs and the ticket work."""
    assert link.startswith(f"{urls['identity']}/sign-in/")
    signed = await http.post(f"{urls['identity']}/sessions", json={"link": link.rsplit("/sign-in/", 1)[1]})
    assert signed.status_code == 201, signed.text
    organizer = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    campaign = {"campaign_id": "quang-ngai-2027", "year": 2027, "theme": "Chuyển đổi số vì người dân",
                "organizer": "Sở KH&CN Quảng Ngãi", "locality": "Quảng Ngãi"}
    r = await http.post(f"{urls['events']}/campaigns", json=campaign, headers=organizer)
    assert r.status_code == 201, r.text
    cid = campaign["campaign_id"]
    room = await http.post(f"{urls['events']}/campaigns/{cid}/rooms", headers=organizer,
                           json={"name": "Hội trường A", "seats": 20})
    assert room.status_code == 201, room.text
    workshop = await http.post(f"{urls['events']}/campaigns/{cid}/workshops", headers=organizer, json={
        "title": "Ký số cho hộ kinh doanh", "room_id": room.json()["id"],
        "start": "2027-10-05T08:00:00+07:00", "end": "2027-10-05T10:00:00+07:00"})
    assert workshop.status_code == 201, workshop.text
    wid = workshop.json()["workshop_id"]

    async def known() -> bool:
        return (await http.get(f"{urls['registration']}/campaigns/{cid}")).status_code == 200
    await eventually(known, timeout=30, what="the campaign known to registration")
    signed = await http.post(f"{urls['registration']}/campaigns/{cid}/participants",
                             json=participant_body(channels=["file"]))
    assert signed.status_code == 201, signed.text
    pid = signed.json()["participant"]["id"]

    async def reserved() -> dict[str, Any] | None:  # the office reserves for the person it names
        r = await http.post(f"{urls['events']}/workshops/{wid}/seats", headers=organizer, json={"participant_id": pid})
        return r.json() if r.status_code == 201 else None
    seat = await eventually(reserved, timeout=30, what="a seat")
    checked = await http.post(f"{urls['events']}/checkin", json={"token": seat["checkin_code"]}, headers=organizer)
    assert checked.status_code == 200, checked.text

    schedule = await http.get(f"{urls['events']}/schedule/{cid}?day=2027-10-05")
    assert schedule.status_code == 200 and "Ký số cho hộ kinh doanh" in schedule.text  # templates are packaged
    assert "Hội thảo, tập huấn" in schedule.text  # and the catalogues: the page reads in Vietnamese, not in msgids
    again = await http.post(f"{urls['events']}/checkin", json={"token": seat["checkin_code"]}, headers=organizer)
    assert again.status_code == 409 and again.json()["error"]["message"].startswith("Vé đã được dùng lúc")
    for name, url in urls.items():
        for path in ("/docs", "/asyncapi.yaml", "/openapi.json", "/static/dxday.css"):
            r = await http.get(url + path)
            assert r.status_code == 200, (name, path, r.status_code)
