"""The shared outbox, inbox and dead-letter machinery against a real nats-server, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats
import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest

from launcher.natsserver import NatsServer
from shared.contracts.streams import DEAD_LETTERS, REGISTRATION
from shared.platform.clock import SystemClock
from shared.platform.config import Settings
from shared.platform.db import inbox_table, outbox_table
from shared.platform.service import ServiceRuntime
from tests.probe import PROBE, Behaviour, effects, make_runtime, probe_event
from tests.support import eventually, metric_value, stream_messages

now = SystemClock().now


@asynccontextmanager
async def running(runtime: ServiceRuntime) -> AsyncIterator[ServiceRuntime]:
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def unpublished(runtime: ServiceRuntime) -> int:
    async with runtime.sessionmaker() as s:
        return int((await s.execute(
            sa.select(sa.func.count()).where(outbox_table.c.published_at.is_(None)))).scalar_one())


def metrics_text(runtime: ServiceRuntime) -> str:
    return generate_latest(runtime.registry).decode()


async def test_committed_change_publishes_once_and_rollback_publishes_nothing(settings: Settings, nats: NatsServer):
    behaviour = Behaviour()
    async with running(make_runtime(settings, behaviour, consume=False)) as rt:
        kept, dropped = probe_event("kept", 1, now()), probe_event("dropped", 2, now())
        failed = probe_event("x", 3, now())
        async with rt.uow() as uow:
            uow.record(kept)
            await uow.commit()
        async with rt.uow() as uow:
            uow.record(dropped)
            await uow.rollback()
        with pytest.raises(RuntimeError):
            async with rt.uow() as uow:
                uow.record(failed)
                await uow.flush_events()
                raise RuntimeError("the change failed after writing")  # leaves without commit

        await eventually(lambda: _zero(unpublished(rt)), what="outbox drained")
        assert await rt.relay.publish_pending() == 0  # a later sweep finds nothing to send again
        messages = await stream_messages(nats.url, REGISTRATION.name, PROBE.subject)
        assert [m.headers["Nats-Msg-Id"] for m in messages] == [kept.event_id]
        assert json.loads(messages[0].data)["payload"] == {"probe_id": "kept", "value": 1}
        async with rt.sessionmaker() as s:
            ids = (await s.execute(sa.select(outbox_table.c.event_id))).scalars().all()
        assert ids == [kept.event_id]  # the rolled-back events never reached the outbox


async def _zero(value) -> bool:  # type: ignore[no-untyped-def]
    return (await value) == 0


async def test_event_committed_while_nats_is_down_is_published_once_when_it_returns(
    settings: Settings, nats: NatsServer
):
    async with running(make_runtime(settings, Behaviour(), consume=False)) as rt:
        nats.kill()
        event = probe_event("offline", 7, now())
        async with rt.uow() as uow:
            uow.record(event)
            await uow.commit()  # the business change commits although NATS is gone
        await eventually(lambda: _positive(metric_value(metrics_text(rt), "dxday_outbox_publish_errors_total")),
                         timeout=45, what="a failed publish attempt")
        assert await unpublished(rt) == 1
        nats.restart()
        await eventually(lambda: _zero(unpublished(rt)), timeout=40, what="outbox drained after NATS returned")
        messages = await stream_messages(nats.url, REGISTRATION.name, PROBE.subject)
        assert [m.headers["Nats-Msg-Id"] for m in messages] == [event.event_id]


async def _positive(value: float) -> bool:
    return value > 0


async def test_a_retried_publish_reuses_the_event_id_and_the_stream_keeps_one(settings: Settings, nats: NatsServer):
    """A publish whose ack was lost is sent again with the same Nats-Msg-Id: the server drops the copy."""
    async with running(make_runtime(settings, Behaviour(), consume=False)) as rt:
        event = probe_event("ambiguous", 1, now())
        async with rt.uow() as uow:
            uow.record(event)
            await uow.commit()
        await eventually(lambda: _zero(unpublished(rt)), what="published")
        async with rt.sessionmaker() as s, s.begin():  # as if the relay never learned of its success
            await s.execute(sa.update(outbox_table).values(published_at=None))
        assert await rt.relay.publish_pending() == 1
        messages = await stream_messages(nats.url, REGISTRATION.name, PROBE.subject)
        assert len(messages) == 1


async def test_consumer_that_dies_before_ack_gets_the_message_again_and_the_inbox_skips_it(
    settings: Settings, nats: NatsServer
):
    behaviour = Behaviour()
    runtime = make_runtime(settings, behaviour, ack_wait_s=1.0)
    consumer = runtime.consumers[0]
    crashes: list[str] = []

    async def crash_before_ack(event) -> None:  # type: ignore[no-untyped-def]
        if not crashes:
            crashes.append(event.event_id)
            raise ConnectionResetError("process died between commit and ack")

    consumer.after_commit = crash_before_ack
    async with running(runtime) as rt:
        event = probe_event("once", 42, now())
        async with rt.uow() as uow:
            uow.record(event)
            await uow.commit()
        await eventually(lambda: _positive(metric_value(
            metrics_text(rt), "dxday_inbox_duplicate_events_total", consumer="probe-probes")),
            timeout=45, what="the redelivery recognised as a duplicate")
        assert crashes == [event.event_id]
        assert behaviour.calls == 1  # the handler's effect ran once
        assert await effects(rt) == [("once", 42)]
        async with rt.sessionmaker() as s:
            inbox = (await s.execute(sa.select(inbox_table.c.event_id))).scalars().all()
        assert inbox == [event.event_id]

        async def settled() -> bool:
            info = await rt.js().consumer_info(REGISTRATION.name, "probe-probes")
            return info.num_ack_pending == 0 and info.num_pending == 0
        await eventually(settled, what="message acked after the redelivery")


async def test_malformed_messages_go_to_the_dead_letter_stream_and_the_consumer_goes_on(
    settings: Settings, nats: NatsServer
):
    async with running(make_runtime(settings, Behaviour())) as rt:
        good = probe_event("good", 1, now())
        base = json.loads(good.model_dump_json())
        bad_inputs = {
            "malformed_json": b'{"event_id": "x", ',
            "bad_envelope": json.dumps({"event_id": "e-1", "type": PROBE.subject}).encode(),
            "unknown_version": json.dumps({**base, "event_id": "e-2", "version": 99}).encode(),
            "bad_payload": json.dumps({**base, "event_id": "e-3", "payload": {"probe_id": 5}}).encode(),
            "subject_mismatch": json.dumps({**base, "event_id": "e-4", "type": "registration.other"}).encode(),
        }
        nc = await _connect(nats.url)
        js = nc.jetstream()
        for i, data in enumerate(bad_inputs.values()):
            await js.publish(PROBE.subject, data, headers={"Nats-Msg-Id": f"bad-{i}"})
        await js.publish(PROBE.subject, good.model_dump_json().encode(), headers={"Nats-Msg-Id": good.event_id})
        await nc.close()

        await eventually(lambda: _effects_are(rt, [("good", 1)]), what="the good message handled after the bad ones")
        dead = await eventually(lambda: _at_least(stream_messages(nats.url, DEAD_LETTERS.name), len(bad_inputs)),
                                what="dead letters stored")
        reasons = sorted(m.headers["Dxday-Dlq-Reason"] for m in dead)
        assert reasons == sorted(bad_inputs)
        for m in dead:
            assert m.headers["Dxday-Orig-Subject"] == PROBE.subject
            assert m.headers["Dxday-Dlq-Consumer"] == "probe-probes"
            assert m.headers["Dxday-Dlq-Detail"]
            assert m.data == bad_inputs[m.headers["Dxday-Dlq-Reason"]]  # the original bytes, for replay
        text = metrics_text(rt)
        assert metric_value(text, "dxday_dead_letters_total", consumer="probe-probes") == len(bad_inputs)


async def _connect(url: str):  # type: ignore[no-untyped-def]
    return await nats.connect(url)


async def _effects_are(rt: ServiceRuntime, expected: list[tuple[str, int]]) -> bool:
    return await effects(rt) == expected


async def _at_least(messages, n: int):  # type: ignore[no-untyped-def]
    found = await messages
    return found if len(found) >= n else None


async def test_transient_handler_failure_is_retried_and_takes_effect_once(settings: Settings):
    behaviour = Behaviour(fail_first=2)
    async with running(make_runtime(settings, behaviour)) as rt:
        async with rt.uow() as uow:
            uow.record(probe_event("flaky", 3, now()))
            await uow.commit()
        await eventually(lambda: _effects_are(rt, [("flaky", 3)]), timeout=45, what="effect after retries")
        assert behaviour.calls == 3
        assert metric_value(metrics_text(rt), "dxday_consumer_retries_total", consumer="probe-probes") == 2
        async with rt.sessionmaker() as s:  # the failed attempts left no inbox row behind
            assert (await s.execute(sa.select(sa.func.count()).select_from(inbox_table))).scalar_one() == 1


async def test_a_failing_message_in_a_batch_fails_alone_and_the_rest_take_effect_once(
        settings: Settings, nats: NatsServer):
    settings = settings.model_copy(update={"max_deliver": 3})
    behaviour = Behaviour(poison=frozenset({"bad"}))
    async with running(make_runtime(settings, behaviour)) as rt:
        async with rt.uow() as uow:  # one commit: the consumer pulls them together
            uow.record(*[probe_event(f"good-{i}", i, now()) for i in range(10)], probe_event("bad", 0, now()),
                       *[probe_event(f"good-{i}", i, now()) for i in range(10, 20)])
            await uow.commit()
        dead = await eventually(lambda: _at_least(stream_messages(nats.url, DEAD_LETTERS.name), 1),
                                timeout=45, what="the failing message dead-lettered")
        assert len(dead) == 1 and json.loads(dead[0].data)["payload"]["probe_id"] == "bad"
        assert sorted(await effects(rt)) == sorted((f"good-{i}", i) for i in range(20))  # each once
        async with rt.sessionmaker() as s:
            assert (await s.execute(sa.select(sa.func.count()).select_from(inbox_table))).scalar_one() == 20


async def test_handler_failing_on_every_delivery_is_dead_lettered_with_its_error(settings: Settings, nats: NatsServer):
    settings = settings.model_copy(update={"max_deliver": 3})
    behaviour = Behaviour(always_fail=True)
    async with running(make_runtime(settings, behaviour)) as rt:
        async with rt.uow() as uow:
            uow.record(probe_event("poison", 9, now()))
            await uow.commit()
        dead = await eventually(lambda: _at_least(stream_messages(nats.url, DEAD_LETTERS.name), 1),
                                timeout=45, what="dead letter after the last delivery")
        assert dead[0].headers["Dxday-Dlq-Reason"] == "handler_failed"
        assert "simulated database hiccup" in dead[0].headers["Dxday-Dlq-Detail"]
        assert dead[0].headers["Dxday-Deliveries"] == "3"
        assert behaviour.calls == 3
        assert await effects(rt) == []
        await asyncio.sleep(0.5)
        assert behaviour.calls == 3  # no further deliveries after the dead letter


async def test_a_spent_fetch_deadline_reaches_faststream_as_the_nats_timeout_it_catches():
    """FastStream's batch pull loop keeps the messages gathered so far only on ``nats.errors.TimeoutError``;
    nats-py ends a spent deadline with the builtin one, which used to drop a partial batch until the
    ack wait ran out (events 10-30 s late under CPU load)."""
    from nats import errors as nats_errors
    from nats.js import JetStreamContext

    from shared.platform.messaging import fetch_times_out_as_nats_error

    class Pull:
        outcome: BaseException | None = None

        async def fetch(self, batch: int = 1, timeout: float | None = 5) -> list[str]:
            if self.outcome is not None:
                raise self.outcome
            return ["m"] * batch

    fetch_times_out_as_nats_error(Pull)
    fetch_times_out_as_nats_error(Pull)  # applied once, however often it is asked for
    pull = Pull()
    assert await pull.fetch(2) == ["m", "m"]
    pull.outcome = TimeoutError()
    with pytest.raises(nats_errors.TimeoutError):
        await pull.fetch(2, timeout=0.001)
    pull.outcome = nats_errors.TimeoutError()
    with pytest.raises(nats_errors.TimeoutError):
        await pull.fetch(2)
    assert getattr(JetStreamContext.PullSubscription.fetch, "_dxday", False)  # the real one is wrapped too
