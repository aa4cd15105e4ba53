"""Notifications against real parts: NATS, SQLite/PostgreSQL, an SMTP server (aiosmtpd), an HTTP gateway."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import contacts, notifications, reminders
from services.notifications.app import create_app as notifications_app
from shared.platform.auth import manage_token
from shared.platform.clock import FixedClock
from shared.platform.config import Settings
from tests.notification_support import (
    VN,
    Gateway,
    campaign_created,
    contact_book,
    gateway_server,
    participant,
    publish,
    rescheduled,
    seat,
    smtp_server,
    ticket_code,
    workshop,
)
from tests.registration_support import (
    BEFORE_CAMPAIGN,
    CAMPAIGN_ID,
    bearer,
    participant_body,
    registration_stack,
    valid_tax_codes,
)
from tests.support import (
    ORGANIZER,
    TEST_ISSUER,
    RunningClock,
    RunningService,
    eventually,
    metric_value,
    qr_in,
    serve_in_process,
)

SEMINAR_START = dt.datetime(2026, 10, 10, 8, 0, tzinfo=VN)


@pytest.fixture
async def book(nats: NatsServer) -> AsyncIterator[dict]:
    """Stands in for the registration service's contact details, for tests that publish its events."""
    async with contact_book(nats.url) as answers:
        yield answers


def fast(settings: Settings, **extra: object) -> Settings:
    return settings.model_copy(update={"notify_retry_seconds": 0.05, "notify_tick_seconds": 0.1,
                                       "coalesce_seconds": 0.0, **extra})


async def rows(service: RunningService, **where: str) -> list[dict]:
    async with service.runtime.sessionmaker() as s:
        query = sa.select(notifications).where(*(notifications.c[k] == v for k, v in where.items()))
        return [dict(r) for r in (await s.execute(query)).mappings()]


async def test_booth_confirmation_reaches_the_business_mailbox_once_in_vietnamese(settings: Settings):
    async with smtp_server() as (mailbox, port):
        settings = fast(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        async with registration_stack(settings) as stack, serve_in_process(
                notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))) as notifier:
            await stack.define_venue(["A01", "A02"], days=["2026-10-09", "2026-10-10"])
            bid, token = await stack.register_business(valid_tax_codes(1)[0], email="lan@songtra.vn")
            applied = await stack.apply(bid, token, days=["2026-10-09", "2026-10-10"])
            assert applied.json()["status"] == "confirmed"
            [message] = await eventually(lambda: _mail(mailbox, "lan@songtra.vn", 1), what="the email")
            assert message["Subject"] == "Xác nhận gian hàng — Quảng Ngãi"
            body = message.get_payload(decode=True).decode()
            assert "Kính gửi Nguyễn Thị Lan" in body and "XÁC NHẬN" in body
            assert "Gian hàng A01: thứ Sáu, 09/10/2026" in body
            assert "Gian hàng A01: thứ Bảy, 10/10/2026" in body
            # a link back to what it is about, on the service that owns it
            assert f"Xem hồ sơ gian hàng: {settings.base_url_of('registration')}/exhibit/{CAMPAIGN_ID}/booths" in body
            # ... which opens the business's own applications with nothing kept: no cookie, no token
            link = re.search(r"/exhibit/\S+/booths\?manage=(\S+)", body)
            assert link, body
            async with httpx.AsyncClient(base_url=stack.registration.url) as browser:
                page = await browser.get(f"/exhibit/{CAMPAIGN_ID}/booths?manage={link.group(1)}")
                assert page.status_code == 200 and f'id="a-{applied.json()["application_id"]}"' in page.text
                kept = await browser.get(f"/exhibit/{CAMPAIGN_ID}/booths")  # the next page, on this campaign only
                assert f'id="a-{applied.json()["application_id"]}"' in kept.text
                forged = await browser.get(f"/exhibit/{CAMPAIGN_ID}/booths?manage={link.group(1)}x")
                assert forged.status_code == 303  # not signed in: to the exhibit page
            assert message["Message-ID"].startswith("<") and "@dxday>" in message["Message-ID"]
            await eventually(lambda: _status_is(notifier, bid, "email", "sent"), what="recorded as sent")
            text = (await notifier.client.get("/metrics")).text
            assert metric_value(text, "dxday_notifications_total", channel="email", template="booth_confirmed",
                                status="sent") == 1
            assert metric_value(text, "dxday_notification_delay_seconds_count", channel="email") == 1
            assert len(mailbox.to("lan@songtra.vn")) == 1


async def _mail(mailbox, address: str, n: int):  # type: ignore[no-untyped-def]
    found = mailbox.to(address)
    return found if len(found) >= n else None


async def test_a_crash_between_planning_and_ack_and_a_restart_send_no_second_email(
    settings: Settings, nats: NatsServer
):
    async with smtp_server() as (mailbox, port):
        settings = fast(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, ack_wait_seconds=1.0)
        clock = FixedClock(BEFORE_CAMPAIGN)
        app = notifications_app(settings, clock=clock)
        registration_consumer = next(c for c in app.state.runtime.consumers if c.sub.name == "registration")
        crashed: list[str] = []

        async def crash_once(event) -> None:  # type: ignore[no-untyped-def]
            if event.type.endswith("confirmed") and not crashed:
                crashed.append(event.event_id)
                raise ConnectionResetError("killed after the commit, before the ack")

        registration_consumer.after_commit = crash_once
        async with registration_stack(settings) as stack:
            async with serve_in_process(app):
                await stack.define_venue(["A01"])
                bid, token = await stack.register_business(valid_tax_codes(1)[0], email="an@example.vn")
                await stack.apply(bid, token)
                await eventually(lambda: _mail(mailbox, "an@example.vn", 1), timeout=45, what="the email")

                async def redelivered() -> float:
                    text = generate(app)
                    return metric_value(text, "dxday_inbox_duplicate_events_total",
                                        consumer="notifications-registration")

                await eventually(redelivered, timeout=45, what="the redelivery recognised")
            async with serve_in_process(notifications_app(settings, clock=clock)) as again:  # a restart
                await again.runtime.relay.publish_pending()
                await eventually(lambda: _consumer_settled(again), timeout=45, what="consumer caught up")
        assert crashed and len(mailbox.to("an@example.vn")) == 1


