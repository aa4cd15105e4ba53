"""A minimal service used to test the shared messaging library on a real runtime.

It records probe events through the outbox and consumes them back through the inbox consumer;
its handler can be told to fail, so retries and dead letters can be observed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel

from shared.contracts.envelope import Actor, Envelope, event_contract, make_envelope, registry
from shared.contracts.streams import REGISTRATION
from shared.platform.config import Settings
from shared.platform.inbox import Subscription
from shared.platform.service import ServiceRuntime, ServiceSpec
from shared.platform.uow import UnitOfWork

metadata = sa.MetaData()
probe_effects = sa.Table(
    "probe_effects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("probe_id", sa.String(50), nullable=False),
    sa.Column("value", sa.Integer, nullable=False),
)


class ProbeRecorded(BaseModel):
    probe_id: str
    value: int


SUBJECT = "registration.probe.recorded"
PROBE = registry.get((SUBJECT, 1)) or event_contract(SUBJECT, 1, ProbeRecorded, "test probe")

SPEC = ServiceSpec(
    name="registration",  # owns the REGISTRATION stream like the real producer does
    title="probe",
    description="test probe",
    migrations=Path(__file__).parent / "migrations",
    owned_streams=(REGISTRATION,),
)


@dataclass
class Behaviour:
    fail_first: int = 0  # fail this many handler calls, then succeed
    always_fail: bool = False
    poison: frozenset[str] = frozenset()  # probe ids whose handler always fails
    calls: int = 0


def probe_event(probe_id: str, value: int, now) -> Envelope:  # type: ignore[no-untyped-def]
    return make_envelope(PROBE, ProbeRecorded(probe_id=probe_id, value=value), producer="probe",
                         actor=Actor(kind="system"), occurred_at=now)


def make_runtime(settings: Settings, behaviour: Behaviour, *, consume: bool = True,
                 ack_wait_s: float = 30.0) -> ServiceRuntime:
    runtime = ServiceRuntime(SPEC, settings)

    async def on_probe(uow: UnitOfWork, _event: Envelope, payload: ProbeRecorded) -> None:
        behaviour.calls += 1
        if behaviour.always_fail or behaviour.calls <= behaviour.fail_first:
            raise RuntimeError("simulated database hiccup")
        await uow.session.execute(sa.insert(probe_effects).values(probe_id=payload.probe_id, value=payload.value))
        if payload.probe_id in behaviour.poison:  # fails after writing: the write must not survive
            raise RuntimeError("simulated bug after a write")

    if consume:
        runtime.subscribe(Subscription(service="probe", name="probes", stream=REGISTRATION,
                                       handlers={PROBE: on_probe}, ack_wait_s=ack_wait_s,
                                       retry_delays_s=(0.2, 0.2, 0.2)))
    return runtime


async def effects(runtime: ServiceRuntime) -> list[tuple[str, int]]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(sa.select(probe_effects.c.probe_id, probe_effects.c.value))
        return [tuple(r) for r in rows.all()]
