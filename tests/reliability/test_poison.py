"""1,000 malformed or hostile payloads on every subject a consumer subscribes to, interleaved with
valid events: every bad one lands in the dead-letter stream with a reason, every valid one is
handled, the service stays up."""

from __future__ import annotations

import asyncio
import json
import random
import warnings
from collections import Counter

import nats
import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

from services.notifications.adapters.orm import contacts
from services.notifications.app import create_app as notifications_app
from shared.config import Settings
from shared.contracts.streams import DEAD_LETTERS
from shared.natsserver import NatsServer
from tests.notification_support import BEFORE, campaign_created, envelope_json, participant, subscribed_subjects
from tests.support import eventually, serve_in_process, stream_messages

pytestmark = pytest.mark.slow
HOSTILE = 1000


def hostile_payloads(n: int, subjects: list[str], seed: int = 20261010) -> list[tuple[str, bytes]]:
    """Wrong types, huge strings, bad UTF-8, unknown versions, missing envelope fields, not JSON at all."""
    rng = random.Random(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        junk_json = [st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                  lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c,
                                                                                      max_size=3)).example()
                     for _ in range(40)]
        junk_bytes = [st.binary(min_size=1, max_size=200).example() for _ in range(40)]
    template = json.loads(envelope_json())
    out = []
    for i in range(n):
        subject = subjects[i % len(subjects)]
        kind = i % 8
        if kind == 0:
            body = rng.choice(junk_bytes) + b"\xff\xfe"  # not JSON, not UTF-8
        elif kind == 1:
            body = json.dumps(rng.choice(junk_json)).encode()  # JSON, not an envelope
        elif kind == 2:
            required = ["event_id", "type", "version", "occurred_at", "correlation_id", "producer", "actor", "payload"]
            missing = rng.choice(required)
            body = json.dumps({k: v for k, v in template.items() if k != missing}).encode()
        elif kind == 3:
            body = json.dumps({**template, "type": subject, "version": rng.choice([0, 2, 99, -1])}).encode()
        elif kind == 4:
            body = json.dumps({**template, "type": subject, "payload": {"x": "y" * 100_000}}).encode()  # huge
        elif kind == 5:
            body = json.dumps({**template, "type": subject, "occurred_at": "hôm qua"}).encode()
        elif kind == 6:
            body = json.dumps({**template, "type": subject, "payload": {"participant_id": 12, "campaign_id": []}}
                              ).encode()
        else:
            body = json.dumps({**template, "type": "registration.other.thing"}).encode()  # wrong subject
        out.append((subject, body))
    return out


async def test_hostile_payloads_are_dead_lettered_and_valid_ones_handled(settings: Settings, nats: NatsServer):
    subjects = subscribed_subjects()
    bad = hostile_payloads(HOSTILE, subjects)
    good = [campaign_created(BEFORE)] + [participant(f"ok-{i}", BEFORE, channels=["file"]) for i in range(100)]
    async with serve_in_process(notifications_app(settings)) as notifier:
        nc = await _connect(nats.url)
        js = nc.jetstream()
        pending = [(e.type, e.model_dump_json().encode(), e.event_id) for e in good]
        mixed = []
        for i, (subject, body) in enumerate(bad):
            mixed.append((subject, body, f"bad-{i}"))
            if i % 10 == 0 and pending:
                mixed.append(pending.pop(0))
        mixed += pending
        for i in range(0, len(mixed), 200):
            await asyncio.gather(*(js.publish(s, b, headers={"Nats-Msg-Id": mid}, timeout=30)
                                   for s, b, mid in mixed[i:i + 200]))
        await nc.close()

        async def directory_full() -> bool:
            async with notifier.runtime.sessionmaker() as s:
                return (await s.execute(sa.select(sa.func.count()).select_from(contacts))).scalar_one() == 100

        await eventually(directory_full, timeout=120, what="every valid participant handled")

        async def all_dead() -> list | None:
            found = await stream_messages(nats.url, DEAD_LETTERS.name)
            return found if len(found) >= HOSTILE else None

        dead = await eventually(all_dead, timeout=120, what="every hostile payload dead-lettered")
        assert len(dead) == HOSTILE
        reasons = Counter(m.headers["Dxday-Dlq-Reason"] for m in dead)
        assert set(reasons) <= {"malformed_json", "bad_envelope", "unknown_version", "bad_payload",
                                "subject_mismatch"}
        assert all(m.headers["Dxday-Dlq-Detail"] for m in dead)
        assert (await notifier.client.get("/healthz")).status_code == 200
        assert (await notifier.client.get("/readyz")).status_code == 200


async def _connect(url: str):  # type: ignore[no-untyped-def]
    return await nats.connect(url)