def generate(app) -> str:  # type: ignore[no-untyped-def]
    from prometheus_client import generate_latest

    return generate_latest(app.state.runtime.registry).decode()


async def _consumer_settled(service: RunningService) -> bool:
    info = await service.runtime.js().consumer_info("REGISTRATION", "notifications-registration")
    return info.num_pending == 0 and info.num_ack_pending == 0


async def test_sms_gateway_failing_twice_then_succeeding_sends_once(settings: Settings, nats: NatsServer, book: dict):
    gateway = Gateway(fail_first=2)
    async with gateway_server(gateway) as url:
        settings = fast(settings, sms_gateway_url=f"{url}/sms", sms_gateway_key="k")
        async with serve_in_process(notifications_app(settings, clock=RunningClock(BEFORE_CAMPAIGN))) as notifier:
            now = BEFORE_CAMPAIGN
            await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now),
                                     participant("p1", now, channels=["sms"], phone="+84912345678"),
                                     seat("w1", "p1", 7, now)])
            await eventually(lambda: _count(gateway.sms, 1), what="the SMS")
            [sms] = gateway.sms
            assert sms["to"] == "+84912345678" and "số 7" in sms["text"]
            assert len(gateway.sms_attempts) == 3 and len(set(gateway.sms_attempts)) == 1  # same idempotency key
            await eventually(lambda: _status_is(notifier, "p1", "sms", "sent"), what="recorded as sent")
            [row] = await rows(notifier, recipient_id="p1")
            assert (row["status"], row["attempts"]) == ("sent", 3)


@pytest.mark.parametrize("diacritics", [True, False], ids=["with-diacritics", "without"])
async def test_an_sms_is_its_own_short_text_with_the_brand_and_a_link(settings: Settings, nats: NatsServer,
                                                                    book: dict, diacritics: bool):
    from services.notifications.adapters.templates import sms_segments

    gateway = Gateway()
    async with gateway_server(gateway) as url:
        settings = fast(settings, sms_gateway_url=f"{url}/sms", sms_diacritics=diacritics)
        async with serve_in_process(notifications_app(settings, clock=RunningClock(BEFORE_CAMPAIGN))):
            now = BEFORE_CAMPAIGN
            await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now),
                                     participant("p1", now, channels=["sms"], phone="+84912345678"),
                                     confirmed := seat("w1", "p1", 7, now)])
            seat_id = confirmed.payload["seat_id"]
            await eventually(lambda: _count(gateway.sms, 1), what="the SMS")
            [sms] = gateway.sms
    text = sms["text"]
    assert text.startswith("NgayCDS: ") and "\n" not in text
    assert text.endswith(f"{settings.base_url_of('events')}/reserve/w1")  # the link, last
    assert text.count("Chuyển đổi số" if diacritics else "Chuyen doi so") <= 1  # the title once, not twice
    code = ticket_code(seat_id)
    assert (f"Mã vào cửa {code}." if diacritics else f"Ma vao cua {code}.") in text  # typed at the door
    if diacritics:
        assert "Giữ chỗ số 7" in text and "08:00 10/10" in text
        assert sms_segments(text) <= 2, (len(text), text)  # UCS-2: 70 characters a segment
    else:
        assert text.isascii() and "Giu cho so 7" in text
        assert sms_segments(text) == 1, (len(text), text)  # GSM-7: 160 characters


async def _count(items: list, n: int) -> bool:
    return len(items) >= n


async def test_a_gateway_that_keeps_failing_ends_failed_and_falls_back_to_the_next_channel(
    settings: Settings, nats: NatsServer, book: dict
):
    gateway = Gateway(always_fail=True)
    async with gateway_server(gateway) as url, smtp_server() as (mailbox, port):
        settings = fast(settings, sms_gateway_url=f"{url}/sms", notify_max_attempts=3, smtp_host="127.0.0.1",
                        smtp_port=port, smtp_starttls=False)
        async with serve_in_process(notifications_app(settings, clock=RunningClock(BEFORE_CAMPAIGN))) as notifier:
            now = BEFORE_CAMPAIGN
            await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now),
                                     participant("p1", now, channels=["sms", "email"], phone="+84912345678",
                                                 email_addr="p1@example.vn"),
                                     seat("w1", "p1", 1, now)])
            await eventually(lambda: _status_is(notifier, "p1", "email", "sent"), timeout=60,
                             what="the fallback email recorded as sent")
            assert len(mailbox.to("p1@example.vn")) == 1  # the fallback reached the mailbox, once
            log = (await notifier.client.get("/notifications?recipient=p1", headers=ORGANIZER)).json()
            by_channel = {n["channel"]: n for n in log}
            assert by_channel["sms"]["status"] == "failed" and "HTTP 500" in by_channel["sms"]["last_error"]
            assert by_channel["sms"]["attempts"] == 3
            assert by_channel["email"]["status"] == "sent" and by_channel["email"]["fallback_of"] == by_channel[
                "sms"]["id"]
            resent = await notifier.client.post(f"/notifications/{by_channel['sms']['id']}/resend", headers=ORGANIZER)
            assert resent.status_code == 200 and resent.json()["status"] == "pending"
            assert (await notifier.client.post(f"/notifications/{by_channel['email']['id']}/resend",
                                               headers=ORGANIZER)).status_code == 409


