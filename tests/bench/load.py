"""The load generator: asyncio + aiohttp in its own process, so the services under test do not share
its event loop. Each worker runs one scenario step after another and records latencies."""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.support import person_token


@dataclass
class Recorder:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    async def run(self, what: str, work: Awaitable[Any], **extra: Any) -> dict[str, Any]:
        """Await the scenario's work with progress on stderr; the figures the bench summarises."""
        started = time.perf_counter()
        progress = asyncio.create_task(self.report(what))
        try:
            await work
        finally:
            progress.cancel()
        return {"count": len(self.latencies_ms), "seconds": time.perf_counter() - started,
                "latencies_ms": self.latencies_ms, "errors": self.errors, **extra}

    async def report(self, what: str, every_s: float = 5.0) -> None:
        """Progress on stderr while the scenario runs (cancelled at its end)."""
        started = time.perf_counter()
        while True:
            await asyncio.sleep(every_s)
            print(f"bench |   {what}: {len(self.latencies_ms):,} done, {sum(self.errors.values()):,} errors "
                  f"after {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    def ok(self, started: float) -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _post(session: aiohttp.ClientSession, rec: Recorder, url: str, body: dict[str, Any],
                headers: dict[str, str] | None = None) -> dict[str, Any] | None:
    started = time.perf_counter()
    try:
        async with session.post(url, json=body, headers=headers) as r:
            data = await r.json(content_type=None)
            if r.status >= 300:
                rec.error(str(r.status))
                return None
    except (TimeoutError, aiohttp.ClientError) as exc:
        rec.error(type(exc).__name__)
        return None
    rec.ok(started)
    return data  # type: ignore[no-any-return]


async def commands(registration: str, campaign: str, days: list[str], tax_codes: list[str], workers: int,
                   seconds: float, issuer: dict[str, Any], rate: float | None = None) -> dict[str, Any]:
    """Register a business and apply for a booth, again and again: two commands per round. With
    ``rate``, rounds start at that steady pace (commands/s = 2 x rate) instead of as fast as possible."""
    rec = Recorder()
    codes = iter(tax_codes)
    deadline = time.perf_counter() + seconds
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=workers * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        async def round_trip() -> None:
            code = next(codes, None)
            if code is None:
                rec.error("out of tax codes")
                return
            body = {"legal_name": f"Công ty TNHH Số {code}", "tax_code": code, "province": "Quảng Ngãi",
                    "sector": "Phần mềm", "contact_person": "Nguyễn Văn An", "email": f"lienhe{code}@example.vn",
                    "phone": f"091{random.randint(1_000_000, 9_999_999)}"}
            made = await _post(session, rec, f"{registration}/campaigns/{campaign}/businesses", body)
            if made is None:
                return
            signed_in = {"Authorization": f"Bearer {person_token(issuer, body['email'])}"}  # the business itself
            await _post(session, rec, f"{registration}/businesses/{made['business']['id']}/applications",
                        {"days": [random.choice(days)]}, signed_in)

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await round_trip()

        async def paced() -> None:
            interval, running = 1.0 / rate, set()  # type: ignore[operator]
            next_at = time.perf_counter()
            while next_at < deadline:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
                if len(running) >= workers * 4:  # the service is behind: do not pile up requests without end
                    rec.error("not sent: service behind")
                    continue
                task = asyncio.create_task(round_trip())
                running.add(task)
                task.add_done_callback(running.discard)
            await asyncio.gather(*running)

        return await rec.run("commands", paced() if rate else asyncio.gather(*(worker() for _ in range(workers))))


async def gets(url: str, workers: int, seconds: float) -> dict[str, Any]:
    """The bare HTTP limit: GET one cheap endpoint with the same client and concurrency."""
    rec = Recorder()
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers * 2)) as session:
        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    async with session.get(url) as r:
                        await r.read()
                        if r.status != 200:
                            rec.error(str(r.status))
                            continue
                except aiohttp.ClientError as exc:
                    rec.error(type(exc).__name__)
                    continue
                rec.ok(started)

        return await rec.run("bare GETs", asyncio.gather(*(worker() for _ in range(workers))))


async def participants(registration: str, campaign: str, n: int, workers: int, issuer: dict[str, Any]
                       ) -> dict[str, Any]:
    """Sign up ``n`` participants (email, consent to notices and reminders); returns their access tokens
    (each signed in with its email through the single sign-on the stack trusts)."""
    rec, tokens = Recorder(), []
    todo = iter(range(n))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers * 2)) as session:
        async def worker() -> None:
            for i in todo:
                made = await _post(session, rec, f"{registration}/campaigns/{campaign}/participants", {
                    "name": f"Người tham dự {i}", "email": f"nguoi{i}@example.vn", "phone": None,
                    "locality": "Quảng Ngãi", "language": "vi", "channels": ["email"],
                    "consent": {"accepted": True, "purposes": ["service_notices", "reminders"]}})
                if made is not None:
                    tokens.append(person_token(issuer, f"nguoi{i}@example.vn"))

        return await rec.run("sign-ups", asyncio.gather(*(worker() for _ in range(workers))), tokens=tokens)


async def reservations(events: str, workshops: list[str], tokens: list[str], workers: int) -> dict[str, Any]:
    """Every participant reserves a seat in one workshop (round robin), all at once."""
    rec, outcomes = Recorder(), {"confirmed": 0, "waitlisted": 0}
    todo = iter(enumerate(tokens))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers * 2)) as session:
        async def worker() -> None:
            for i, token in todo:
                for _ in range(50):  # 503 while the events service has not heard of the participant yet
                    started = time.perf_counter()
                    try:
                        async with session.post(f"{events}/workshops/{workshops[i % len(workshops)]}/seats",
                                                headers={"Authorization": f"Bearer {token}"}) as r:
                            data = await r.json(content_type=None)
                            status = r.status
                    except (TimeoutError, aiohttp.ClientError) as exc:
                        rec.error(type(exc).__name__)
                        continue  # a reservation is idempotent per participant: sending it again is safe
                    if status == 503:
                        await asyncio.sleep(0.2)
                        continue
                    if status >= 300:
                        rec.error(str(status))
                        break
                    rec.ok(started)
                    outcomes[data["status"]] = outcomes.get(data["status"], 0) + 1
                    break

        return await rec.run("reservations", asyncio.gather(*(worker() for _ in range(workers))),
                             outcomes=outcomes)


def run_in_process(kind: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Entry point of the load process (multiprocessing, spawn)."""
    scenario = {"commands": commands, "gets": gets, "participants": participants, "reservations": reservations}
    return asyncio.run(scenario[kind](**kwargs))
