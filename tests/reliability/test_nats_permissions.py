"""NATS least privilege: each service runs with its own user (the block `dxday up` and deploy/nats use)
and works; the notifications user cannot publish on the registration subjects, read them directly,
call registration's other commands, or delete a stream."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats as nats_client
import pytest
import sqlalchemy as sa

from launcher.nats_auth import OPERATOR, authorization_block, deploy_users_conf, embedded_passwords, inbox_prefix
from launcher.natsserver import NatsServer
from services.events.app import create_app as events_app
from services.notifications.adapters.orm import notifications
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from shared.contracts.streams import REGISTRATION
from shared.platform.clock import FixedClock
from shared.platform.config import Settings
from tests.registration_support import BEFORE_CAMPAIGN, CAMPAIGN_ID, business_body, valid_tax_codes
from tests.support import ORGANIZER, TEST_ISSUER, eventually, serve_in_process

pytestmark = pytest.mark.slow


def test_the_deploy_users_file_is_generated_from_the_code():
    committed = (Path(__file__).parents[2] / "deploy" / "nats" / "users.conf").read_text()
    assert committed == deploy_users_conf(), "run: python -m launcher.nats_auth > deploy/nats/users.conf"


def test_the_permissions_follow_what_the_services_declare():
    """Consumers, owned streams and calls come from the services' declarations (a subscription or a
    call added in a service changes its NATS user, and users.conf with it)."""
    from launcher.nats_auth import calls, consumers, owned

    assert consumers("notifications") == [("EVENTS", "notifications-events"),
                                          ("REGISTRATION", "notifications-registration")]
    assert consumers("events") == [("REGISTRATION", "events-registration"),  # and the audit trail's
                                   ("REGISTRATION", "events-audit-registration"), ("EVENTS", "events-audit-events"),
                                   ("IDENTITY", "events-audit-identity")]
    assert consumers("registration") == [("EVENTS", "registration-events")]
    assert [owned(s) for s in ("registration", "events", "notifications")] == [
        ["REGISTRATION"], ["EVENTS"], ["NOTIFICATIONS"]]
    assert calls("notifications") == ["rpc.registration.contact_details.get", "rpc.events.seat_tickets.get"]
    assert calls("registration") == ["rpc.events.campaign.get", "rpc.identity.sign_in.request"]
    assert calls("events") == ["rpc.identity.locality.get", "rpc.registration.holdings.mine",
                               "rpc.identity.accounts.names"]


async def _violations(user: str, password: str, url: str, action) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    try:
        nc = await asyncio.wait_for(nats_client.connect(
            url, user=user or None, password=password or None, error_cb=on_error,
            inbox_prefix=inbox_prefix(user or "x"), allow_reconnect=False, connect_timeout=2), 10)
    except Exception as exc:
        return [*errors, f"{type(exc).__name__}: {exc}"]
    try:
        try:
            await asyncio.wait_for(action(nc), 5)
        except Exception as exc:  # a JetStream call without permission simply gets no answer
            errors.append(f"{type(exc).__name__}: {exc}")
        await nc.flush(timeout=2)
        await asyncio.sleep(0.3)
    finally:
        await nc.close()
    return errors


async def test_each_service_works_with_its_own_user_and_no_more(sqlite_settings: Settings, tmp_path: Path):
    settings = sqlite_settings  # about NATS, not the database: the embedded default is enough
    passwords = embedded_passwords(tmp_path / "secrets")
    assert (tmp_path / "secrets" / "nats-users.json").stat().st_mode & 0o077 == 0  # owner only
    with NatsServer(sync_always=False, extra_config=authorization_block(passwords),
                    log_file=tmp_path / "nats.log") as secured:
        own = {name: settings.model_copy(update={"nats_url": secured.url, "nats_user": name,
                                                  "nats_password": passwords[name], "notify_tick_seconds": 0.2,
                                                  "coalesce_seconds": 0.0, "quiet_hours": ""})
               for name in ("registration", "events", "notifications")}
        anonymous = await _violations("", "", secured.url, lambda nc: nc.flush())
        assert any("authorization" in e.lower() for e in anonymous)  # no user, no entry

        clock = FixedClock(BEFORE_CAMPAIGN)
        async with (serve_in_process(events_app(own["events"], clock=clock)) as events,
                    serve_in_process(registration_app(own["registration"], clock=clock)) as registration,
                    serve_in_process(notifications_app(own["notifications"])) as notifier):
            assert (await events.client.post("/campaigns", headers=ORGANIZER, json={
                "campaign_id": CAMPAIGN_ID, "year": 2026, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
                "locality": "Quảng Ngãi"})).status_code == 201

            async def known() -> bool:
                return (await registration.client.get(f"/campaigns/{CAMPAIGN_ID}")).status_code == 200
            await eventually(known, what="campaign reached registration")
            assert (await registration.client.post(f"/campaigns/{CAMPAIGN_ID}/venues", headers=ORGANIZER, json={
                "name": "Khu A", "address": "Quảng Ngãi",
                "booths": [{"code": "A01", "days": ["2026-10-10"]}]})).status_code == 201
            r = await registration.client.post(f"/campaigns/{CAMPAIGN_ID}/businesses",
                                               json=business_body(valid_tax_codes(1)[0]))
            business, token = r.json()["business"]["id"], TEST_ISSUER.person("lan@songtra.vn")
            applied = await registration.client.post(f"/businesses/{business}/applications", json={
                "days": ["2026-10-10"]}, headers={"Authorization": f"Bearer {token}"})
            assert applied.json()["status"] == "confirmed"

            async def told() -> bool:  # events -> registration -> notifications, and the contact-details call
                async with notifier.runtime.sessionmaker() as s:
                    return bool((await s.execute(sa.select(sa.func.count()).where(
                        notifications.c.recipient_id == business, notifications.c.status == "sent"))).scalar_one())
            await eventually(told, what="the business told, every service on its own user")
            for service in (events, registration, notifier):
                assert (await service.client.get("/readyz")).status_code == 200

        async def count_registration() -> int:
            nc = await nats_client.connect(secured.url, user=OPERATOR, password=passwords[OPERATOR])
            try:
                return (await nc.jetstream().stream_info(REGISTRATION.name)).state.messages
            finally:
                await nc.close()

        before = await count_registration()
        notif = ("notifications", passwords["notifications"], secured.url)
        forged = await _violations(*notif, lambda nc: nc.publish("registration.business.registered", b"{}"))
        assert any("permissions violation" in e.lower() for e in forged), forged
        js_forged = await _violations(*notif, lambda nc: nc.jetstream().publish(
            "registration.participant.erased", b"{}", timeout=1))
        assert js_forged  # refused (violation and no acknowledgement)
        assert await count_registration() == before  # nothing got into the stream

        snoop = await _violations(*notif, lambda nc: nc.subscribe("registration.>"))
        assert any("permissions violation" in e.lower() for e in snoop), snoop
        other_command = await _violations(*notif, lambda nc: nc.request(
            "rpc.registration.business.register", b"{}", timeout=1))
        assert any("permissions violation" in e.lower() for e in other_command), other_command
        delete = await _violations(*notif, lambda nc: nc.jetstream().delete_stream(REGISTRATION.name))
        assert delete and await count_registration() == before
        events_forging = await _violations("registration", passwords["registration"], secured.url,
                                           lambda nc: nc.publish("events.seat.confirmed", b"{}"))
        assert any("permissions violation" in e.lower() for e in events_forging)
