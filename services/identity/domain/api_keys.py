"""API keys for integrations: a role in a scope like a grant, issued by an organizer whose subtree
holds the scope, shown once and kept as a hash, revoked from above. A key is exchanged for the same
short-lived access tokens a session gets. Pure: the secret and the time are passed in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field

from services.identity.domain.accounts import Account
from services.identity.domain.localities import LocalityTree
from shared.contracts.identity import Role

PREFIX = "dxk_"


def key_digest(key_id: str, secret: str) -> str:
    return hashlib.sha256(f"api-key|{key_id}|{secret}".encode()).hexdigest()


def parts(presented: str) -> tuple[str, str] | None:
    """(key id, secret) of ``dxk_<id>.<secret>``, else None."""
    if not presented.startswith(PREFIX):
        return None
    key_id, _sep, secret = presented[len(PREFIX):].partition(".")
    return (key_id, secret) if key_id and secret else None


@dataclass(frozen=True)
class ApiKeyRevoked:
    key: ApiKey


@dataclass(eq=False)
class ApiKey:
    id: str
    account_id: str  # who issued it: the actor of what is done with it, beside the key's id
    name: str
    role: Role
    scope: str
    secret_hash: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    events: list[ApiKeyRevoked] = field(default_factory=list)

    @classmethod
    def issue(cls, key_id: str, name: str, role: Role, scope: str, secret: str, *, by: Account,
              tree: LocalityTree, now: dt.datetime) -> ApiKey:
        by.require(Role.ORGANIZER, tree.check_scope(scope), tree)
        return cls(key_id, by.id, name, role, scope, key_digest(key_id, secret), now)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def matches(self, secret: str) -> bool:
        return self.active and hmac.compare_digest(self.secret_hash, key_digest(self.id, secret))

    def revoke(self, *, by: Account, tree: LocalityTree, now: dt.datetime) -> None:
        """From the key's scope or above (its issuer, or an organizer over it)."""
        by.require(Role.ORGANIZER, self.scope, tree)
        if self.revoked_at is None:
            self.revoked_at = now
            self.events.append(ApiKeyRevoked(self))
