"""Scopes follow the locality tree: a place covers itself and below, never a sibling; who may grant
what; sign-in links and codes work once, for 15 minutes."""

from __future__ import annotations

import datetime as dt

import pytest

from services.identity.adapters.locality_data import locality_tree
from services.identity.domain.accounts import Account, Grant
from services.identity.domain.errors import InvalidScope, NotAllowedHere, SignInRefused, UnknownLocality
from services.identity.domain.sign_in import MAX_WRONG_CODES, SignInChallenge
from shared.contracts.identity import Role, acts_as
from shared.platform.tokens import AccessClaims

NOW = dt.datetime(2027, 9, 20, 8, tzinfo=dt.UTC)
TREE = locality_tree([{"code": "W21211/thon-an-loc", "commune": "W21211", "name": "Thôn An Lộc"}])
QUANG_NGAI, TINH_KHE, TRUONG_QUANG_TRONG, HA_NOI, BA_DINH = "P51", "W21211", "W21172", "P01", "W00004"


@pytest.mark.parametrize(("held", "role", "acts"), [
    (Role.ORGANIZER, Role.ORGANIZER, True),
    (Role.ORGANIZER, Role.CHECKIN_STAFF, True),  # an organizer does what its subtree's other roles do
    (Role.ORGANIZER, Role.BOOTH_REVIEWER, True),
    (Role.ORGANIZER, Role.OPERATOR, False),  # but not the operator's
    (Role.CHECKIN_STAFF, Role.CHECKIN_STAFF, True),
    (Role.CHECKIN_STAFF, Role.SCHEDULER, False),
    (Role.SCHEDULER, Role.ORGANIZER, False),
    (Role.OPERATOR, Role.ORGANIZER, False),
])
def test_a_role_acts_as_itself_and_an_organizer_as_every_other_but_the_operator(held, role, acts):
    assert acts_as(held, role) is acts
    # the identity service's grants and every service's token check follow the same rule
    assert Account("a", "A", "a@x.vn", None, NOW, grants=[Grant("g", "a", held, TINH_KHE, None, NOW)]).may(
        role, TINH_KHE, TREE) is acts
    claims = AccessClaims("a", "s", ((held.value, TINH_KHE),), 0, 0, "issuer")
    assert claims.may(role, (TINH_KHE, QUANG_NGAI, "VN")) is acts
    assert claims.may(role, (TRUONG_QUANG_TRONG, QUANG_NGAI, "VN")) is False  # a sibling: never


def test_the_tree_is_the_official_one():
    assert TREE.get(QUANG_NGAI).name == "Tỉnh Quảng Ngãi" and TREE.get(TINH_KHE).name == "Xã Tịnh Khê"
    assert len(TREE.children("VN")) == 34
    assert sum(len(TREE.children(p.code)) for p in TREE.children("VN")) == 3321
    with pytest.raises(UnknownLocality):
        TREE.get("P99")


@pytest.mark.parametrize("scope,target,covered", [
    ("VN", BA_DINH, True), ("VN", QUANG_NGAI, True),
    (QUANG_NGAI, TINH_KHE, True), (QUANG_NGAI, "W21211/thon-an-loc", True), (QUANG_NGAI, QUANG_NGAI, True),
    (QUANG_NGAI, BA_DINH, False), (QUANG_NGAI, "VN", False),          # nothing beside it, nothing above it
    (TINH_KHE, TINH_KHE, True), (TINH_KHE, TRUONG_QUANG_TRONG, False),  # a sibling commune
    (TINH_KHE, QUANG_NGAI, False), (TINH_KHE, "W21211/thon-an-loc", True),
    ("campaign:qn-2027", "campaign:qn-2027", True), ("campaign:qn-2027", TINH_KHE, False),
    (QUANG_NGAI, "campaign:qn-2027", False), ("VN", "nowhere", False),
])
def test_a_place_covers_itself_and_below_never_a_sibling(scope, target, covered):
    assert TREE.covers(scope, target) is covered


def account(role: Role | None, scope: str | None, account_id: str = "a") -> Account:
    person = Account(account_id, "Người thử", f"{account_id}@x.vn", None, NOW)
    if role is not None and scope is not None:
        person.grants.append(Grant(f"g-{account_id}", account_id, role, scope, None, NOW))
    return person


