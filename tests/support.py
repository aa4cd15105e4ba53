"""Helpers for tests: services in-process behind real HTTP, waiting, reading streams."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
import nats
import uvicorn
from fastapi import FastAPI
from nats.js.api import ConsumerConfig, DeliverPolicy

T = TypeVar("T")


class TestIssuer:
    """An OpenID Connect issuer on loopback (the ministry's single sign-on, as a province's would be
    configured with ``DXDAY_OIDC_ISSUER``): its discovery document and key served over real HTTP from a
    thread for the whole test run, so that every service verifies its tokens as it would in production.
    The tests that are about the identity service's own accounts sign in through it instead."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        from joserfc.jwk import ECKey

        self.key = ECKey.generate_key("P-256", parameters={"kid": "test-sso-1"})
        issuer_of = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                documents = {"/.well-known/openid-configuration": {"issuer": issuer_of.url,
                                                                   "jwks_uri": f"{issuer_of.url}/jwks"},
                             "/jwks": {"keys": [issuer_of.key.as_dict(private=False)]}}
                found = documents.get(self.path)
                body = json.dumps(found or {"error": "not found"}).encode()
                self.send_response(200 if found else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="test-issuer", daemon=True).start()

    def token(self, subject: str, *grants: str, valid_s: int = 12 * 3600, **claims: Any) -> str:
        """An access token for ``oidc:<subject>`` with grants ``role@scope``."""
        from joserfc import jwt

        now = int(time.time())
        body = {"iss": self.url, "sub": subject, "aud": "dxday", "iat": now - 5, "exp": now + valid_s,
                "dxday_grants": list(grants), **claims}
        return jwt.encode({"alg": "ES256", "kid": self.key.kid}, body, self.key)

    def bearer(self, subject: str, *grants: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, *grants)}"}

    def person(self, contact: str, **claims: Any) -> str:
        """A person signed in with the email or mobile number (+84…) it proved to the issuer, and no grant:
        it holds what was registered with that contact."""
        return person_token(self.signing(), contact, **claims)

    def signing(self) -> dict[str, Any]:
        """What another process needs to sign in people as this issuer (the bench's load processes)."""
        return {"url": self.url, "key": self.key.as_dict(private=True)}


def person_token(issuer: dict[str, Any], contact: str, **claims: Any) -> str:
    """An access token of ``issuer`` (``TestIssuer.signing()``) for a person who proved ``contact``
    (OpenID Connect's ``email`` and ``email_verified``, or ``phone_number`` and ``phone_number_verified``)."""
    import hashlib

    from joserfc import jwt
    from joserfc.jwk import ECKey

    key = ECKey.import_key(issuer["key"])
    now = int(time.time())
    subject = hashlib.sha256(contact.encode()).hexdigest()[:16]  # opaque, as an issuer's subjects are
    proved = ({"email": contact, "email_verified": True} if "@" in contact else
              {"phone_number": contact, "phone_number_verified": True})
    body = {"iss": issuer["url"], "sub": f"nguoi-{subject}", "aud": "dxday", "iat": now - 5, "exp": now + 12 * 3600,
            "dxday_grants": [], **proved, **claims}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, body, key)


