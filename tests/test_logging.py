"""Log lines are JSON with the service and the ids that tie them to an event; readable text for `dxday up`."""

from __future__ import annotations

import json
import logging

from shared.platform.observability import JsonFormatter, TextFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "dxday.inbox", "levelname": "WARNING", "levelno": 30,
                                    "msg": "handler failed, retrying in %ss", "args": (5,)})
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_service_and_event_ids():
    line = JsonFormatter("notifications").format(_record(event_id="e-1", correlation_id="c-1",
                                                         consumer="notifications-events"))
    data = json.loads(line)
    assert data["service"] == "notifications" and data["level"] == "WARNING"
    assert data["msg"] == "handler failed, retrying in 5s"
    assert (data["event_id"], data["correlation_id"], data["consumer"]) == ("e-1", "c-1", "notifications-events")


def test_vietnamese_text_stays_readable_in_json():
    line = JsonFormatter("events").format(_record(msg="Hội thảo đã dời lịch", args=()))
    assert "Hội thảo đã dời lịch" in line


def test_text_format_for_dxday_up():
    text = TextFormatter("events").format(_record())
    assert "WARNING" in text and "events: handler failed, retrying in 5s" in text
