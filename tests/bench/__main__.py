"""`make bench`: the real stack as `dxday up` runs it (embedded NATS with fsync on every write, SQLite),
the limits of this machine measured in the same run, then the scenarios; one Markdown table on
stdout and the raw figures as JSON under the data dir.

    python -m tests.bench [--seconds 30] [--e2e-seconds 60] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx
import nats
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from launcher.nats_auth import OPERATOR, embedded_passwords
from tests.bench import CAMPAIGN, YEAR
from tests.bench.fanout import consumption, fan_out
from tests.bench.load import run_in_process
from tests.registration_support import valid_tax_codes
from tests.support import TEST_ISSUER, AdministratorSession, free_port

DAYS = [f"{YEAR}-10-{d:02d}" for d in range(1, 11)]


def say(line: str) -> None:
    print(f"bench | {line}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Stack:
    """`dxday up` in a child process, on free ports and a fresh data dir."""

    def __init__(self, data_dir: Path, db_urls: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.db_urls = db_urls or {}
        self.ports = {name: free_port() for name in ("registration", "events", "notifications", "identity", "nats",
                                                     "monitor")}
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("DXDAY_")},
                    "DXDAY_DATA_DIR": str(data_dir), "DXDAY_DEMO": "0",
                    "DXDAY_LOG_LEVEL": "WARNING", "DXDAY_NATS_PORT": str(self.ports["nats"]),
                    "DXDAY_NATS_MONITOR_PORT": str(self.ports["monitor"]),
                    "DXDAY_FORM_RATE_PER_MINUTE": "100000000", "DXDAY_FAILED_TOKEN_LIMIT_PER_MINUTE": "100000000",
                    "DXDAY_CHANNEL_RATES": "", "DXDAY_QUIET_HOURS": "", "DXDAY_COALESCE_SECONDS": "0",
                    "DXDAY_UNCONFIGURED_CHANNELS": "discard",
                    # people sign in through a single sign-on on loopback: tokens for many people at once
                    "DXDAY_OIDC_ISSUER": TEST_ISSUER.url,
                    **{f"DXDAY_{n.upper()}_DB_URL": u for n, u in self.db_urls.items()},
                    **{f"DXDAY_{n.upper()}_PORT": str(self.ports[n]) for n in ("registration", "events",
                                                                              "notifications", "identity")}}
        self.proc: subprocess.Popen[bytes] | None = None
        self.administrator: AdministratorSession | None = None

    def organizer(self) -> dict[str, str]:
        """The national administrator's header, signed in once with the installation's one-time link."""
        if self.administrator is None:
            self.administrator = AdministratorSession(self.env, self.url("identity"))
        return self.administrator.header()

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports['nats']}"

    def db_url(self, service: str) -> str:
        return self.db_urls.get(service) or f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def start(self) -> None:
        log = (self.data_dir / "stack.log").open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up"], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        for service in ("registration", "events", "notifications"):
            while True:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the stack did not start; see {self.data_dir / 'stack.log'}")
                try:
                    if httpx.get(f"{self.url(service)}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)

    def rss_mb(self, service: str) -> float:
        """Resident memory of one service process, from /proc."""
        out = subprocess.run(["pgrep", "-f", f"launcher.cli service {service}"], capture_output=True, text=True)
        total = 0.0
        for pid in out.stdout.split():
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
        return total


def prepare_campaign(stack: Stack, booths: int) -> None:
    org = stack.organizer()
    r = httpx.post(f"{stack.url('events')}/campaigns", headers=org, timeout=30, json={
        "campaign_id": CAMPAIGN, "year": YEAR, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
        "locality": "Quảng Ngãi"})
    r.raise_for_status()
    deadline = time.monotonic() + 30
    while httpx.get(f"{stack.url('registration')}/campaigns/{CAMPAIGN}").status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the campaign did not reach registration")
        time.sleep(0.2)
    httpx.post(f"{stack.url('registration')}/campaigns/{CAMPAIGN}/venues", headers=org, timeout=60, json={
        "name": "Khu trưng bày", "address": "Quảng Ngãi",
        "booths": [{"code": f"B{i:04d}", "days": DAYS} for i in range(booths)]}).raise_for_status()


# --- limits -----------------------------------------------------------------------------------------------
async def nats_limits(stack: Stack, messages: int, size: int) -> dict[str, float]:
    """Raw nats-py on the same server: pipelined JetStream publish, then pull-consume-ack."""
    password = embedded_passwords(stack.data_dir)[OPERATOR]
    nc = await nats.connect(f"nats://127.0.0.1:{stack.ports['nats']}", user=OPERATOR, password=password)
    js = nc.jetstream(timeout=30)
    await js.add_stream(name="BENCH", subjects=["bench.>"])
    body = b"x" * size
    started = time.perf_counter()
    for i in range(0, messages, 500):
        await asyncio.gather(*(js.publish("bench.raw", body) for _ in range(min(500, messages - i))))
    published = messages / (time.perf_counter() - started)
    sub = await js.pull_subscribe("bench.raw", durable="bench-raw")
    got, started = 0, time.perf_counter()
    while got < messages:
        batch = await sub.fetch(200, timeout=5)
        for m in batch:
            await m.ack()
        got += len(batch)
    consumed = messages / (time.perf_counter() - started)
    await js.delete_stream("BENCH")
    await nc.close()
    return {"publish_per_s": published, "consume_ack_per_s": consumed}


def sqlite_inserts(path: Path, rows: int) -> float:
    """Raw inserts of business-like rows, one transaction each, as the services commit (WAL, BEGIN IMMEDIATE)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT, tax_code TEXT, email TEXT, created_at TEXT)")
    started = time.perf_counter()
    for i in range(rows):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", (f"id-{i}", f"Công ty {i}", f"{i:010d}",
                                                           f"a{i}@example.vn", dt.datetime.now(dt.UTC).isoformat()))
        db.execute("COMMIT")
    per_s = rows / (time.perf_counter() - started)
    db.close()
    return per_s


