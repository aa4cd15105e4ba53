"""An account is a person (name, a verified email and/or mobile) with grants: a role in a scope.

Who may grant what: an organizer invites and grants in its own subtree (a province organizer for
every commune of its province, a commune organizer only for its own, nobody for a sibling); the
national administrator is an organizer of ``VN``. Each change records a domain event; pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.identity.domain.errors import GrantNotFound, NotAllowedHere
from services.identity.domain.localities import LocalityTree
from services.identity.locale import _
from shared.contracts.identity import Role, acts_as


@dataclass(eq=False)
class Grant:
    id: str
    account_id: str
    role: Role
    scope: str
    granted_by: str | None
    granted_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# --- domain events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class GrantAdded:
    grant: Grant


@dataclass(frozen=True)
class GrantRevoked:
    grant: Grant


@dataclass(frozen=True)
class Disabled:
    account: Account


AccountEvent = GrantAdded | GrantRevoked | Disabled


def reaches(grants: list[Grant], role: Role, target: str, tree: LocalityTree) -> bool:
    """Whether these grants let their holder act as ``role`` on ``target``. An organizer may do
    everything its subtree's other roles do; the operator role reaches no campaign data."""
    for g in grants:
        if not g.active:
            continue
        if acts_as(g.role, role) and tree.covers(g.scope, target):
            return True
    return False


@dataclass(eq=False)
class Account:
    id: str
    name: str
    email: str | None
    phone: str | None
    created_at: dt.datetime
    verified_at: dt.datetime | None = None
    disabled_at: dt.datetime | None = None
    grants: list[Grant] = field(default_factory=list)
    events: list[AccountEvent] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def active_grants(self) -> list[Grant]:
        return [g for g in self.grants if g.active] if self.active else []

    def may(self, role: Role, target: str, tree: LocalityTree) -> bool:
        return self.active and reaches(self.grants, role, target, tree)

    def require(self, role: Role, target: str, tree: LocalityTree) -> None:
        if not self.may(role, target, tree):
            raise NotAllowedHere(_("You may not do this here"), role=role.value, scope=target)

    def grant(self, grant_id: str, role: Role, scope: str, *, by: Account, tree: LocalityTree,
              now: dt.datetime) -> Grant:
        """``by`` must be an organizer whose subtree holds ``scope``."""
        by.require(Role.ORGANIZER, tree.check_scope(scope), tree)
        for g in self.active_grants():
            if g.role is role and g.scope == scope:
                return g  # granted already: nothing changes
        new = Grant(grant_id, self.id, role, scope, by.id, now)
        self.grants.append(new)
        self.events.append(GrantAdded(new))
        return new

    def revoke(self, grant_id: str, *, by: Account, tree: LocalityTree, now: dt.datetime) -> Grant:
        found = next((g for g in self.grants if g.id == grant_id and g.active), None)
        if found is None:
            raise GrantNotFound(_("No such grant"))
        by.require(Role.ORGANIZER, found.scope, tree)
        found.revoked_at = now
        self.events.append(GrantRevoked(found))
        return found

    def verify(self, now: dt.datetime) -> None:
        """The person proved the contact (a sign-in link or code reached them)."""
        self.verified_at = self.verified_at or now

    def disable(self, *, by: Account, tree: LocalityTree, now: dt.datetime) -> None:
        """Every grant's scope must be in ``by``'s subtree: nobody disables a sibling office's official."""
        for g in self.active_grants():
            by.require(Role.ORGANIZER, g.scope, tree)
        if self.disabled_at is None:
            self.disabled_at = now
            self.events.append(Disabled(self))
