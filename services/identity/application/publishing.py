"""The one place where the identity service's changes become integration events: ids, roles and
scopes only (``shared/contracts/identity.py``)."""

from __future__ import annotations

from datetime import datetime

from services.identity.domain import accounts as domain
from shared.contracts import identity as contracts
from shared.contracts.envelope import Actor, Envelope, make_envelope

SERVICE = "identity"


def account_events(recorded: list[domain.AccountEvent], actor: Actor, now: datetime) -> list[Envelope]:
    out: list[Envelope] = []
    for e in recorded:
        match e:
            case domain.GrantAdded(grant=g):
                contract, payload = contracts.GRANT_ADDED, contracts.GrantAdded(
                    grant_id=g.id, account_id=g.account_id, role=g.role, scope=g.scope)
            case domain.GrantRevoked(grant=g):
                contract, payload = contracts.GRANT_REVOKED, contracts.GrantRevoked(
                    grant_id=g.id, account_id=g.account_id)
            case domain.Disabled(account=a):
                contract, payload = contracts.ACCOUNT_DISABLED, contracts.AccountDisabled(account_id=a.id)
        out.append(make_envelope(contract, payload, producer=SERVICE, actor=actor, occurred_at=now))
    return out


def session_ended(session_id: str, account_id: str, actor: Actor, now: datetime) -> Envelope:
    return make_envelope(contracts.SESSION_ENDED, contracts.SessionEnded(session_id=session_id, account_id=account_id),
                         producer=SERVICE, actor=actor, occurred_at=now)
