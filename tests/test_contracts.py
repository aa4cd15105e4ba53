"""Contracts are defined once, live on their stream, and the committed documents match the code."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.contracts import STREAMS, Actor, Envelope, make_envelope, registry
from shared.contracts.envelope import event_contract
from shared.contracts.events import CAMPAIGN_CREATED, CampaignCreated
from shared.contracts.streams import RPC_ROOT

ROOT = Path(__file__).resolve().parent.parent


def test_every_contract_lies_on_exactly_one_stream_and_outside_rpc():
    for (subject, _version), contract in registry.items():
        owners = [s for s in STREAMS if s.owns(subject)]
        assert owners == [contract.stream], subject
        assert not subject.startswith(f"{RPC_ROOT}.")


def test_a_contract_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        event_contract(CAMPAIGN_CREATED.subject, CAMPAIGN_CREATED.version, CampaignCreated, "again")


def test_subjects_outside_every_stream_are_refused():
    with pytest.raises(ValueError, match="no stream"):
        event_contract("rpc.registration.nothing", 1, CampaignCreated, "misplaced")


def test_envelope_round_trips_and_keeps_utc():
    payload = CampaignCreated(
        campaign_id="c-2026", year=2026, theme="Chủ đề", organizer="Sở KH&CN", locality="Huế",
        window_start=datetime(2026, 10, 1, tzinfo=timezone(timedelta(hours=7))),
        window_end=datetime(2026, 10, 10, 23, 59, 59, tzinfo=timezone(timedelta(hours=7))),
    )
    local = datetime(2026, 10, 1, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    env = make_envelope(CAMPAIGN_CREATED, payload, producer="events", actor=Actor(kind="account", id="a-1"),
                        occurred_at=local, campaign_id="c-2026")
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again == env
    assert again.occurred_at == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    assert again.correlation_id == again.event_id  # a new chain starts at its first event
    assert CAMPAIGN_CREATED.parse(again) == payload


def test_envelope_refuses_naive_times_and_unknown_fields():
    base = {"event_id": "e", "type": "events.campaign.created", "version": 1, "correlation_id": "e",
            "producer": "events", "actor": {"kind": "system"}, "payload": {}}
    with pytest.raises(ValidationError):
        Envelope.model_validate({**base, "occurred_at": "2026-10-01T08:00:00"})
    with pytest.raises(ValidationError):
        Envelope.model_validate({**base, "occurred_at": "2026-10-01T08:00:00Z", "phone": "+84..."})


def test_committed_asyncapi_document_matches_the_contracts():
    fresh = subprocess.run([sys.executable, "-m", "launcher.asyncapi_doc"], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout
    assert fresh == (ROOT / "docs" / "asyncapi.yaml").read_text(), "run `make docs`"
    assert "address: rpc.registration.contact_details.get" in fresh and "address: rpc.events.seat.reserve" in fresh


def test_committed_openapi_documents_match_the_services():
    from launcher.openapi import documents, render

    for name, doc in documents().items():
        committed = (ROOT / "docs" / "openapi" / f"{name}.json").read_text()
        assert render(doc) == committed, f"docs/openapi/{name}.json is stale: run `make docs`"
        assert {"/healthz", "/readyz", "/metrics"} <= set(json.loads(committed)["paths"])