TEST_ISSUER = TestIssuer()
# the national organizer, signed in through the ministry's single sign-on
ORGANIZER_ID = "oidc:ban-to-chuc-quoc-gia"
ORGANIZER = TEST_ISSUER.bearer("ban-to-chuc-quoc-gia", "organizer@VN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningService:
    app: FastAPI
    url: str
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime


@asynccontextmanager
async def serve_in_process(app: FastAPI, port: int = 0) -> AsyncIterator[RunningService]:
    """Run the app (and its NATS consumers) under uvicorn on a loopback port (a free one unless given)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    # a browser's open connection is given 10 s to finish at shutdown, as a replica is on a rolling update
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                           timeout_graceful_shutdown=10))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 30
    while not server.started:
        if task.done():
            task.result()  # raises the startup error
            raise RuntimeError("service exited during startup")
        if time.monotonic() > deadline:
            raise TimeoutError("service did not start in 30 s")
        await asyncio.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield RunningService(app, url, client)
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), 60)
        except TimeoutError:
            task.cancel()
            raise RuntimeError(f"the service on {url} did not stop within 60 s") from None
        finally:
            sock.close()


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"
) -> T:
    """Retry ``probe`` until it returns a truthy value without raising; return that value."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = await probe()
            if value:
                return value
        except (AssertionError, httpx.HTTPError, LookupError) as exc:
            last = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s" + (f": {last}" if last else ""))


async def stream_messages(nats_url: str, stream: str, subject: str | None = None) -> list[Any]:
    """Every message currently in a stream (optionally one subject), read by an ephemeral consumer."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        if info.state.messages == 0:
            return []
        sub = await js.pull_subscribe(
            subject or ">", stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=10),
        )
        out: list[Any] = []
        while True:
            try:
                batch = await sub.fetch(500, timeout=0.5)
            except (TimeoutError, nats.errors.TimeoutError):
                break
            out.extend(batch)
            for m in batch:
                await m.ack()
        await sub.unsubscribe()
        return out
    finally:
        await nc.close()


async def participants_known(events: RunningService, participant_ids: list[str], timeout: float = 45) -> None:
    """The events service learns participants from the registration stream: wait until its database
    holds every one (the last being there does not prove the others are)."""
    async def known() -> bool:
        async with events.runtime.uow() as uow:
            return all([await uow.schedule.participant(pid) is not None for pid in participant_ids])

    await eventually(known, timeout=timeout, what="participants known to the events service")


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of a metric's samples in Prometheus text that carry the given labels."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


class RunningClock:
    """A clock that starts at a chosen moment and then runs with real time (for retries in tests)."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def start_service_process(name: str, settings: Any, port: int, log: Any, **env_extra: str) -> Any:
    """One service as its own process (``python -m services.<name>``), configured like ``settings``."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("DXDAY_")}
    env.update(DXDAY_NATS_URL=settings.nats_url or "",
               **({"DXDAY_OIDC_ISSUER": settings.oidc_issuer} if settings.oidc_issuer else {}),
               DXDAY_CHECKIN_SECRET=settings.checkin_secret or "test-checkin-secret",
               DXDAY_DATA_DIR=str(settings.data_dir), DXDAY_LOG_LEVEL="WARNING", DXDAY_OUTBOX_SWEEP_SECONDS="0.5",
               **{f"DXDAY_{name.upper()}_DB_URL": settings.db_url_of(name), f"DXDAY_{name.upper()}_PORT": str(port)},
               **env_extra)
    return subprocess.Popen([sys.executable, "-m", f"services.{name}"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def wait_process_ready(url: str, proc: Any, timeout: float = 60) -> None:
    async def ready() -> bool:
        assert proc.poll() is None, f"the service at {url} exited with {proc.returncode}"
        async with httpx.AsyncClient() as c:
            return (await c.get(f"{url}/readyz", timeout=2)).status_code == 200
    await eventually(ready, timeout=timeout, what=f"{url} ready")


async def consumer_pending(nats_url: str, stream: str, durable_part: str) -> int:
    """Messages of ``stream`` not yet delivered to the durable consumer whose name contains ``durable_part``."""
    nc = await nats.connect(nats_url)
    try:
        found = [c for c in await nc.jetstream().consumers_info(stream) if durable_part in (c.name or "")]
        return sum(c.num_pending + c.num_ack_pending for c in found)
    finally:
        await nc.close()


def qr_in(png: bytes) -> str:
    """What a QR code image says, read as a phone camera would (OpenCV's detector). A screenshot's
    scaling can blur the modules' edges: the image is tried as it is, then padded and enlarged."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    detector = cv2.QRCodeDetector()
    padded = cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    for candidate in (image, padded, cv2.resize(padded, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST),
                      cv2.threshold(padded, 128, 255, cv2.THRESH_BINARY)[1]):
        text, _, _ = detector.detectAndDecode(candidate)
        if text:
            return text
    raise AssertionError("no QR code found in the image")


class AdministratorSession:
    """The national administrator of a stack started with ``dxday up``, signed in as a person would be:
    ``dxday sign-in-link`` (the installation's one-time link), then the link redeemed at the identity
    service; ``header()`` gives a fresh access token (each lives 5 minutes) from the session."""

    def __init__(self, env: dict[str, str], identity_url: str) -> None:
        import subprocess
        import sys

        made = subprocess.run([sys.executable, "-m", "launcher.cli", "sign-in-link"], env=env, capture_output=True,
                              text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        link = made.stdout.strip().rsplit(" ", 1)[1]
        self.identity_url = identity_url
        signed = httpx.post(f"{identity_url}/sessions", json={"link": link.rsplit("/sign-in/", 1)[1]}, timeout=30)
        assert signed.status_code == 201, signed.text
        self.session, self.token, self.fresh_until = signed.json()["session"], signed.json()["access_token"], 0.0
        self.fresh_until = time.monotonic() + 200

    def header(self) -> dict[str, str]:
        if time.monotonic() >= self.fresh_until:
            renewed = httpx.post(f"{self.identity_url}/token", json={"session": self.session}, timeout=30)
            assert renewed.status_code == 200, renewed.text
            self.token, self.fresh_until = renewed.json()["access_token"], time.monotonic() + 200
        return {"Authorization": f"Bearer {self.token}"}
