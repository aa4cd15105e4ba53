"""A 3-node nats-server cluster on loopback, streams at 3 replicas, fsync on every write: the leader of
the REGISTRATION stream is killed (SIGKILL) in the middle of a burst of booth applications. The
services reconnect to the other nodes and go on; every application's events are in the streams
once, and every business is told once."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import ExitStack

import nats as nats_client
import pytest
import sqlalchemy as sa

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import notifications
from services.notifications.app import create_app as notifications_app
from shared.contracts.streams import EVENTS, REGISTRATION
from shared.platform.config import Settings
from tests.registration_support import registration_stack, valid_tax_codes
from tests.support import eventually, free_port, serve_in_process, stream_messages

pytestmark = pytest.mark.slow
BUSINESSES = 150


def cluster_config(name: str, own_port: int, all_ports: list[int]) -> str:
    routes = ", ".join(f'"nats://127.0.0.1:{p}"' for p in all_ports if p != own_port)
    return (f"server_name: {name}\n"
            f'cluster {{\n  name: dxday\n  listen: "127.0.0.1:{own_port}"\n  routes: [{routes}]\n}}\n')


async def jetstream_ready(urls: list[str]) -> bool:
    nc = await nats_client.connect(urls, connect_timeout=2, max_reconnect_attempts=1)
    try:
        await nc.jetstream(timeout=2).account_info()  # answers once the cluster has a meta leader
        return True
    except Exception:
        return False
    finally:
        await nc.close()


async def stream_leader(urls: list[str], stream: str) -> str:
    nc = await nats_client.connect(urls)
    try:
        info = await nc.jetstream().stream_info(stream)
        assert info.cluster is not None and len(info.cluster.replicas or []) == 2, info.cluster
        return str(info.cluster.leader)
    finally:
        await nc.close()


async def test_killing_the_stream_leader_of_a_3_node_cluster_loses_and_doubles_nothing(sqlite_settings: Settings):
    settings = sqlite_settings  # about NATS, not the database: the embedded default is enough
    route_ports = [free_port() for _ in range(3)]
    with ExitStack() as stack:
        nodes = {f"n{i + 1}": stack.enter_context(NatsServer(
            sync_always=True, extra_config=cluster_config(f"n{i + 1}", port, route_ports)))
            for i, port in enumerate(route_ports)}
        urls = [n.url for n in nodes.values()]
        await eventually(lambda: jetstream_ready(urls), timeout=60, what="JetStream cluster with a meta leader")
        settings = settings.model_copy(update={"nats_url": ",".join(urls), "stream_replicas": 3,
                                               "notify_tick_seconds": 0.2, "coalesce_seconds": 0.0})
        async with (registration_stack(settings) as services,
                    serve_in_process(notifications_app(settings)) as notifier):
            await services.define_venue([f"B{i:03d}" for i in range(BUSINESSES)])
            leader = await stream_leader(urls, REGISTRATION.name)
            semaphore = asyncio.Semaphore(8)
            done: list[str] = []
            killed = asyncio.Event()

            async def register_and_apply(tax_code: str) -> str:
                async with semaphore:
                    business, token = await services.register_business(tax_code)
                    r = await services.apply(business, token)
                    assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text
                    done.append(business)
                    if len(done) == BUSINESSES // 3 and not killed.is_set():
                        killed.set()
                        nodes[leader].kill()  # the REGISTRATION stream's leader, mid-burst
                    return business

            businesses = await asyncio.gather(*(register_and_apply(t) for t in valid_tax_codes(BUSINESSES)))
            assert killed.is_set()
            survivors = [n.url for name, n in nodes.items() if name != leader]

            async def all_confirmed() -> list | None:
                try:
                    found = await stream_messages(survivors[0], REGISTRATION.name,
                                                  "registration.booth_application.confirmed")
                except Exception:  # noqa: BLE001 - the cluster may still be electing a leader: ask again
                    return None
                return found if len(found) >= BUSINESSES else None
            confirmed = await eventually(all_confirmed, timeout=120, what="every confirmation in the stream")
            import json
            ids = Counter(json.loads(m.data)["payload"]["business_id"] for m in confirmed)
            assert ids == Counter(businesses)  # each once
            async def new_leader() -> str | None:
                try:
                    return await stream_leader(survivors, REGISTRATION.name)
                except Exception:  # noqa: BLE001 - election in progress
                    return None
            assert await eventually(new_leader, what="a new stream leader") != leader

            async def all_told() -> list[str] | None:
                async with notifier.runtime.sessionmaker() as s:
                    sent = (await s.execute(sa.select(notifications.c.recipient_id).where(
                        notifications.c.template == "booth_confirmed",
                        notifications.c.status == "sent"))).scalars().all()
                return list(sent) if len(sent) >= BUSINESSES else None
            told = await eventually(all_told, timeout=120, what="every business told")
            assert Counter(told) == Counter(businesses)
            for service in (services.registration, services.events, notifier):
                assert (await service.client.get("/readyz")).status_code == 200
            assert len(await stream_messages(survivors[0], EVENTS.name, "events.campaign.created")) == 1
