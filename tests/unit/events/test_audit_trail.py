"""The campaign's audit trail: what a line keeps of an event, where a page starts, what each event is
called. No NATS, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.application.audit import BadCursor, cursor_of, line_of, parse_cursor
from services.events.entrypoints.audit_labels import EVENT_LABELS, actor_of, label_of
from services.events.entrypoints.consumers import AUDITED, subscriptions
from shared.contracts.envelope import Actor, Envelope, contracts_on
from shared.contracts.events import CAMPAIGN_CREATED
from shared.contracts.registration import CONTACTS_VIEWED

AT = dt.datetime(2027, 10, 5, 1, 30, tzinfo=dt.UTC)


def envelope(subject: str, payload: dict[str, object], campaign_id: str | None = "c1",
             actor: Actor = Actor(kind="account", id="acc-1", api_key="key-7")) -> Envelope:
    return Envelope(event_id="e1", type=subject, version=1, occurred_at=AT, campaign_id=campaign_id,
                    correlation_id="corr", producer="test", actor=actor, payload=payload)


@pytest.mark.parametrize(("subject", "payload", "about"), [
    ("events.workshop.scheduled", {"workshop_id": "w1", "campaign_id": "c1", "room_id": "r1"}, "w1"),
    ("registration.booth_application.confirmed", {"campaign_id": "c1", "application_id": "a9"}, "a9"),
    ("registration.contacts.viewed", {"campaign_id": "c1", "listing": "businesses.csv", "rows": 12},
     "businesses.csv (12)"),
    ("events.campaign.created", {"campaign_id": "c1", "year": 2027}, None),
])
def test_a_line_names_the_actor_the_subject_and_the_record_it_is_about(subject, payload, about):
    line = line_of(envelope(subject, payload))
    assert line is not None
    assert (line["actor_kind"], line["actor_id"], line["api_key"]) == ("account", "acc-1", "key-7")
    assert (line["subject"], line["about"], line["campaign_id"], line["occurred_at"]) == (subject, about, "c1", AT)


def test_an_event_that_names_no_campaign_leaves_no_line():
    assert line_of(envelope("identity.session.ended", {"session_id": "s1"}, campaign_id=None)) is None


def test_long_ids_are_cut_to_their_columns():
    line = line_of(envelope("events.workshop.scheduled", {"workshop_id": "w" * 500},
                            actor=Actor(kind="account", id="oidc:" + "x" * 500)))
    assert line is not None and len(line["about"]) == 120 and len(line["actor_id"]) == 120


def test_a_page_starts_after_the_last_line_shown_and_a_made_up_place_is_refused():
    line = {"occurred_at": AT, "event_id": "e-42"}
    assert parse_cursor(cursor_of(line)) == (AT, "e-42")
    assert parse_cursor(None) is None and parse_cursor("") is None
    for bad in ("yesterday", "2027-10-05T01:30:00", "2027-10-05T01:30:00+00:00", "2027-10-05T01:30:00+00:00~",
                "~e-42"):
        with pytest.raises(BadCursor):
            parse_cursor(bad)


def test_every_event_of_every_audited_stream_is_read_and_has_a_name_in_both_languages():
    def the_products(subjects: set[str]) -> set[str]:  # not the probe the reliability tests declare
        return {s for s in subjects if not s.endswith(".probe.recorded")}

    audited = the_products({c.subject for stream in AUDITED for c in contracts_on(stream)})
    assert {"events.campaign.created", "registration.contacts.viewed", "identity.grant.added"} <= audited
    read = the_products({c.subject for s in subscriptions() if s.name.startswith("audit-") for c in s.handlers})
    assert read == audited
    assert set(EVENT_LABELS) == audited
    assert label_of(CAMPAIGN_CREATED.subject, "vi") == "Tạo chiến dịch"
    assert label_of(CONTACTS_VIEWED.subject, "en") == "List of contact details viewed or exported"
    assert label_of("events.something.new", "vi") == "events.something.new"
    assert (actor_of("account", "vi"), actor_of("account", "en")) == ("Tài khoản", "Account")

