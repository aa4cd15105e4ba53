"""The participant's rules, one table each: channels keep their contact, promotions withdrawn once,
opt-out once, erasure leaves no personal field and nothing more to decide."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registration.domain.errors import ParticipantNotFound, TransitionNotAllowed
from services.registration.domain.participant import (
    PERSONAL_FIELDS,
    Erased,
    OptedOut,
    Participant,
    Registered,
    Updated,
    channels_without_contact,
)

NOW = dt.datetime(2027, 10, 2, 8, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


def person(channels=("email",), purposes=("service_notices", "promotions"), email="lan@example.vn",
           phone=None) -> Participant:
    return Participant.sign_up("p1", "qn-2027", name="Nguyễn Thị Lan", email=email, phone=phone, locality=None,
                               language="vi", channels=list(channels), purposes=list(purposes),
                               text_version="2026-01", wants_digest=False, now=NOW)


@pytest.mark.parametrize("channels,email,phone,lacking", [
    (["email"], "a@b.vn", None, []),
    (["sms"], None, "+84912345678", []),
    (["email", "sms"], "a@b.vn", None, ["sms"]),
    (["email"], None, "+84912345678", ["email"]),
    (["email", "sms"], None, None, ["email", "sms"]),
])
def test_every_chosen_channel_needs_its_contact(channels, email, phone, lacking):
    assert channels_without_contact(channels, email, phone) == lacking


def test_a_sign_up_records_its_consent():
    p = person()
    assert [type(e) for e in p.events] == [Registered]
    assert p.consented_at == NOW and p.wants_promotions and p.reachable


def test_a_change_that_leaves_a_channel_without_contact_is_refused_and_changes_nothing():
    p = person()
    p.events.clear()
    with pytest.raises(TransitionNotAllowed) as refused:
        p.change({"channels": ["email", "sms"]}, LATER)
    assert refused.value.details == {"field": "channels"} and p.channels == ["email"] and p.events == []
    p.change({"channels": ["email"], "language": "en"}, LATER)
    assert p.language == "en" and p.updated_at == LATER and [type(e) for e in p.events] == [Updated]
    assert not p.events[0].consent_changed


def test_promotions_are_withdrawn_once_and_service_notices_go_on():
    p = person()
    p.events.clear()
    assert p.withdraw_promotions(LATER) is True
    assert p.consent_purposes == ["service_notices"] and p.events[0].consent_changed
    assert p.withdraw_promotions(LATER) is False and len(p.events) == 1  # nothing more to withdraw


def test_an_opt_out_happens_once():
    p = person()
    assert p.opt_out(LATER) is True and not p.reachable
    assert p.opt_out(LATER + dt.timedelta(minutes=5)) is False and p.opted_out_at == LATER
    assert [type(e) for e in p.events] == [Registered, OptedOut]


def test_an_erasure_removes_every_personal_field_and_then_the_person_is_nobody():
    p = person(phone="+84912345678")
    p.erase(LATER)
    assert all(getattr(p, f) is None for f in PERSONAL_FIELDS)
    assert p.erased_at == LATER and p.opted_out_at == LATER and not p.reachable
    assert isinstance(p.events[-1], Erased)
    for act in (lambda: p.erase(LATER), lambda: p.opt_out(LATER), lambda: p.change({"language": "en"}, LATER)):
        with pytest.raises(ParticipantNotFound):
            act()
    assert p.withdraw_promotions(LATER) is False


def test_a_business_is_registered_once_per_tax_code_and_its_contact_changes_alone():
    from services.registration.domain.business import Business, ContactUpdated, Registered
    from services.registration.domain.errors import DuplicateBusiness

    facts = {"legal_name": "Công ty Sông Trà", "tax_code": "0100109106", "province": "Quảng Ngãi",
             "sector": "Phần mềm", "contact_person": "Lan", "email": "lan@example.vn", "phone": "+84912345678"}
    with pytest.raises(DuplicateBusiness) as refused:
        Business.register("b2", "qn-2027", facts, now=NOW, registered_as="b1")
    assert refused.value.details == {"field": "tax_code", "existing_id": "b1"}
    assert "0100109106" in refused.value.message_vi
    b = Business.register("b1", "qn-2027", facts, now=NOW, registered_as=None)
    b.update_contact("Minh", "minh@example.vn", "+84987654321", LATER)
    assert (b.contact_person, b.tax_code, b.updated_at) == ("Minh", "0100109106", LATER)
    assert [type(e) for e in b.events] == [Registered, ContactUpdated]