async def test_webhook_notices_are_signed_and_a_changed_body_fails_verification(settings: Settings, nats: NatsServer,
                                                                               book: dict):
    gateway = Gateway()
    async with gateway_server(gateway) as url:
        settings = fast(settings, webhook_url=f"{url}/hook", webhook_secret=gateway.secret)
        async with serve_in_process(notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))):
            now = BEFORE_CAMPAIGN
            await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now),
                                     participant("p1", now, channels=["webhook"]), seat("w1", "p1", 2, now)])
            await eventually(lambda: _count(gateway.hooks, 1), what="the webhook call")
            headers, body = gateway.hooks[0]
            assert gateway.verified(headers, body)
            assert not gateway.verified(headers, body.replace(b"p1", b"p2"))
            assert not gateway.verified({**headers, "x-dxday-timestamp": str(int(headers["x-dxday-timestamp"]) - 1)},
                                        body)
            assert headers["idempotency-key"]


async def test_reschedule_of_a_workshop_with_2000_holders_notifies_each_once_and_moves_reminders(
    settings: Settings, nats: NatsServer, book: dict, tmp_path: Path
):
    settings = fast(settings)
    people = [f"p{i:04d}" for i in range(2000)]
    now = BEFORE_CAMPAIGN
    moved_to = SEMINAR_START + dt.timedelta(hours=2)
    async with serve_in_process(notifications_app(settings, clock=FixedClock(now))) as notifier:
        await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now)]
                      + [participant(p, now, channels=["file"]) for p in people])
        await eventually(lambda: _contacts(notifier, 2000), timeout=120, what="directory")  # sign up, then reserve
        await publish(nats.url, [seat("w1", p, i + 1, now) for i, p in enumerate(people)])
        await eventually(lambda: _sent(notifier, "seat_confirmed", 2000), timeout=240, what="2000 seat notices")
        change = rescheduled("w1", SEMINAR_START, moved_to, people, now)
        await publish(nats.url, [change, change])  # the duplicate is dropped by the stream, or by the inbox
        await eventually(lambda: _sent(notifier, "workshop_changed", 2000), timeout=60, what="2000 change notices")
        changed = await rows(notifier, template="workshop_changed")
        assert Counter(r["recipient_id"] for r in changed) == Counter(people)  # each exactly once
        assert all(r["status"] == "sent" for r in changed)
        files = list((settings.data_dir / "messages").glob("file-*.txt"))
        assert len(files) == 4000
        sample = next(f for f in files if changed[0]["id"] in f.name).read_text()
        assert "Thời gian mới: 10:00, thứ Bảy, 10/10/2026" in sample and "Lịch cũ: 08:00" in sample
        async with notifier.runtime.sessionmaker() as s:
            due = (await s.execute(sa.select(reminders.c.minutes_before, reminders.c.due_at).where(
                reminders.c.participant_id == "p0042"))).all()
        assert sorted((m, d) for m, d in due) == [(60, moved_to - dt.timedelta(hours=1)),
                                                  (1440, moved_to - dt.timedelta(days=1))]


async def _sent(service: RunningService, template: str, n: int) -> bool:
    async with service.runtime.sessionmaker() as s:
        count = (await s.execute(sa.select(sa.func.count()).where(
            notifications.c.template == template, notifications.c.status == "sent"))).scalar_one()
    return count >= n


async def test_quiet_hours_hold_an_sms_caused_at_22_until_07(settings: Settings, nats: NatsServer, book: dict):
    gateway = Gateway()
    async with gateway_server(gateway) as url:
        settings = fast(settings, sms_gateway_url=f"{url}/sms")
        evening = dt.datetime(2026, 9, 30, 22, 0, tzinfo=VN)
        clock = FixedClock(evening)
        app = notifications_app(settings, clock=clock)
        async with serve_in_process(app) as notifier:
            await publish(nats.url, [campaign_created(evening), workshop("w1", SEMINAR_START, evening),
                                     participant("p1", evening, channels=["sms"], phone="+84912345678"),
                                     seat("w1", "p1", 3, evening)])
            [row] = await eventually(lambda: rows(notifier, recipient_id="p1"), what="the planned SMS")
            assert row["status"] == "pending"
            assert row["next_attempt_at"] == dt.datetime(2026, 10, 1, 7, 0, tzinfo=VN)
            clock.advance(dt.timedelta(hours=8, minutes=59))  # 06:59
            assert await app.state.dispatcher.run_until_idle() == 0 and gateway.sms == []
            clock.advance(dt.timedelta(minutes=1))  # 07:00
            await eventually(lambda: _count(gateway.sms, 1), what="the SMS at 07:00")
            await eventually(lambda: _sent(notifier, "seat_confirmed", 1), what="recorded as sent")
            [sent] = await rows(notifier, recipient_id="p1")
            assert sent["sent_at"] == dt.datetime(2026, 10, 1, 7, 0, tzinfo=VN)


