"""The ``dxday`` command: ``dxday up`` runs the whole stack on one machine, ``dxday service NAME``
runs one service (for compose files and production)."""

from __future__ import annotations

import argparse
import json
import os
import runpy
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from launcher.nats_auth import OPERATOR, authorization_block, embedded_passwords
from launcher.natsserver import NatsServer, NatsServerError
from shared.contracts.streams import STREAMS
from shared.platform.auth import secret_from_file
from shared.platform.config import SERVICE_NAMES, Settings, load_settings
from shared.platform.runner import PortTaken, check_port_free

READY_TIMEOUT_S = 60.0
GIB = 1024**3
RESTART_BACKOFF_S = (1, 2, 5, 10, 30)  # a process that keeps crashing is restarted less and less often
STABLE_AFTER_S = 60.0  # running this long since its last start: the back-off starts again from 1 s


def stream_budget(settings: Settings) -> tuple[int, str]:
    """Bytes each stream may hold, and the line that says so. Set by DXDAY_STREAM_MAX_BYTES, else half
    the free disk under the data dir shared by the streams, at most 8 GiB each: `make up` starts on a
    small VM instead of asking for 32 GiB it may not have."""
    from shared.contracts.streams import STREAMS

    if settings.stream_max_bytes:
        per = settings.stream_max_bytes
        how = "DXDAY_STREAM_MAX_BYTES"
    else:
        free = shutil.disk_usage(settings.data_dir).free
        per = max(64 * 1024**2, min(8 * GIB, free // 2 // len(STREAMS)))
        how = f"half of the {free / GIB:.1f} GiB free; DXDAY_STREAM_MAX_BYTES changes it"
    return per, (f"JetStream: {len(STREAMS)} streams × {per / GIB:.2f} GiB at most under "
                 f"{settings.data_dir / 'nats'} ({how}); a full stream refuses new events and the outboxes keep them")


def _say(line: str) -> None:
    print(f"dxday        | {line}", flush=True)


def _pdeathsig() -> None:
    """Children die with the launcher, even if it is killed with SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _pump(name: str, stream) -> None:  # type: ignore[no-untyped-def]
    for raw in iter(stream.readline, b""):
        sys.stdout.write(f"{name:<13}| {raw.decode(errors='replace')}")
        sys.stdout.flush()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nats: NatsServer | None = None
        self.passwords: dict[str, str] = {}
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = threading.Event()
        self.env: dict[str, str] = {}
        self.started_at: dict[str, float] = {}
        self.restarts: dict[str, int] = {}  # per process, since `dxday up` started
        self.due: dict[str, float] = {}  # a crashed process is started again at this monotonic time

    def check_ports(self) -> None:
        s = self.settings
        wanted = [(s.port_of(n), f"DXDAY_{n.upper()}_PORT") for n in SERVICE_NAMES]
        if not s.nats_url:
            wanted.append((s.nats_port, "DXDAY_NATS_PORT"))
            if s.nats_monitor_port:
                wanted.append((s.nats_monitor_port, "DXDAY_NATS_MONITOR_PORT"))
        for port, variable in wanted:
            host = s.nats_host if variable.startswith("DXDAY_NATS") else s.http_host
            check_port_free(host, port, variable)

    def start(self) -> None:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        env = dict(os.environ)
        env.setdefault("DXDAY_LOG_FORMAT", "text")
        env["DXDAY_DATA_DIR"] = str(s.data_dir.resolve())
        env["DXDAY_CHECKIN_SECRET"] = s.checkin_secret or secret_from_file(s.data_dir / "checkin-secret")
        per_stream, budget = stream_budget(s)
        if not s.nats_url:
            env["DXDAY_STREAM_MAX_BYTES"] = str(per_stream)
            _say(budget)
        if s.nats_url:
            _say(f"NATS: external {s.nats_url}")
        else:
            self.passwords = embedded_passwords(s.data_dir)  # one NATS user per service, least privilege
            self.nats = NatsServer(
                store_dir=(s.data_dir / "nats").resolve(),
                host=s.nats_host,
                port=s.nats_port,
                monitor_port=s.nats_monitor_port,
                sync_always=s.nats_sync_always,
                log_file=(s.data_dir / "nats-server.log").resolve(),
                extra_config=authorization_block(self.passwords),
                max_file_store=per_stream * len(STREAMS) + 256 * 1024**2,  # every stream full, and room
            ).start()
            self.started_at["nats"] = time.monotonic()
            env["DXDAY_NATS_URL"] = self.nats.url
            sync = self.nats.varz().get("jetstream", {}).get("config", {}).get("sync_always")
            _say(f"NATS: embedded {self.nats.url} (monitoring {self.nats.monitor_url}, fsync every write: {sync})")
        self.env = env
        for name in SERVICE_NAMES:
            self._spawn(name)

    def _spawn(self, name: str) -> None:
        own = dict(self.env)
        if self.passwords:
            own.update(DXDAY_NATS_USER=name, DXDAY_NATS_PASSWORD=self.passwords[name])
        proc = subprocess.Popen(
            [sys.executable, "-m", "launcher.cli", "service", name],
            env=own,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # we stop them in order: services first, NATS last
            preexec_fn=_pdeathsig,
            umask=0o077,  # databases, message files, secrets: 0600 / 0700
        )
        self.children[name] = proc
        self.started_at[name] = time.monotonic()
        threading.Thread(target=_pump, args=(name, proc.stdout), daemon=True).start()

    def await_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        pending = set(SERVICE_NAMES)
        while pending and time.monotonic() < deadline and not self.stopping.is_set():
            for name in sorted(pending):
                if self.children[name].poll() is not None:
                    _say(f"{name} exited with code {self.children[name].returncode} while starting")
                    return False
                url = self.settings.base_url_of(name)
                if _ready(url):
                    pending.discard(name)
                    _say(f"{name:<13} ready: {url}  (API docs {url}/docs, metrics {url}/metrics)")
            time.sleep(0.2)
        if pending:
            _say(f"not ready after {READY_TIMEOUT_S:.0f}s: {', '.join(sorted(pending))}")
        return not pending

    def load_demo(self) -> None:
        try:
            result = _run_demo(self.settings)
            _announce(result)
        except Exception as exc:  # the stack stays up; the user can run `dxday demo` again
            _say(f"demo campaign not loaded: {exc}")

    def announce_sign_in_links(self, *, demo: bool) -> None:
        from launcher import accounts  # the launcher stands above the services and may import them

        try:
            links = accounts.sign_in_links(self.settings, demo=demo)
        except Exception as exc:  # the stack stays up; `dxday sign-in-link` makes the administrator's again
            _say(f"sign-in links not made: {exc}")
            return
        _say("sign in (one-time links, valid 24 h; later: the sign-in page sends a new one):")
        for who, grant, link in links:
            _say(f"  {who} — {grant}: {link}")

    def watch(self) -> int:
        """Supervise until Ctrl-C: a crashed service, or the embedded NATS, is started again with a
        growing back-off (logged with its count); the others keep running meanwhile."""
        while not self.stopping.wait(0.5):
            if self.nats is not None and not self.nats.alive():
                self._crashed("nats", "nats-server", self.nats.exit_code())
            for name, proc in list(self.children.items()):
                if proc.poll() is not None:
                    self._crashed(name, name, proc.returncode)
        return 0

    def _crashed(self, key: str, what: str, code: int | None) -> None:
        now = time.monotonic()
        if key not in self.due:
            if now - self.started_at.get(key, now) >= STABLE_AFTER_S:
                self.restarts.pop(f"{key}:run", None)  # it had been running fine: back-off from the start
            run = self.restarts.get(f"{key}:run", 0)
            delay = RESTART_BACKOFF_S[min(run, len(RESTART_BACKOFF_S) - 1)]
            self.restarts[key] = self.restarts.get(key, 0) + 1
            self.restarts[f"{key}:run"] = run + 1
            self.due[key] = now + delay
            _say(f"{what} exited with code {code}; restarting it in {delay} s "
                 f"(restart {self.restarts[key]} since start)")
            return
        if now < self.due[key]:
            return
        del self.due[key]
        try:
            if key == "nats":
                assert self.nats is not None
                self.nats.restart()
                self.started_at["nats"] = time.monotonic()
            else:
                self._spawn(key)
            _say(f"{what} started again")
        except Exception as exc:  # e.g. its port still taken: the next round tries again, later
            _say(f"{what} did not start: {exc}")
            self.started_at[key] = time.monotonic()

    def stop(self) -> None:
        for proc in self.children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for name, proc in self.children.items():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop in time; killing it")
                proc.kill()
                proc.wait()
        if self.nats is not None:
            self.nats.stop()
        _say("stopped")


def cmd_up(args: argparse.Namespace) -> int:
    settings = load_settings()
    stack = Stack(settings)
    try:
        stack.check_ports()
    except PortTaken as exc:
        print(exc, file=sys.stderr)
        return 2

    def on_signal(signum: int, _frame: object) -> None:
        stack.stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        stack.start()
        if not stack.await_ready():
            return 1
        demo = settings.demo and not args.no_demo
        if demo:
            stack.load_demo()
        stack.announce_sign_in_links(demo=demo)
        _say(f"start here: open a sign-in link above, then {settings.base_url_of('events')}/board (your campaigns, "
             f"their boards and audit trails); APIs at /docs of each service — Ctrl-C to stop")
        return stack.watch()
    except NatsServerError as exc:
        print(f"dxday: embedded NATS failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _run_demo(settings: Settings) -> dict:
    import datetime as dt

    from launcher import demo  # the launcher stands above the services and may import them

    return demo.run(settings, dt.date.today(), say=lambda line: _say(f"demo: {line}"))


def cmd_demo(args: argparse.Namespace) -> int:
    """Create the demo campaign on a running stack through its public APIs (idempotent)."""
    try:
        result = _run_demo(load_settings())
    except Exception as exc:
        print(f"dxday: demo failed: {exc}", file=sys.stderr)
        return 1
    _announce(result)
    return 0


def _announce(demo: dict[str, str]) -> None:
    _say(f"demo campaign ready: {demo['page']} (JSON: {demo['schedule']})")
    _say(f"  apply for a booth:   {demo['exhibit']}")
    _say(f"  participant sign-up: {demo['join']}")
    _say(f"  my seats, my records: {demo['my_seats']}, {demo['my']} (sign in with the email you signed up with)")
    _say(f"  province board:      {demo['board']} (the Quảng Ngãi organizer's link below)")
    _say(f"  commune board:       {demo['commune_board']} (Tịnh Khê's organizer: its link below; "
         "the province board refuses it)")


def cmd_service(args: argparse.Namespace) -> int:
    # Services are found by name so that shared/ never imports service code.
    sys.argv = [f"services.{args.name}"]
    runpy.run_module(f"services.{args.name}", run_name="__main__", alter_sys=True)
    return 0


def cmd_nats(args: argparse.Namespace) -> int:
    """Only the embedded NATS, in the foreground (for running services by hand)."""
    s = load_settings()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        check_port_free(s.nats_host, s.nats_port, "DXDAY_NATS_PORT")
    except PortTaken as exc:
        print(exc, file=sys.stderr)
        return 2
    server = NatsServer(
        store_dir=(s.data_dir / "nats").resolve(), host=s.nats_host, port=s.nats_port,
        monitor_port=s.nats_monitor_port, sync_always=s.nats_sync_always,
    ).start()
    _say(f"NATS: {server.url} (monitoring {server.monitor_url}); Ctrl-C to stop")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    return 0


def _operator_credentials(settings: Settings) -> dict[str, str]:
    """The configured NATS user, else the embedded server's operator (secrets under the data dir)."""
    if settings.nats_user:
        return {"user": settings.nats_user, "password": settings.nats_password or ""}
    if (settings.data_dir / "nats-users.json").exists():
        return {"user": OPERATOR, "password": embedded_passwords(settings.data_dir)[OPERATOR]}
    return {}


async def _show_events(servers: list[str], streams: list[str], last: int, credentials: dict[str, str]) -> None:
    import nats
    from nats.js.api import ConsumerConfig, DeliverPolicy

    nc = await nats.connect(servers, connect_timeout=5, max_reconnect_attempts=1, **credentials)
    try:
        js = nc.jetstream()
        for stream in streams:
            info = await js.stream_info(stream)
            first = max(info.state.first_seq, info.state.last_seq - last + 1)
            print(f"== {stream}: {info.state.messages} messages, showing from #{first}")
            if info.state.messages == 0:
                continue
            sub = await js.pull_subscribe("", stream=stream, config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=first, inactive_threshold=5))
            shown = 0
            while shown < last:
                try:
                    batch = await sub.fetch(min(100, last - shown), timeout=1)
                except Exception:
                    break
                for m in batch:
                    shown += 1
                    _print_event(m.metadata.sequence.stream, m.subject, m.data)
            await sub.unsubscribe()
    finally:
        await nc.close()


def _print_event(seq: int, subject: str, data: bytes) -> None:
    try:
        env = json.loads(data)
        when = env.get("occurred_at", "?")[:19]
        actor = env.get("actor", {}).get("kind", "?")
        payload = json.dumps(env.get("payload"), ensure_ascii=False)
    except (ValueError, AttributeError):
        when, actor, payload = "?", "?", data[:80].decode(errors="replace")
    print(f"#{seq:<6} {when} {subject:<45} by {actor:<12} {payload[:140]}")


AUDIT_COLUMNS = ("occurred_at", "event", "actor_kind", "actor_id", "api_key", "event_id", "correlation_id")


async def _audit_rows(servers: list[str], campaign_id: str, credentials: dict[str, str]) -> list[dict[str, str]]:
    """Every event of the campaign on the services' streams, in the order it happened: who did what
    and when (ids only: the events never carry a name, an email or a phone number)."""
    import nats
    from nats.js.api import ConsumerConfig, DeliverPolicy

    rows: list[dict[str, str]] = []
    nc = await nats.connect(servers, connect_timeout=5, max_reconnect_attempts=1, **credentials)
    try:
        js = nc.jetstream()
        for stream in ("EVENTS", "REGISTRATION", "NOTIFICATIONS", "IDENTITY"):
            info = await js.stream_info(stream)
            if info.state.messages == 0:
                continue
            sub = await js.pull_subscribe("", stream=stream, config=ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL, inactive_threshold=5))
            seen = 0
            while seen < info.state.messages:
                try:
                    batch = await sub.fetch(500, timeout=1)
                except Exception:
                    break
                for m in batch:
                    seen += 1
                    try:
                        env = json.loads(m.data)
                    except ValueError:
                        continue
                    if not isinstance(env, dict) or env.get("campaign_id") != campaign_id:
                        continue
                    actor = env.get("actor") or {}
                    rows.append({"occurred_at": str(env.get("occurred_at", "")), "event": m.subject,
                                 "actor_kind": str(actor.get("kind", "")), "actor_id": str(actor.get("id") or ""),
                                 "api_key": str(actor.get("api_key") or ""), "event_id": str(env.get("event_id", "")),
                                 "correlation_id": str(env.get("correlation_id") or "")})
            await sub.unsubscribe()
    finally:
        await nc.close()
    return sorted(rows, key=lambda r: r["occurred_at"])


