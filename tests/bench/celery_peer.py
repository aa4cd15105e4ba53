"""The peer: the same fan-out written the way many Python teams would — Celery workers over RabbitMQ,
one task per notice. The reschedule task looks up the holders and queues a task for each; a task
renders the same template, records the notice in its own table (one transaction, as an ORM would),
hands it to the same null channel and marks it sent.

Run by `make bench` (it starts the worker itself); needs RabbitMQ (DXDAY_BENCH_AMQP_URL, default the
local guest account) and says so when it is not there."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from pathlib import Path

from celery import Celery

from services.notifications.adapters import templates
from tests.bench import YEAR

AMQP_URL = os.environ.get("DXDAY_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
DB = Path(os.environ.get("DXDAY_BENCH_PEER_DB", "var/bench/peer.db"))

app = Celery("dxday_peer", broker=AMQP_URL)
app.conf.update(task_ignore_result=True, worker_prefetch_multiplier=32, task_acks_late=True,
                broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(DB, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def prepare(holders: list[str]) -> None:
    DB.parent.mkdir(parents=True, exist_ok=True)
    db = connect()
    db.execute("DROP TABLE IF EXISTS holders")
    db.execute("DROP TABLE IF EXISTS notices")
    db.execute("CREATE TABLE holders (workshop_id TEXT, participant_id TEXT, language TEXT)")
    db.execute("CREATE TABLE notices (id TEXT PRIMARY KEY, recipient_id TEXT, subject TEXT, body TEXT, "
               "status TEXT, created_at TEXT, sent_at TEXT)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO holders VALUES ('w1', ?, 'vi')", [(h,) for h in holders])
    db.execute("COMMIT")
    db.close()


def sent() -> int:
    db = connect()
    n = db.execute("SELECT count(*) FROM notices WHERE status = 'sent'").fetchone()[0]
    db.close()
    return int(n)


CONTEXT = {"campaign": {"locality": "Quảng Ngãi", "theme": "Chuyển đổi số"},
           "workshop": {"title": "Hội thảo trực tuyến", "room_name": "Trực tuyến",
                        "start": dt.datetime(YEAR, 10, 8, 3, tzinfo=dt.UTC), "end": dt.datetime(YEAR, 10, 8, 5,
                                                                                               tzinfo=dt.UTC)},
           "previous_start": dt.datetime(YEAR, 10, 8, 2, tzinfo=dt.UTC)}


@app.task(name="peer.reschedule")
def reschedule(workshop_id: str) -> int:
    db = connect()
    holders = db.execute("SELECT participant_id, language FROM holders WHERE workshop_id = ?",
                         (workshop_id,)).fetchall()
    db.close()
    for participant_id, language in holders:
        send_notice.delay(participant_id, language)
    return len(holders)


@app.task(name="peer.send_notice")
def send_notice(participant_id: str, language: str) -> None:
    subject, body = templates.render("workshop_changed", language, "Asia/Ho_Chi_Minh",
                                     {"name": "Người tham dự", **CONTEXT})
    db = connect()
    now = dt.datetime.now(dt.UTC).isoformat()
    notice_id = str(uuid.uuid4())
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO notices VALUES (?, ?, ?, ?, 'pending', ?, NULL)", (notice_id, participant_id, subject,
                                                                              body, now))
    db.execute("COMMIT")
    # the null channel: handed to nobody
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE notices SET status = 'sent', sent_at = ? WHERE id = ?", (now, notice_id))
    db.execute("COMMIT")
    db.close()