async def test_a_change_to_a_workshop_that_starts_before_the_quiet_hours_end_goes_out_at_once(
        settings: Settings, nats: NatsServer, book: dict):
    gateway = Gateway()
    async with gateway_server(gateway) as url:
        settings = fast(settings, sms_gateway_url=f"{url}/sms")
        night = dt.datetime(2026, 10, 1, 1, 0, tzinfo=VN)
        early, later = dt.datetime(2026, 10, 1, 5, 9, tzinfo=VN), dt.datetime(2026, 10, 3, 9, 0, tzinfo=VN)
        clock = FixedClock(night)
        async with serve_in_process(notifications_app(settings, clock=clock)) as notifier:
            await publish(nats.url, [campaign_created(night), workshop("w1", early, night),
                                     workshop("w2", later, night),
                                     participant("p1", night, channels=["sms"], phone="+84912345678"),
                                     seat("w1", "p1", 3, night), seat("w2", "p1", 4, night)])
            await eventually(lambda: _template_rows(notifier, "seat_confirmed", 2), what="seat notices planned")
            from shared.contracts import events as ev
            from tests.notification_support import envelope
            await publish(nats.url, [envelope(ev.WORKSHOP_CANCELLED, ev.WorkshopCancelled(
                workshop_id=w, campaign_id=CAMPAIGN_ID, title="Hội thảo", start=start,
                end=start + dt.timedelta(hours=1), reason="Mưa bão",
                holders=[ev.SeatHolder(participant_id="p1", seat_status="confirmed")]), night)
                for w, start in (("w1", early), ("w2", later))])
            await eventually(lambda: _template_rows(notifier, "workshop_cancelled", 2), what="both cancellations")
            by_workshop = {r["dedup_key"].split(":")[1]: r for r in await rows(notifier, template="workshop_cancelled")}
            assert by_workshop["w1"]["next_attempt_at"] == night  # at 05:09: told now, not at 07:00
            assert by_workshop["w2"]["next_attempt_at"] == dt.datetime(2026, 10, 1, 7, 0, tzinfo=VN)  # can wait
            seats = {r["cause_event_id"]: r["next_attempt_at"] for r in await rows(notifier, template="seat_confirmed")}
            assert sorted(seats.values()) == [night, dt.datetime(2026, 10, 1, 7, 0, tzinfo=VN)]  # w1's seat too


async def test_email_subjects_arrive_exactly_as_written(settings: Settings):
    """Long Vietnamese subjects, decoded from what the SMTP server received, compared exactly."""
    from services.notifications.adapters.channels import Outgoing, SmtpTransport

    subjects = ["Hội thảo thử sập máy", "Thay đổi lịch: Hội thảo thử sập máy",
                "Xác nhận chỗ: Tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng xã Tịnh Khê, tỉnh Quảng Ngãi "
                "— 08:00, thứ Sáu, 09/10/2026", "Booth confirmed — Quảng Ngãi " * 4]
    async with smtp_server() as (mailbox, port):
        transport = SmtpTransport("127.0.0.1", port, sender=settings.mail_from, starttls=False, user=None,
                                  password=None)
        for i, subject in enumerate(subjects):
            await transport.send(Outgoing(f"n{i}", "email", "lan@songtra.vn", subject, "Nội dung", "vi", "x", "b"))
        await eventually(lambda: _count(mailbox.messages, len(subjects)), what="every email received")
    assert [m["Subject"] for m in mailbox.messages] == subjects
    assert {m["Content-Language"] for m in mailbox.messages} == {"vi"}
    assert mailbox.messages[0]["From"] == "Ngày Chuyển đổi số <no-reply@dxday.local>"


async def test_emails_of_a_batch_share_a_few_smtp_connections():
    import asyncio

    from services.notifications.adapters.channels import Outgoing, SmtpTransport

    async with smtp_server() as (mailbox, port):
        transport = SmtpTransport("127.0.0.1", port, sender="dxday <no-reply@dxday.local>", starttls=False,
                                  user=None, password=None, connections=3)
        await asyncio.gather(*(transport.send(Outgoing(f"n{i}", "email", f"p{i}@example.vn", "Nhắc lịch", "Nội dung",
                                                       "vi", "reminder", f"p{i}")) for i in range(30)))
        await eventually(lambda: _count(mailbox.messages, 30), what="every email")
        assert 1 <= mailbox.connections <= 3, mailbox.connections  # not one connection per email
        await transport.close()


async def test_reminders_fire_once_when_due_and_vanish_when_the_seat_is_cancelled(settings: Settings,
                                                                                   nats: NatsServer, book: dict):
    settings = fast(settings)
    clock = FixedClock(BEFORE_CAMPAIGN)
    async with serve_in_process(notifications_app(settings, clock=clock)) as notifier:
        now = BEFORE_CAMPAIGN
        from shared.contracts import events as ev
        from tests.notification_support import envelope

        await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now),
                                 participant("p1", now, channels=["file"]), participant("p2", now, channels=["file"])])
        await eventually(lambda: _contacts(notifier, 2), what="directory")  # people sign up before they reserve
        await publish(nats.url, [seat("w1", "p1", 1, now), seat("w1", "p2", 2, now),
                                 envelope(ev.SEAT_CANCELLED, ev.SeatCancelled(
                                     seat_id="s2", workshop_id="w1", campaign_id="quang-ngai-2026",
                                     participant_id="p2", reason="đổi ý"), now)])
        await eventually(lambda: _sent(notifier, "seat_cancelled", 1), what="the cancellation notice")
        clock.advance(SEMINAR_START - dt.timedelta(hours=24) - BEFORE_CAMPAIGN)  # exactly 24 h before
        await eventually(lambda: _sent(notifier, "reminder", 1), what="the 24-hour reminder")
        clock.advance(dt.timedelta(hours=23))  # 1 h before
        await eventually(lambda: _sent(notifier, "reminder", 2), what="the 1-hour reminder")
        sent = await rows(notifier, template="reminder")
        assert [r["recipient_id"] for r in sent] == ["p1", "p1"]
        assert any("ngày mai" in r["body"] for r in sent) and any("1 giờ" in r["body"] for r in sent)
        assert all("Chỗ của bạn: số 1" in r["body"] for r in sent), [r["body"] for r in sent]  # the seat held


