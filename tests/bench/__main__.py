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

from shared.nats_auth import OPERATOR, embedded_passwords
from tests.bench.load import run_in_process
from tests.registration_support import valid_tax_codes
from tests.support import free_port

TOKEN = "bench-organizer-token"
CAMPAIGN = "bench-2026"
DAYS = [f"2026-10-{d:02d}" for d in range(1, 11)]


def say(line: str) -> None:
    print(f"bench | {line}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Stack:
    """`dxday up` in a child process, on free ports and a fresh data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.ports = {name: free_port() for name in ("registration", "events", "notifications", "nats", "monitor")}
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("DXDAY_")},
                    "DXDAY_DATA_DIR": str(data_dir), "DXDAY_DEMO": "0", "DXDAY_ORGANIZER_TOKEN": TOKEN,
                    "DXDAY_LOG_LEVEL": "WARNING", "DXDAY_NATS_PORT": str(self.ports["nats"]),
                    "DXDAY_NATS_MONITOR_PORT": str(self.ports["monitor"]),
                    "DXDAY_FORM_RATE_PER_MINUTE": "100000000", "DXDAY_FAILED_TOKEN_LIMIT_PER_MINUTE": "100000000",
                    "DXDAY_CHANNEL_RATES": "", "DXDAY_QUIET_HOURS": "", "DXDAY_COALESCE_SECONDS": "0",
                    **{f"DXDAY_{n.upper()}_PORT": str(self.ports[n]) for n in ("registration", "events",
                                                                              "notifications")}}
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> None:
        log = (self.data_dir / "stack.log").open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "up"], env=self.env, stdout=log,
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
        out = subprocess.run(["pgrep", "-f", f"shared.cli service {service}"], capture_output=True, text=True)
        total = 0.0
        for pid in out.stdout.split():
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
        return total


def prepare_campaign(stack: Stack, booths: int) -> None:
    org = {"Authorization": f"Bearer {TOKEN}"}
    r = httpx.post(f"{stack.url('events')}/campaigns", headers=org, timeout=30, json={
        "campaign_id": CAMPAIGN, "year": 2026, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
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
def load(pool: ProcessPoolExecutor, kind: str, **kwargs: Any) -> dict[str, Any]:
    return pool.submit(run_in_process, kind, kwargs).result()


def summary(result: dict[str, Any]) -> dict[str, Any]:
    lat = result["latencies_ms"]
    return {"per_s": result["count"] / result["seconds"], "count": result["count"],
            "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
            "errors": sum(result["errors"].values()), "error_kinds": result["errors"]}


def end_to_end(stack: Stack, since: dt.datetime) -> dict[str, Any]:
    """Booth application committed (registration) -> its notice handed to the channel (notifications)."""
    reg = sqlite3.connect(stack.data_dir / "registration.db")
    committed = {b: dt.datetime.fromisoformat(c) for b, c in reg.execute(
        "SELECT business_id, created_at FROM booth_applications WHERE created_at >= ?",
        (since.replace(tzinfo=None).isoformat(sep=" "),))}
    reg.close()
    deadline = time.monotonic() + 120
    while True:
        notes = sqlite3.connect(stack.data_dir / "notifications.db")
        sent = {r: dt.datetime.fromisoformat(s) for r, s in notes.execute(
            "SELECT recipient_id, sent_at FROM notifications WHERE status = 'sent' AND template IN "
            "('booth_confirmed', 'booth_waitlisted')")}
        notes.close()
        if committed.keys() <= sent.keys() or time.monotonic() > deadline:
            break
        time.sleep(1)
    delays = [(sent[b] - c).total_seconds() * 1000 for b, c in committed.items() if b in sent]
    return {"applications": len(committed), "notified": len(delays), "p50_ms": percentile(delays, 50),
            "p99_ms": percentile(delays, 99), "mean_ms": statistics.fmean(delays) if delays else float("nan")}


def table(results: dict[str, Any]) -> str:
    limits, cmd, e2e = results["limits"], results["commands"], results["end_to_end"]
    rows = [
        ("limit: raw JetStream publish (pipelined, 600 B)", f"{limits['publish_per_s']:,.0f} msg/s", "", ""),
        ("limit: raw pull-consume-ack (same messages)", f"{limits['consume_ack_per_s']:,.0f} msg/s", "", ""),
        ("limit: bare HTTP GET /healthz (same client)", f"{limits['http']['per_s']:,.0f} req/s",
         f"p99 {limits['http']['p99_ms']:.1f} ms", ""),
        ("limit: raw SQLite inserts, one transaction each", f"{limits['sqlite_inserts_per_s']:,.0f} rows/s", "", ""),
        ("commands: register business + apply for a booth", f"{cmd['per_s']:,.0f} cmd/s",
         f"p50 {cmd['p50_ms']:.1f} / p95 {cmd['p95_ms']:.1f} / p99 {cmd['p99_ms']:.1f} ms",
         f"{cmd['per_s'] / limits['http']['per_s']:.0%} of bare HTTP; target ≥ 1,500/s, p99 ≤ 50 ms; "
         f"errors {cmd['errors']}"),
        (f"end-to-end: commit → notice sent, at {results['e2e_rate']:.0f} cmd/s",
         f"{e2e['notified']:,}/{e2e['applications']:,} notified",
         f"p50 {e2e['p50_ms']:.0f} / p99 {e2e['p99_ms']:.0f} ms",
         "target p99 ≤ 250 ms"),
    ]
    lines = ["| measure | rate | latency | ratio / target |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--seconds", type=float, default=30.0, help="commands scenario length")
    parser.add_argument("--e2e-seconds", type=float, default=60.0, help="end-to-end scenario length")
    parser.add_argument("--workers", type=int, default=50, help="concurrent clients")
    parser.add_argument("--quick", action="store_true", help="short runs, to check the bench itself")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.e2e_seconds = 5.0, 5.0
    data_dir = Path(os.environ.get("DXDAY_DATA_DIR", "var")) / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=data_dir))
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                           "platform": platform.platform()},
                               "started": dt.datetime.now(dt.UTC).isoformat(), "database": "sqlite"}
    stack = Stack(run_dir)
    say(f"starting the stack in {run_dir}")
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
            results["commands"] = summary(load(pool, "commands", registration=stack.url("registration"),
                                               campaign=CAMPAIGN, days=DAYS, tax_codes=codes[:split],
                                               workers=args.workers, seconds=args.seconds))
            time.sleep(5)  # let the notices of the burst drain before measuring delay
            results["e2e_rate"] = 200.0
            since = dt.datetime.now(dt.UTC)
            say(f"end-to-end: 200 commands/s for {args.e2e_seconds:.0f} s")
            results["e2e_load"] = summary(load(pool, "commands", registration=stack.url("registration"),
                                               campaign=CAMPAIGN, days=DAYS, tax_codes=codes[split:],
                                               workers=args.workers, seconds=args.e2e_seconds, rate=100.0))
            results["end_to_end"] = end_to_end(stack, since)
            results["rss_mb"] = {s: stack.rss_mb(s) for s in ("registration", "events", "notifications")}
    finally:
        stack.stop()
    out = data_dir / f"bench-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    say(f"raw figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