def cmd_audit(args: argparse.Namespace) -> int:
    """Who did what and when in one campaign (every service's events), as a table or CSV."""
    import asyncio
    import csv

    settings = load_settings()
    try:
        rows = asyncio.run(_audit_rows(settings.nats_servers(), args.campaign, _operator_credentials(settings)))
    except Exception as exc:
        print(f"dxday: cannot read the streams from {settings.nats_servers()}: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8-sig") as out:  # Excel reads the Vietnamese right
            writer = csv.DictWriter(out, AUDIT_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        print(f"dxday: {len(rows)} events of {args.campaign} written to {args.csv}")
        return 0
    for r in rows:
        who = f"{r['actor_kind']}:{r['actor_id']}" + (f" (key {r['api_key']})" if r["api_key"] else "")
        print(f"{r['occurred_at'][:19]}  {r['event']:<45} {who}")
    print(f"dxday: {len(rows)} events of {args.campaign}")
    return 0


def cmd_sign_in_link(args: argparse.Namespace) -> int:
    """A new one-time sign-in link for the national administrator, made on the identity database
    (the first sign-in of a deployment; a lost link): valid a day, single use."""
    from launcher import accounts  # the launcher stands above the services and may import them

    try:
        link = accounts.administrator_link(load_settings())
    except Exception as exc:
        print(f"dxday: no sign-in link made: {exc}", file=sys.stderr)
        return 1
    print(f"national administrator (one-time, valid 24 h): {link}")
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    """Print the latest events of the streams (the audit trail), from the running NATS."""
    import asyncio

    settings = load_settings()
    streams = [args.stream] if args.stream else ["EVENTS", "REGISTRATION", "NOTIFICATIONS", "IDENTITY", "DEAD_LETTERS"]
    try:
        asyncio.run(_show_events(settings.nats_servers(), streams, args.last, _operator_credentials(settings)))
    except Exception as exc:
        print(f"dxday: cannot read the streams from {settings.nats_servers()}: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dxday", description="Ngày Chuyển đổi số quốc gia — dxday")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start NATS (unless DXDAY_NATS_URL is set) and every service")
    up.add_argument("--no-demo", action="store_true", help="do not load the demo campaign")
    up.set_defaults(func=cmd_up)
    demo = sub.add_parser("demo", help="create the demo campaign on the running stack (idempotent)")
    demo.set_defaults(func=cmd_demo)
    service = sub.add_parser("service", help="run one service")
    service.add_argument("name", choices=SERVICE_NAMES)
    service.set_defaults(func=cmd_service)
    events = sub.add_parser("events", help="print the latest events on the streams (the audit trail)")
    events.add_argument("--stream", choices=["EVENTS", "REGISTRATION", "NOTIFICATIONS", "IDENTITY", "DEAD_LETTERS"])
    events.add_argument("--last", type=int, default=20, help="how many per stream (default 20)")
    events.set_defaults(func=cmd_events)
    audit = sub.add_parser("audit", help="who did what and when in one campaign, from every service's events")
    audit.add_argument("campaign", help="the campaign id")
    audit.add_argument("--csv", metavar="FILE", help="write it as CSV (UTF-8 with BOM, for spreadsheets)")
    audit.set_defaults(func=cmd_audit)
    link = sub.add_parser("sign-in-link", help="a new one-time sign-in link for the national administrator")
    link.set_defaults(func=cmd_sign_in_link)
    nats = sub.add_parser("nats", help="run only the embedded NATS server")
    nats.set_defaults(func=cmd_nats)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