async def test_a_burst_of_edits_gives_one_notice_with_the_final_state(settings: Settings, nats: NatsServer, book: dict):
    settings = fast(settings, coalesce_seconds=120.0)
    clock = FixedClock(BEFORE_CAMPAIGN)
    app = notifications_app(settings, clock=clock)
    async with serve_in_process(app) as notifier:
        now = BEFORE_CAMPAIGN
        first_move, second_move = SEMINAR_START + dt.timedelta(hours=1), SEMINAR_START + dt.timedelta(hours=3)
        await publish(nats.url, [campaign_created(now), workshop("w1", SEMINAR_START, now),
                                 participant("p1", now, channels=["file"]), seat("w1", "p1", 1, now)])
        await eventually(lambda: _sent(notifier, "seat_confirmed", 1), what="seat notice")
        await publish(nats.url, [rescheduled("w1", SEMINAR_START, first_move, ["p1"], now)])
        await eventually(lambda: _template_rows(notifier, "workshop_changed", 1), what="first change planned")
        clock.advance(dt.timedelta(seconds=40))
        await publish(nats.url, [rescheduled("w1", first_move, second_move, ["p1"], clock.now())])

        async def rewritten() -> bool:
            [row] = await rows(notifier, template="workshop_changed")
            return "11:00" in row["body"]

        await eventually(rewritten, what="the pending notice rewritten with the final time")
        assert await app.state.dispatcher.run_until_idle() == 0  # still inside the quiet period
        clock.advance(dt.timedelta(seconds=121))
        await eventually(lambda: _sent(notifier, "workshop_changed", 1), what="one change notice")
        [row] = await rows(notifier, template="workshop_changed")
        assert "Thời gian mới: 11:00" in row["body"]
        # the old time is the one the person was told (08:00), not the edit in between (09:00)
        assert "08:00" in row["body"] and "09:00" not in row["body"], row["body"]


async def _template_rows(service: RunningService, template: str, n: int) -> bool:
    return len(await rows(service, template=template)) >= n


async def test_opt_out_and_erasure_stop_every_further_message(settings: Settings):
    settings = fast(settings)
    async with registration_stack(settings) as stack, serve_in_process(
            notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))) as notifier:
        room = (await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/rooms", headers=ORGANIZER,
                                               json={"name": "Hội trường", "seats": 10})).json()
        w = (await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
            "title": "Tập huấn kỹ năng số", "room_id": room["id"], "start": "2026-10-09T14:00:00+07:00",
            "end": "2026-10-09T16:00:00+07:00"})).json()
        people = []
        for i in range(2):
            r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                name=f"Người {i}", email=f"n{i}@example.vn", phone=None, channels=["file"]))
            people.append((r.json()["participant"]["id"], TEST_ISSUER.person(f"n{i}@example.vn")))

        async def reserved(token: str):  # type: ignore[no-untyped-def]
            r = await stack.events.client.post(f"/workshops/{w['workshop_id']}/seats", headers=bearer(token))
            return r.json() if r.status_code == 201 else None

        for _, token in people:
            await eventually(lambda token=token: reserved(token), what="seat")  # type: ignore[misc]
        await eventually(lambda: _sent(notifier, "seat_confirmed", 2), what="two seat notices")
        (a, a_tok), (b, b_tok) = people
        await stack.reg.post(f"/participants/{a}/opt-out", headers=bearer(a_tok))
        assert (await stack.reg.delete(f"/participants/{b}", headers=bearer(b_tok))).status_code == 204
        await stack.registration.runtime.relay.publish_pending()
        await eventually(lambda: _contact_state(notifier, a, b), what="directory updated")
        moved = await stack.events.client.post(f"/workshops/{w['workshop_id']}/reschedule", headers=ORGANIZER,
                                               json={"start": "2026-10-09T15:00:00+07:00",
                                                     "end": "2026-10-09T17:00:00+07:00"})
        assert moved.status_code == 200
        await stack.events.runtime.relay.publish_pending()
        await eventually(lambda: _handled(notifier, "events.workshop.rescheduled"), what="reschedule handled")
        assert await rows(notifier, template="workshop_changed") == []
        erased = await rows(notifier, recipient_id=b)
        assert erased and all(r["body"] == "[đã xóa / erased]" for r in erased)
        async with notifier.runtime.sessionmaker() as s:
            left = (await s.execute(sa.select(reminders.c.status).where(reminders.c.participant_id.in_([a, b])))).all()
        assert {status for (status,) in left} == {"cancelled"}


async def _contact_state(service: RunningService, opted: str, erased: str) -> bool:
    from services.notifications.adapters.repository import Repository

    async with service.runtime.sessionmaker() as s:
        repo = Repository(s)
        a, b = await repo.contact(opted), await repo.contact(erased)
    assert b is None or not {"name", "email", "phone"} & set(b)  # the directory never held personal data
    return a is not None and a["opted_out"] and b is not None and b["erased"]


async def _handled(service: RunningService, subject: str) -> bool:
    from shared.platform.db import inbox_table

    async with service.runtime.sessionmaker() as s:
        return bool((await s.execute(sa.select(sa.func.count()).where(inbox_table.c.subject == subject))).scalar_one())


async def test_promotional_messages_follow_decree_91(settings: Settings, nats: NatsServer, book: dict):
    settings = fast(settings)
    evening = dt.datetime(2026, 10, 2, 22, 30, tzinfo=VN)
    clock = FixedClock(evening)
    async with serve_in_process(notifications_app(settings, clock=clock)) as notifier:
        await publish(nats.url, [campaign_created(evening),
                                 participant("fan", evening, channels=["file"],
                                             purposes=("service_notices", "promotions")),
                                 participant("quiet", evening, channels=["file"])])
        await eventually(lambda: _contacts(notifier, 2), what="directory")
        early = await notifier.client.post("/campaigns/no-such-campaign/announcements", headers=ORGANIZER,
                                           json={"title": "Thử", "text": "Chưa có chiến dịch."})
        assert early.status_code == 503 and early.json()["error"]["code"] == "not_yet_known"

        async def campaign_known() -> bool:
            from services.notifications.adapters.repository import Repository

            async with notifier.runtime.sessionmaker() as s:
                return await Repository(s).campaign(CAMPAIGN_ID) is not None

        await eventually(campaign_known, what="campaign known")
        results = []
        for i in range(4):
            r = await notifier.client.post(f"/campaigns/{CAMPAIGN_ID}/announcements", headers=ORGANIZER,
                                           json={"title": f"Mời tham quan {i}", "text": "Khu trưng bày mở cửa."})
            results.append(r.json())
        assert [(r["planned"], r["suppressed"]) for r in results] == [(1, 0), (1, 0), (1, 0), (0, 1)]
        promo = await rows(notifier, recipient_id="fan")
        assert all(r["subject"].startswith("[QC] ") and "ngừng nhận" in r["body"] for r in promo)
        assert [r for r in promo if r["status"] == "suppressed"][0]["last_error"].startswith("promotional limit")
        assert await rows(notifier, recipient_id="quiet") == []  # no consent to promotions, nothing at all
        pending = [r for r in promo if r["status"] == "pending"]
        assert {r["next_attempt_at"] for r in pending} == {dt.datetime(2026, 10, 3, 7, 0, tzinfo=VN)}  # not at 22:30


