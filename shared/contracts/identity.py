"""Contracts published by the identity service: who may act where. Ids, roles and scopes only —
never a name, an email or a phone number (the identity database keeps those).

A scope is a place in Vietnam's locality tree or one campaign:
``VN`` (the whole country) > ``P51`` (a province, its official code) > ``W21211`` (a commune or
ward, its official code) > ``W21211/thon-an-loc`` (a village or residential group the commune
defines) — or ``campaign:<id>``. A grant on a place covers everything below it, nothing beside it.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import event_contract
from shared.contracts.streams import rpc_subject

NATIONAL = "VN"
CAMPAIGN_SCOPE = "campaign:"


def contact_digest(contact: str) -> str:
    """How a contact an account proved is named in its access tokens (the ``contacts`` claim) and
    matched by the services that keep records under it, without the contact itself leaving the
    identity service: SHA-256 of the normalised contact (an email in lower case, a mobile as +84…)."""
    return hashlib.sha256(f"dxday-contact:{contact.strip().lower()}".encode()).hexdigest()


class Role(StrEnum):
    ORGANIZER = "organizer"  # manages campaigns in its subtree and invites accounts below it
    BOOTH_REVIEWER = "booth_reviewer"  # approves and rejects booth applications
    SCHEDULER = "scheduler"  # rooms and workshops
    BANNER_CREW = "banner_crew"  # marks banner placements installed or removed
    CHECKIN_STAFF = "checkin_staff"  # checks seats in, nothing else
    OUTREACH_LEADER = "outreach_leader"  # leads a door-to-door team
    OUTREACH_MEMBER = "outreach_member"  # visits households with the team
    OPERATOR = "operator"  # metrics and dead letters; no personal data


def acts_as(held: str, role: str) -> bool:
    """Whether a grant of role ``held`` lets its holder act as ``role`` where the grant reaches: its own
    role, and an organizer every other role of its subtree but the operator's (no campaign data there).
    The identity service decides grants by it and every service checks access tokens by it."""
    return held == role or (held == Role.ORGANIZER and role != Role.OPERATOR)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class GrantClaim(_Frozen):
    role: Role
    scope: str = Field(min_length=2, max_length=120)


class GrantAdded(_Frozen):
    grant_id: str
    account_id: str
    role: Role
    scope: str


class GrantRevoked(_Frozen):
    grant_id: str
    account_id: str


class SessionEnded(_Frozen):
    session_id: str
    account_id: str


class AccountDisabled(_Frozen):
    account_id: str


GRANT_ADDED = event_contract("identity.grant.added", 1, GrantAdded, "An account may now act in this role there")
GRANT_REVOKED = event_contract(
    "identity.grant.revoked", 1, GrantRevoked,
    "A grant was removed: every service refuses the account's current access tokens (it signs in again)")
SESSION_ENDED = event_contract(
    "identity.session.ended", 1, SessionEnded,
    "Signed out: every service refuses the access tokens of this session from now on")
ACCOUNT_DISABLED = event_contract(
    "identity.account.disabled", 1, AccountDisabled, "Every service refuses the account's access tokens")

# What every service hears at once (core NATS, every replica): the tokens they make void.
REVOCATIONS = (SESSION_ENDED.subject, GRANT_REVOKED.subject, ACCOUNT_DISABLED.subject)

# The identity service's public keys (JWKS) for services that verify access tokens locally.
SIGNING_KEYS_RPC = rpc_subject("identity", "signing_keys.get")


class SigningKeys(_Frozen):
    issuer: str
    keys: list[dict[str, str]] = Field(description="JSON Web Keys (RFC 7517), public parts only")


SESSION_COOKIE = "dxday_session"  # the identity session of a browser, HttpOnly, sent to every service of the site

# A fresh access token for a pages session: a service's pages hold the identity session cookie (the
# same site) and ask for the token to act with; the session is refreshed by its use.
SESSION_TOKEN_RPC = rpc_subject("identity", "session.token")
# A page's sign-out (an organizer board on another service): the session behind its cookie ends, and
# every service refuses its tokens once ``identity.session.ended`` reaches it.
SESSION_END_RPC = rpc_subject("identity", "session.end")


class SessionTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: str = Field(min_length=10, max_length=200)


class SessionToken(_Frozen):
    access_token: str
    expires_in: int


# A sign-in link and code sent to a contact on another service's behalf: a business whose tax code is
# claimed a second time is sent one at the contact it registered with (never shown to the claimant).
SIGN_IN_REQUEST_RPC = rpc_subject("identity", "sign_in.request")


class SignInRequestArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact: str = Field(min_length=3, max_length=320)
    language: str = Field(default="vi", pattern="^(vi|en)$")
    next: str = Field(default="/me", max_length=300, description="Where the link leads once used (a page of the site)")


# The names of accounts, for a service that shows who acted (the campaign's audit trail) to someone it
# has already found allowed to see it: names only, never a contact.
ACCOUNT_NAMES_RPC = rpc_subject("identity", "accounts.names")


class AccountNamesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(max_length=500)


class AccountNames(_Frozen):
    names: dict[str, str] = Field(description="account id -> the name it goes by; unknown ids are left out")


# A place of the locality tree, for services that attach a campaign to it.
LOCALITY_RPC = rpc_subject("identity", "locality.get")


class LocalityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=120, examples=["W21211"])


class LocalityReply(_Frozen):
    code: str
    name: str
    lineage: list[str] = Field(description="The place and every place above it, up to VN: the scopes that reach it")