# --- scenarios --------------------------------------------------------------------------------------------
class Profile:
    """py-spy on one service for the length of a scenario (``--profile``); nothing when off."""

    def __init__(self, on: bool, stack: Stack, service: str, out: Path, seconds: int) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.out = out
        if not on:
            return
        pids = subprocess.run(["pgrep", "-f", f"launcher.cli service {service}"], capture_output=True,
                              text=True).stdout.split()
        spy = Path(sys.executable).with_name("py-spy")
        if pids and spy.exists():
            self.proc = subprocess.Popen([str(spy), "record", "-r", "100", "-d", str(seconds), "-f", "raw",
                                          "-o", str(out), "-p", pids[0]], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.wait(120)

    def heaviest(self, n: int = 12) -> list[str]:
        """The frames with the most samples, idle waits left out, as 'share  frame'."""
        if not self.out.exists():
            return []
        from collections import Counter

        counts: Counter[str] = Counter()
        total = 0
        for line in self.out.read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            frames = stack.split(";")
            if not frames or any(idle in frames[-1] for idle in ("select (selectors", "core.py:59", "wait (threading")):
                continue
            total += int(samples)
            for frame in set(frames):
                counts[frame] += int(samples)
        return [f"{c / total:6.1%}  {f}" for f, c in counts.most_common(60)
                if "services/" in f or "shared/" in f][:n] if total else []


def load(pool: ProcessPoolExecutor, kind: str, **kwargs: Any) -> dict[str, Any]:
    return pool.submit(run_in_process, kind, kwargs).result()


def summary(result: dict[str, Any]) -> dict[str, Any]:
    lat = result["latencies_ms"]
    return {"per_s": result["count"] / result["seconds"], "count": result["count"],
            "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
            "errors": sum(result["errors"].values()), "error_kinds": result["errors"]}


async def end_to_end(stack: Stack, since: dt.datetime) -> dict[str, Any]:
    """Booth application committed (registration) -> its notice handed to the channel (notifications)."""
    reg = create_async_engine(stack.db_url("registration"))
    async with reg.connect() as conn:
        committed = {b: _aware(c) for b, c in await conn.execute(sa.text(
            "SELECT business_id, created_at FROM booth_applications WHERE created_at >= :since"),
            {"since": since.replace(tzinfo=None) if "sqlite" in stack.db_url("registration") else since})}
    await reg.dispose()
    notes = create_async_engine(stack.db_url("notifications"))
    deadline = time.monotonic() + 120
    while True:
        async with notes.connect() as conn:
            sent = {r: _aware(at) for r, at in await conn.execute(sa.text(
                "SELECT recipient_id, sent_at FROM notifications WHERE status = 'sent' AND template IN "
                "('booth_confirmed', 'booth_waitlisted')"))}
        if committed.keys() <= sent.keys() or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    await notes.dispose()
    delays = [(sent[b] - c).total_seconds() * 1000 for b, c in committed.items() if b in sent]
    return {"applications": len(committed), "notified": len(delays), "p50_ms": percentile(delays, 50),
            "p99_ms": percentile(delays, 99), "mean_ms": statistics.fmean(delays) if delays else float("nan")}


def _aware(value: Any) -> dt.datetime:
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def contention(stack: Stack, pool: ProcessPoolExecutor, workshops: int, seats: int, people: int,
               workers: int) -> dict[str, Any]:
    """``people`` reservations spread over ``workshops`` of ``seats`` seats, all at once."""
    org = stack.organizer()
    events = stack.url("events")
    ids = []
    for i in range(workshops):
        room = httpx.post(f"{events}/campaigns/{CAMPAIGN}/rooms", headers=org, timeout=30,
                          json={"name": f"Phòng {i:03d}", "seats": seats}).json()
        day, hour = 1 + i % 10, 7 + (i // 10) % 12
        w = httpx.post(f"{events}/campaigns/{CAMPAIGN}/workshops", headers=org, timeout=30, json={
            "title": f"Tập huấn kỹ năng số {i:03d}", "room_id": room["id"],
            "start": f"{YEAR}-10-{day:02d}T{hour:02d}:00:00+07:00",
            "end": f"{YEAR}-10-{day:02d}T{hour:02d}:50:00+07:00"})
        w.raise_for_status()
        ids.append(w.json()["workshop_id"])
    say(f"contention: signing up {people:,} participants")
    signed = load(pool, "participants", registration=stack.url("registration"), campaign=CAMPAIGN, n=people,
                  workers=workers, issuer=TEST_ISSUER.signing())
    say(f"contention: {people:,} reservations over {workshops} workshops of {seats} seats")
    result = summary(load(pool, "reservations", events=events, workshops=ids, tokens=signed.pop("tokens"),
                          workers=workers))
    over = []
    for wid in ids:
        view = httpx.get(f"{events}/workshops/{wid}", timeout=30).json()
        if view["confirmed"] > seats:
            over.append(wid)
    result.update({"workshops": workshops, "seats": seats, "people": people, "overbooked_workshops": len(over),
                   "signups_per_s": signed["count"] / signed["seconds"]})
    return result


def rabbitmq_reachable(url: str) -> str | None:
    host, _, port = url.split("@")[-1].split("/")[0].partition(":")
    try:
        socket.create_connection((host, int(port or 5672)), timeout=2).close()
    except OSError as exc:
        return f"RabbitMQ not reachable at {host}:{port or 5672} ({exc})"
    return None


def celery_fan_out(run_dir: Path, n: int) -> dict[str, Any]:
    """The peer's fan-out: one Celery task per notice, 2 worker processes (one per core)."""
    os.environ["DXDAY_BENCH_PEER_DB"] = str(run_dir / "peer.db")
    from tests.bench import celery_peer

    why = rabbitmq_reachable(celery_peer.AMQP_URL)
    if why:
        return {"available": False, "why": why}
    celery_peer.prepare([f"p{i}" for i in range(n)])
    celery_peer.app.control.purge()
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "tests.bench.celery_peer", "worker", "-c",
                               str(os.cpu_count() or 2), "--loglevel=WARNING", "--without-gossip",
                               "--without-mingle", "--without-heartbeat"], env=os.environ.copy(),
                              stdout=(run_dir / "celery.log").open("ab"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not celery_peer.app.control.ping(timeout=1):
            if worker.poll() is not None or time.monotonic() > deadline:
                return {"available": False, "why": f"the Celery worker did not start; see {run_dir / 'celery.log'}"}
        started = time.perf_counter()
        celery_peer.reschedule.delay("w1")
        last = 0.0
        while (done := celery_peer.sent()) < n:
            elapsed = time.perf_counter() - started
            if elapsed - last >= 5:
                say(f"  peer: {done:,}/{n:,} notices after {elapsed:.0f} s")
                last = elapsed
            if elapsed > 900:
                return {"available": True, "finished": False, "sent": done, "seconds": elapsed}
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
    return {"available": True, "finished": True, "holders": n, "seconds": seconds, "per_s": n / seconds}


async def postgres_databases(base_url: str, run: str) -> dict[str, str]:
    """Fresh databases for the three services next to the given one (dropped first if left over)."""
    import asyncpg

    plain = base_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    urls = {}
    for service in ("registration", "events", "notifications"):
        name = f"dxday_bench_{service}"
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
        urls[service] = base_url.rsplit("/", 1)[0] + f"/{name}"
    await conn.close()
    return urls


def _ratio(a: float, b: float) -> str:
    if not b:
        return "n/a"
    return f"{a / b:.0%}" if a / b >= 0.1 else f"{a / b:.1%}"


def table(results: dict[str, Any]) -> str:
    limits, cmd, e2e = results["limits"], results["commands"], results["end_to_end"]
    con, fan, peer = results["contention"], results["fan_out"], results["peer"]
    rows = [
        ("limit: raw JetStream publish (pipelined, 600 B)", f"{limits['publish_per_s']:,.0f} msg/s", "", ""),
        ("limit: raw pull-consume-ack (same messages)", f"{limits['consume_ack_per_s']:,.0f} msg/s", "", ""),
        ("limit: bare HTTP GET /healthz (same client)", f"{limits['http']['per_s']:,.0f} req/s",
         f"p99 {limits['http']['p99_ms']:.1f} ms", ""),
        ("limit: raw SQLite inserts, one transaction each", f"{limits['sqlite_inserts_per_s']:,.0f} rows/s", "", ""),
        ("commands: register business + apply for a booth", f"{cmd['per_s']:,.0f} cmd/s",
         f"p50 {cmd['p50_ms']:.1f} / p95 {cmd['p95_ms']:.1f} / p99 {cmd['p99_ms']:.1f} ms",
         f"{_ratio(cmd['per_s'], limits['http']['per_s'])} of bare HTTP; target ≥ 1,500/s, p99 ≤ 50 ms; "
         f"errors {cmd['errors']}"),
        (f"contention: {con['people']:,} reservations, {con['workshops']} workshops × {con['seats']} seats",
         f"{con['per_s']:,.0f} res/s", f"p50 {con['p50_ms']:.1f} / p99 {con['p99_ms']:.1f} ms",
         f"overbooked workshops: {con['overbooked_workshops']}; errors {con['errors']}"),
    ]
    for f in fan:
        sink = "null channel (discarded)" if f["channel"] != "file" else "file channel"
        rows.append((f"fan-out: {f['holders']:,} holders rescheduled, {sink}",
                     f"{f['per_s']:,.0f} notices/s", f"{f['seconds']:.1f} s",
                     f"peak RSS {f['peak_rss_mb']:.0f} MB; target ≤ 10 s, ≤ 300 MB" if f["channel"] != "file" else
                     f"peak RSS {f['peak_rss_mb']:.0f} MB"))
    use = results["consumption"]
    rows.append((f"event consumption by notifications ({use['events']:,} events, handlers + inbox + commit)",
                 f"{use['per_s']:,.0f} events/s", f"{use['seconds']:.1f} s",
                 f"{_ratio(use['per_s'], limits['consume_ack_per_s'])} of raw pull-consume-ack; target ≥ 50 %; "
                 + ", ".join(f"{what} {rate:,.0f}/s" for what, rate in use.get("per_type_per_s", {}).items())))
    null = next((f for f in fan if f["channel"] != "file"), None)
    if peer.get("available") and peer.get("finished") and null:
        rows.append((f"peer: Celery over RabbitMQ, {peer['holders']:,} notices, one task each, "
                     f"{os.cpu_count()} workers", f"{peer['per_s']:,.0f} notices/s", f"{peer['seconds']:.1f} s",
                     f"dxday's fan-out rate is {null['per_s'] / peer['per_s']:.1f}× the peer's; target ≥ 3×"))
    else:
        rows.append(("peer: Celery over RabbitMQ", "not measured", "", peer.get("why", "did not finish")))
    rows.append((f"end-to-end: commit → notice sent, at {results['e2e_rate']:.0f} cmd/s",
                 f"{e2e['notified']:,}/{e2e['applications']:,} notified",
                 f"p50 {e2e['p50_ms']:.0f} / p99 {e2e['p99_ms']:.0f} ms", "target p99 ≤ 250 ms"))
    lines = ["| measure | rate | latency / time | ratio / target |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--seconds", type=float, default=30.0, help="commands scenario length")
    parser.add_argument("--e2e-seconds", type=float, default=60.0, help="end-to-end scenario length")
    parser.add_argument("--workers", type=int, default=50, help="concurrent clients")
    parser.add_argument("--holders", type=int, default=100_000, help="seat holders of the fan-out workshop")
    parser.add_argument("--consumed", type=int, default=2_500, help="new seat holders whose events are consumed")
    parser.add_argument("--peer", type=int, default=20_000, help="notices of the Celery peer's fan-out")
    parser.add_argument("--postgres", metavar="URL", help="run the services on PostgreSQL (fresh databases "
                        "next to the one in URL, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)")
    parser.add_argument("--profile", action="store_true", help="py-spy profiles of the busiest services")
    parser.add_argument("--quick", action="store_true", help="short runs, to check the bench itself")
    args = parser.parse_args(argv)
    people, workshops = 10_000, 200
    if args.quick:
        args.seconds, args.e2e_seconds, args.holders, people, workshops = 5.0, 5.0, 2_000, 1_000, 20
        args.consumed, args.peer = 500, 2_000
    data_dir = Path(os.environ.get("DXDAY_DATA_DIR", "var")) / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=data_dir))
    db_urls = asyncio.run(postgres_databases(args.postgres, run_dir.name)) if args.postgres else {}
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                           "platform": platform.platform()},
                               "started": dt.datetime.now(dt.UTC).isoformat(),
                               "database": "postgresql" if args.postgres else "sqlite", "args": vars(args)}
    stack = Stack(run_dir, db_urls)
    say(f"starting the stack in {run_dir} ({results['database']})")
    stack.start()
    try:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            say("limits: raw JetStream publish and pull-consume-ack (20,000 x 600 B)")
            results["limits"] = asyncio.run(nats_limits(stack, 20_000, 600))
            say("limits: bare HTTP for 10 s")
            results["limits"]["http"] = summary(load(pool, "gets", url=f"{stack.url('registration')}/healthz",
                                                     workers=args.workers, seconds=10.0))
            say("limits: raw SQLite inserts (5,000)")
            results["limits"]["sqlite_inserts_per_s"] = sqlite_inserts(run_dir / "raw.db", 5_000)
            prepare_campaign(stack, booths=300)
            rounds = int(args.seconds * 2_000) + int(args.e2e_seconds * 200) + 1_000
            say(f"preparing {rounds:,} tax codes")
            codes = valid_tax_codes(rounds, start=20_000_000)
            say(f"commands: {args.workers} clients for {args.seconds:.0f} s")
            split = int(args.seconds * 2_000)
            with Profile(args.profile, stack, "registration", run_dir / "profile-registration-commands.txt",
                         int(args.seconds)) as commands_profile:
                results["commands"] = summary(load(pool, "commands", registration=stack.url("registration"),
                                                   campaign=CAMPAIGN, days=DAYS, tax_codes=codes[:split],
                                                   workers=args.workers, seconds=args.seconds,
                                                   issuer=TEST_ISSUER.signing()))
            results["contention"] = contention(stack, pool, workshops, 40, people, args.workers)
            results["fan_out"] = []
            with Profile(args.profile, stack, "notifications", run_dir / "profile-notifications-fan-out.txt",
                         60) as fan_out_profile:
                for channel, n in (("email", args.holders), ("file", max(args.holders // 5, 1))):
                    results["fan_out"].append(asyncio.run(fan_out(stack, stack.organizer(), CAMPAIGN, n, channel, say)))
            with Profile(args.profile, stack, "notifications", run_dir / "profile-notifications-consumption.txt",
                         30) as consumption_profile:
                results["consumption"] = asyncio.run(consumption(stack, stack.organizer(), CAMPAIGN, args.consumed,
                                                                 say))
            time.sleep(2)
            results["e2e_rate"] = 200.0
            since = dt.datetime.now(dt.UTC)
            say(f"end-to-end: 200 commands/s for {args.e2e_seconds:.0f} s")
            results["e2e_load"] = summary(load(pool, "commands", registration=stack.url("registration"),
                                               campaign=CAMPAIGN, days=DAYS, tax_codes=codes[split:],
                                               workers=args.workers, seconds=args.e2e_seconds, rate=100.0,
                                               issuer=TEST_ISSUER.signing()))
            results["end_to_end"] = asyncio.run(end_to_end(stack, since))
            results["rss_mb"] = {s: stack.rss_mb(s) for s in ("registration", "events", "notifications")}
    finally:
        stack.stop()
    say(f"peer: Celery over RabbitMQ, {args.peer:,} notices")
    results["peer"] = celery_fan_out(run_dir, args.peer)
    out = data_dir / f"bench-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    if args.profile:
        for name, prof in (("registration, commands", commands_profile), ("notifications, fan-out", fan_out_profile),
                           ("notifications, consumption", consumption_profile)):
            print(f"\nheaviest frames ({name}; {prof.out}):")
            print("\n".join(prof.heaviest()) or "(no profile: py-spy missing or no permission)")
    say(f"raw figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