async def _contacts(service: RunningService, n: int) -> bool:
    from services.notifications.adapters.orm import contacts

    async with service.runtime.sessionmaker() as s:
        return (await s.execute(sa.select(sa.func.count()).select_from(contacts))).scalar_one() >= n


async def test_morning_digest_once_a_day_for_those_who_asked(settings: Settings, nats: NatsServer, book: dict):
    from services.notifications.application import scheduled

    settings = fast(settings)
    morning = dt.datetime(2026, 10, 10, 6, 30, tzinfo=VN)
    clock = FixedClock(morning)
    app = notifications_app(settings, clock=clock)
    async with serve_in_process(app) as notifier:
        await publish(nats.url, [campaign_created(morning), workshop("w1", SEMINAR_START, morning),
                                 participant("reader", morning, channels=["file"], wants_digest=True,
                                             purposes=("service_notices", "digest")),
                                 participant("other", morning, channels=["file"])])
        await eventually(lambda: _contacts(notifier, 2), what="directory")
        await eventually(lambda: _workshop_known(notifier, "w1"), what="the workshop")
        handlers = app.state.handlers
        done: set = set()
        assert await scheduled.send_morning_digests(handlers.deps, handlers, done) == 0  # 06:30: not yet
        clock.advance(dt.timedelta(minutes=31))
        assert await scheduled.send_morning_digests(handlers.deps, handlers, done) == 1
        assert await scheduled.send_morning_digests(handlers.deps, handlers, set()) == 0  # a restart: still once
        [digest] = await rows(notifier, template="digest")
        assert digest["recipient_id"] == "reader"
        assert "08:00: Hội thảo Chuyển đổi số (Hội trường A)" in digest["body"]


async def _workshop_known(service: RunningService, workshop_id: str) -> bool:
    from services.notifications.adapters.repository import Repository

    async with service.runtime.sessionmaker() as s:
        return await Repository(s).workshop(workshop_id) is not None


async def _status_is(service: RunningService, recipient: str, channel: str, status: str) -> bool:
    return any(r["channel"] == channel and r["status"] == status for r in await rows(service, recipient_id=recipient))


@asynccontextmanager
async def booth_notice_sent(settings: Settings) -> AsyncIterator[tuple[Settings, RunningService]]:
    """Email discarded (no server): a business's booth confirmation recorded as sent."""
    settings = fast(settings, unconfigured_channels="discard")
    async with registration_stack(settings) as stack, serve_in_process(
            notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))) as notifier:
        await stack.define_venue(["A01"], days=["2026-10-09"])
        bid, token = await stack.register_business(valid_tax_codes(1)[0], email="lan@songtra.vn")
        assert (await stack.apply(bid, token, days=["2026-10-09"])).json()["status"] == "confirmed"
        await eventually(lambda: _status_is(notifier, bid, "email", "sent"), what="recorded as sent")
        yield settings, notifier


async def test_discarded_channels_record_the_notice_as_sent_and_write_no_file(settings: Settings):
    async with booth_notice_sent(settings) as (settings, _notifier):
        assert not list((settings.data_dir / "messages").glob("*.txt"))


async def test_the_file_channel_still_writes_when_unconfigured_channels_are_discarded(tmp_path: Path):
    from services.notifications.adapters.channels import Outgoing
    from services.notifications.app import transports

    settings = Settings(_env_file=None, data_dir=tmp_path, unconfigured_channels="discard")
    async with httpx.AsyncClient() as client:
        channels = transports(settings, client)

    def note(channel: str) -> Outgoing:
        return Outgoing(notification_id=f"n-{channel}", channel=channel, to="x", subject="Nhắc lịch",
                        body="Hội thảo lúc 08:00", language="vi", template="reminder", recipient_id="p1")

    for channel in ("email", "sms", "webhook", "file"):
        await channels[channel].send(note(channel))
    written = list((tmp_path / "messages").glob("*.txt"))
    assert len(written) == 1 and "n-file" in written[0].name + written[0].read_text()


async def test_planning_holds_the_contacts_it_read_so_an_erasure_waits_for_it(postgres_settings: Settings):
    """PostgreSQL, several connections: an erasure committing while a notice for the same person is
    being planned must not leave that notice's text behind (the erasure waits, then redacts it)."""
    from services.notifications.adapters.repository import Repository

    async with serve_in_process(notifications_app(postgres_settings)) as notifier:
        sessions = notifier.runtime.sessionmaker
        async with sessions() as s, s.begin():
            await Repository(s).put_contact({
                "contact_id": "p-held", "kind": "participant", "campaign_id": CAMPAIGN_ID, "language": "vi",
                "channels": ["file"], "purposes": ["service_notices"], "wants_digest": False, "opted_out": False,
                "erased": False, "updated_at": dt.datetime.now(dt.UTC)})
        async with sessions() as planning, planning.begin():
            assert "p-held" in await Repository(planning).contacts_by_id(["p-held"], hold=True)
            async with sessions() as erasing, erasing.begin():
                await erasing.execute(sa.text("SET LOCAL lock_timeout = '300ms'"))
                with pytest.raises(sa.exc.DBAPIError, match="lock timeout"):
                    await Repository(erasing).erase_contact("p-held", dt.datetime.now(dt.UTC))
        async with sessions() as s, s.begin():  # once planning has ended, the erasure goes through
            await Repository(s).erase_contact("p-held", dt.datetime.now(dt.UTC))