@pytest.mark.parametrize("by_role,by_scope,role,scope,allowed", [
    (Role.ORGANIZER, "VN", Role.ORGANIZER, QUANG_NGAI, True),
    (Role.ORGANIZER, QUANG_NGAI, Role.ORGANIZER, TINH_KHE, True),
    (Role.ORGANIZER, QUANG_NGAI, Role.CHECKIN_STAFF, QUANG_NGAI, True),
    (Role.ORGANIZER, QUANG_NGAI, Role.ORGANIZER, BA_DINH, False),        # another province
    (Role.ORGANIZER, TINH_KHE, Role.CHECKIN_STAFF, TINH_KHE, True),
    (Role.ORGANIZER, TINH_KHE, Role.SCHEDULER, TRUONG_QUANG_TRONG, False),  # the sibling commune
    (Role.ORGANIZER, TINH_KHE, Role.ORGANIZER, QUANG_NGAI, False),       # above itself
    (Role.CHECKIN_STAFF, TINH_KHE, Role.CHECKIN_STAFF, TINH_KHE, False),  # only organizers grant
    (None, None, Role.CHECKIN_STAFF, TINH_KHE, False),
])
def test_who_may_grant_what(by_role, by_scope, role, scope, allowed):
    by, person = account(by_role, by_scope, "by"), account(None, None, "p")
    if allowed:
        person.grant("g1", role, scope, by=by, tree=TREE, now=NOW)
        assert [(g.role, g.scope) for g in person.active_grants()] == [(role, scope)] and len(person.events) == 1
    else:
        with pytest.raises(NotAllowedHere):
            person.grant("g1", role, scope, by=by, tree=TREE, now=NOW)
        assert person.grants == [] and person.events == []


def test_an_organizer_reaches_its_subtree_in_every_role_but_operator():
    organizer = account(Role.ORGANIZER, QUANG_NGAI)
    assert organizer.may(Role.CHECKIN_STAFF, TINH_KHE, TREE) and organizer.may(Role.BANNER_CREW, QUANG_NGAI, TREE)
    assert not organizer.may(Role.OPERATOR, QUANG_NGAI, TREE) and not organizer.may(Role.SCHEDULER, BA_DINH, TREE)
    staff = account(Role.CHECKIN_STAFF, TINH_KHE)
    assert staff.may(Role.CHECKIN_STAFF, TINH_KHE, TREE) and not staff.may(Role.SCHEDULER, TINH_KHE, TREE)


def test_a_revoked_grant_and_a_disabled_account_reach_nothing():
    admin, person = account(Role.ORGANIZER, "VN", "admin"), account(Role.ORGANIZER, TINH_KHE, "p")
    person.revoke("g-p", by=admin, tree=TREE, now=NOW)
    assert not person.may(Role.ORGANIZER, TINH_KHE, TREE)
    other = account(Role.SCHEDULER, TINH_KHE, "o")
    with pytest.raises(NotAllowedHere):
        other.disable(by=account(Role.ORGANIZER, TRUONG_QUANG_TRONG, "sibling"), tree=TREE, now=NOW)
    other.disable(by=admin, tree=TREE, now=NOW)
    assert not other.may(Role.SCHEDULER, TINH_KHE, TREE) and other.active_grants() == []


def test_scopes_are_checked_and_villages_belong_to_a_commune():
    assert TREE.check_scope("campaign:qn-2027") == "campaign:qn-2027"
    with pytest.raises(InvalidScope):
        TREE.check_scope("campaign:Not An Id")
    with pytest.raises(UnknownLocality):
        TREE.check_scope("W99999")
    tree = locality_tree()
    assert tree.add_village(TINH_KHE, "Tổ dân phố Đông").code == "W21211/to-dan-pho-dong"
    with pytest.raises(InvalidScope):
        tree.add_village(QUANG_NGAI, "Thôn Một")


def challenge() -> SignInChallenge:
    return SignInChallenge.issue("c1", "a", "email", link="secret-link", code="123456", now=NOW)


@pytest.mark.parametrize("after,secret,ok", [
    (dt.timedelta(minutes=14, seconds=59), "secret-link", True),
    (dt.timedelta(minutes=15), "secret-link", False),   # expired
    (dt.timedelta(minutes=1), "other-link", False),
])
def test_a_link_works_once_within_15_minutes(after, secret, ok):
    c = challenge()
    if ok:
        c.redeem_link(secret, NOW + after)
        with pytest.raises(SignInRefused):
            c.redeem_link(secret, NOW + after)  # used
    else:
        with pytest.raises(SignInRefused):
            c.redeem_link(secret, NOW + after)


def test_wrong_codes_are_counted_and_end_the_challenge():
    c = challenge()
    for _ in range(MAX_WRONG_CODES):
        assert c.redeem_code("000000", NOW) is False
    with pytest.raises(SignInRefused):
        c.redeem_code("123456", NOW)  # even the right one, now
    fresh = challenge()
    assert fresh.redeem_code(" 123456 ", NOW) is True and fresh.used_at == NOW
