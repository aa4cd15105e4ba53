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

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import contacts
from services.notifications.app import create_app as notifications_app
from shared.contracts.streams import DEAD_LETTERS
from shared.platform.config import Settings
from tests.notification_support import BEFORE, campaign_created, envelope_json, participant, subscribed_subjects
from tests.support import consumer_pending, eventually, metric_value, serve_in_process, stream_messages

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


def hostile_kinds(good: list) -> list[tuple[str, bytes, str, str]]:  # type: ignore[type-arg]
    """(subject, body, Nats-Msg-Id, expected reason) for each kind that once stalled or slipped through."""
    subject = good[1].type
    template = json.loads(good[1].model_dump_json())
    twin = {**json.loads(good[2].model_dump_json()), "payload": {**template["payload"], "language": "en"}}
    return [
        (subject, b"[" * 20_000 + b"]" * 20_000, "deep-list", "malformed_json"),
        (subject, json.dumps({**template, "payload": "__deep__"}).encode().replace(
            b'"__deep__"', b'{"a":' * 20_000 + b"1" + b"}" * 20_000), "deep-payload", "malformed_json"),
        (subject, json.dumps({**template, "event_id": "huge", "payload": {"x": "y" * 900_000}}).encode(), "huge",
         "bad_payload"),
        (subject, b'{"event_id": "\xff\xfe", "type": "' + subject.encode() + b'"}', "bad-utf8", "malformed_json"),
        (subject, json.dumps({**template, "event_id": "schema", "payload": {"participant_id": ["x"]}}).encode(),
         "schema", "bad_payload"),
        # the event id of a valid event, another body: a producer bug or a forgery, never dropped in silence
        (subject, json.dumps(twin).encode(), "reused-id", "reused_event_id"),
    ]


async def test_each_hostile_kind_is_dead_lettered_alone_and_its_batch_is_handled(settings: Settings,
                                                                                 nats: NatsServer):
    good = [campaign_created(BEFORE)] + [participant(f"batch-{i}", BEFORE, channels=["file"]) for i in range(60)]
    bad = hostile_kinds(good)
    async with serve_in_process(notifications_app(settings)) as notifier:
        nc = await _connect(nats.url)
        js = nc.jetstream()
        await js.publish(good[0].type, good[0].model_dump_json().encode(), headers={"Nats-Msg-Id": good[0].event_id})
        await js.publish(good[2].type, good[2].model_dump_json().encode(), headers={"Nats-Msg-Id": good[2].event_id})
        await asyncio.sleep(1)  # the reused id's original is handled first
        mixed: list[tuple[str, bytes, str]] = []
        for i, e in enumerate(good[3:] + [good[1]]):  # in the same pull batches as the hostile ones
            mixed.append((e.type, e.model_dump_json().encode(), e.event_id))
            if i % 8 == 0 and bad:
                s, b, mid, _ = bad.pop(0)
                mixed.append((s, b, mid))
        mixed += [(s, b, mid) for s, b, mid, _ in bad]
        await asyncio.gather(*(js.publish(s, b, headers={"Nats-Msg-Id": mid}, timeout=30) for s, b, mid in mixed))
        await nc.close()

        async def directory_full() -> bool:
            async with notifier.runtime.sessionmaker() as s:
                return (await s.execute(sa.select(sa.func.count()).select_from(contacts))).scalar_one() == 60
        await eventually(directory_full, timeout=60, what="every valid participant of the mixed batches handled")

        expected = {mid: reason for _, _, mid, reason in hostile_kinds(good)}

        async def all_dead() -> dict | None:  # type: ignore[type-arg]
            found = {m.headers["Dxday-Dlq-Reason"] for m in await stream_messages(nats.url, DEAD_LETTERS.name)}
            return found if len(await stream_messages(nats.url, DEAD_LETTERS.name)) >= len(expected) else None
        reasons = await eventually(all_dead, timeout=60, what="every hostile kind dead-lettered")
        assert reasons == set(expected.values())
        dead = await stream_messages(nats.url, DEAD_LETTERS.name)
        assert len(dead) == len(expected)

        async def settled() -> bool:
            return await consumer_pending(nats.url, "REGISTRATION", "notifications") == 0
        await eventually(settled, timeout=30, what="ack-pending back to 0")
        metrics = (await notifier.client.get("/metrics")).text
        assert metric_value(metrics, "dxday_dead_letters_total", reason="reused_event_id") == 1


async def test_the_dead_letter_counter_has_its_series_from_the_start(settings: Settings):
    """The alert is `increase(dxday_dead_letters_total[10m]) > 0`: a series that appears only with the
    first dead letter has no earlier sample, so that first one would be missed after every restart."""
    from prometheus_client.parser import text_string_to_metric_families

    from shared.platform.inbox import DEAD_LETTER_REASONS

    async with serve_in_process(notifications_app(settings)) as notifier:
        text = (await notifier.client.get("/metrics")).text
    samples = {(s.labels["consumer"], s.labels["reason"]): s.value for f in text_string_to_metric_families(text)
               for s in f.samples if s.name == "dxday_dead_letters_total"}
    consumers = {c for c, _ in samples}
    assert consumers == {"notifications-events", "notifications-registration"}
    assert samples == {(c, r): 0.0 for c in consumers for r in DEAD_LETTER_REASONS}