async def test_the_board_lists_the_last_notifications_with_their_status(settings: Settings):
    from tests.registration_support import board_session

    async with booth_notice_sent(settings) as (running, notifier), board_session(running) as (_identity, session):
        board = notifier.client
        assert (await board.get(f"/board/{CAMPAIGN_ID}")).status_code == 303  # sign in first
        board.cookies.set("dxday_session", session, domain="127.0.0.1")  # what the identity service set
        page = await board.get(f"/board/{CAMPAIGN_ID}?lang=en")
        assert page.status_code == 200 and "Booth confirmed" in page.text and "sent" in page.text
        vi = await board.get(f"/board/{CAMPAIGN_ID}?lang=vi")  # names in the reader's language, not keys
        assert "Xác nhận gian hàng" in vi.text and "đã gửi" in vi.text and ">booth_confirmed<" not in vi.text
        assert "lan@songtra.vn" not in page.text  # ids only: contact details stay in registration
        csv = await board.get(f"/board/{CAMPAIGN_ID}/notifications.csv")
        lines = csv.text.lstrip("\ufeff").splitlines()
        assert lines[0].startswith("id,created_at,sent_at,status,channel,template")
        assert any(",sent,email,booth_confirmed," in line for line in lines[1:])


async def test_promotions_stop_with_one_click_in_the_email_or_an_sms_reply(settings: Settings):
    import hashlib
    import hmac
    import json
    import time

    async with smtp_server() as (mailbox, port):
        settings = fast(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                        sms_gateway_key="gw-key")
        async with registration_stack(settings) as stack, serve_in_process(
                notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))) as notifier:
            promos = {"accepted": True, "purposes": ["service_notices", "promotions"]}
            signed = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                email="hoa@example.vn", phone=None, channels=["email"], consent=promos))
            pid, token = signed.json()["participant"]["id"], TEST_ISSUER.person("hoa@example.vn")
            texter = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                email=None, phone="0987 654 321", channels=["sms"], consent=promos))
            tid, ttoken = texter.json()["participant"]["id"], TEST_ISSUER.person("+84987654321")
            await eventually(lambda: _contacts(notifier, 2), what="both in the directory")
            announce = {"title": "Mời tham quan khu trưng bày", "text": "Khu trưng bày mở cửa từ 8 giờ."}
            r = await notifier.client.post(f"/campaigns/{CAMPAIGN_ID}/announcements", json=announce,
                                           headers=ORGANIZER)
            assert r.status_code in (200, 201, 202), r.text
            [mail] = await eventually(lambda: _mail(mailbox, "hoa@example.vn", 1), what="the promotional email")
            assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            link = "".join(mail["List-Unsubscribe"].split()).strip("<>")
            assert link.startswith(settings.base_url_of("registration") + "/unsubscribe/")
            path = link.removeprefix(settings.base_url_of("registration"))
            clicked = await stack.reg.post(path, content=b"List-Unsubscribe=One-Click",
                                           headers={"content-type": "application/x-www-form-urlencoded"})
            assert clicked.status_code == 200 and clicked.json()["unsubscribed"] is True
            assert (await stack.reg.post(path[:-3] + "abc")).status_code == 404  # a forged link
            me = (await stack.reg.get(f"/participants/{pid}", headers=bearer(token))).json()
            assert me["consent_purposes"] == ["service_notices"]

            body = json.dumps({"from": "+84987654321", "text": "Từ chối"}).encode()
            stamp = str(int(time.time()))
            unsigned = await stack.reg.post("/sms/inbound", content=body)
            assert unsigned.status_code == 401
            mac = "sha256=" + hmac.new(b"gw-key", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            reply = await stack.reg.post("/sms/inbound", content=body,
                                         headers={"X-Dxday-Timestamp": stamp, "X-Dxday-Signature": mac})
            assert reply.status_code == 200 and reply.json() == {"opted_out": 1}
            them = (await stack.reg.get(f"/participants/{tid}", headers=bearer(ttoken))).json()
            assert them["consent_purposes"] == ["service_notices"]

            async def directory_knows() -> bool:
                async with notifier.runtime.sessionmaker() as s:
                    found = (await s.execute(sa.select(contacts.c.purposes).where(
                        contacts.c.contact_id.in_([pid, tid])))).scalars().all()
                return len(found) == 2 and all("promotions" not in p for p in found)
            await eventually(directory_knows, what="the withdrawal reached the notifications service")
            second = await notifier.client.post(f"/campaigns/{CAMPAIGN_ID}/announcements", headers=ORGANIZER,
                                                json={**announce, "title": "Lần hai"})
            assert second.status_code in (200, 201, 202)
            assert len(mailbox.to("hoa@example.vn")) == 1  # nothing more for who unsubscribed


async def test_a_seat_email_carries_a_qr_code_and_an_sms_a_code_that_both_check_in(settings: Settings):
    from tests.test_events_service import make_room, make_workshop

    gateway = Gateway()
    async with smtp_server() as (mailbox, port), gateway_server(gateway) as url:
        settings = fast(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                        sms_gateway_url=f"{url}/sms")
        async with registration_stack(settings) as stack, serve_in_process(
                notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))) as notifier:
            w = await make_workshop(stack, await make_room(stack))
            mailer = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                email="mai@example.vn", phone=None, channels=["email"]))
            texter = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                email=None, phone="0912 345 678", channels=["sms"]))
            assert mailer.status_code == texter.status_code == 201
            tokens = [TEST_ISSUER.person("mai@example.vn"), TEST_ISSUER.person("+84912345678")]

            async def reserved(token: str):  # type: ignore[no-untyped-def]
                r = await stack.events.client.post(f"/workshops/{w['workshop_id']}/seats", headers=bearer(token))
                return r.json() if r.status_code == 201 else None

            seats = [await eventually(lambda t=t: reserved(t), what="a seat") for t in tokens]  # type: ignore[misc]
            [mail] = await eventually(lambda: _mail(mailbox, "mai@example.vn", 1), what="the seat email")
            await eventually(lambda: _count(gateway.sms, 1), what="the seat SMS")

            # the email: text and HTML, the HTML shows the QR code as an inline image (no network needed)
            assert mail.get_content_type() == "multipart/related"
            html = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_payload(decode=True)
            image = next(p for p in mail.walk() if p.get_content_type() == "image/png")
            cid = image["Content-ID"].strip("<>")
            assert f'src="cid:{cid}"'.encode() in html
            text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
            assert f"Mã vào cửa: {seats[0]['checkin_code']}" in text.decode()
            token = qr_in(image.get_payload(decode=True))
            assert token == seats[0]["checkin_token"]
            first = await stack.events.client.post("/checkin", json={"token": token}, headers=ORGANIZER)
            assert first.status_code == 200, first.text

            # the SMS: a short code a door scanner types, in any case, with or without the dash
            [sms] = gateway.sms
            code = re.search(r"Mã vào cửa ([0-9A-Z]{5}-[0-9A-Z]{5})", sms["text"])
            assert code and code.group(1) == seats[1]["checkin_code"], sms["text"]
            typed = code.group(1).replace("-", " ").lower()
            door = await stack.events.client.post("/checkin", json={"token": typed}, headers=ORGANIZER)
            assert door.status_code == 200 and door.json()["seat_id"] == seats[1]["seat_id"], door.text
            again = await stack.events.client.post("/checkin", json={"token": code.group(1)}, headers=ORGANIZER)
            assert again.status_code == 409 and again.json()["error"]["code"] == "already_checked_in"
            wrong = await stack.events.client.post("/checkin", json={"token": "ZZZZZ-ZZZZZ"}, headers=ORGANIZER)
            assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_ticket"

            # the person's own page (as a notice's link opens it) shows the same QR code and code
            manage = manage_token(settings.checkin_secret, seats[1]["participant_id"], w["workshop_id"],
                                  int(time.time()) + 3600)
            page = await stack.events.client.get(f"/reserve/{w['workshop_id']}", params={"manage": manage})
            assert page.status_code == 200 and '<svg' in page.text and seats[1]["checkin_code"] in page.text
            # nothing of the ticket is kept by the notifications service
            stored = await rows(notifier, recipient_id=seats[1]["participant_id"])
            assert all(code.group(1) not in r["body"] and "seat:" not in r["body"] for r in stored)


async def test_a_seat_emails_link_opens_that_seat_without_a_token_and_gives_it_up(settings: Settings):
    """The link in a seat email carries a token made when it left (never stored here): opened in a browser
    with no cookie it shows the recipient's seat on that workshop's page and gives it up there; the same
    token on another workshop's page, or changed, opens nothing."""
    from tests.test_events_service import make_room, make_workshop

    async with smtp_server() as (mailbox, port):
        settings = fast(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        async with registration_stack(settings) as stack, serve_in_process(
                notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))) as notifier:
            room = await make_room(stack)
            w, other = await make_workshop(stack, room), await make_workshop(
                stack, room, start="2026-10-10T14:00:00+07:00", end="2026-10-10T16:00:00+07:00")
            signed = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                email="mai@example.vn", phone=None, channels=["email"]))
            assert signed.status_code == 201
            token = TEST_ISSUER.person("mai@example.vn")

            async def reserved():  # type: ignore[no-untyped-def]
                r = await stack.events.client.post(f"/workshops/{w['workshop_id']}/seats", headers=bearer(token))
                return r.json() if r.status_code == 201 else None

            seat = await eventually(reserved, what="a seat")
            [mail] = await eventually(lambda: _mail(mailbox, "mai@example.vn", 1), what="the seat email")
            text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
            link = re.search(r"(http://\S+/reserve/\S+\?manage=(\S+))", text.decode())
            assert link, text.decode()
            browser = httpx.AsyncClient()  # a browser with nothing of the person's: no cookie, no token
            page = await browser.get(link.group(1).replace(settings.base_url_of("events"), stack.events.url))
            assert page.status_code == 200 and seat["checkin_code"] in page.text, page.text
            elsewhere = await browser.get(f"{stack.events.url}/reserve/{other['workshop_id']}?manage={link.group(2)}")
            assert seat["checkin_code"] not in elsewhere.text and 'name="manage"' not in elsewhere.text
            forged = await browser.get(f"{stack.events.url}/reserve/{w['workshop_id']}?manage={link.group(2)}x")
            assert seat["checkin_code"] not in forged.text
            form_token = page.text.split('name="form_token" value="')[1].split('"')[0]
            gone = await browser.post(f"{stack.events.url}/reserve/{w['workshop_id']}/cancel", data={
                "form_token": form_token, "manage": link.group(2)}, cookies={"dxday_form": form_token})
            assert gone.status_code == 303, gone.text
            after = await stack.events.client.get(f"/seats/{seat['seat_id']}", headers=bearer(token))
            assert after.json()["status"] == "cancelled"
            await browser.aclose()
            stored = await rows(notifier, recipient_id=seat["participant_id"])
            assert stored and all(link.group(2) not in r["body"] for r in stored)  # the token is not kept here
