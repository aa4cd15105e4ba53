"""Who is asking: the actor behind a command and the correlation id its request carries.

Use cases check permissions on it (the organizer, or the record's own holder); entry points
only build it from a token or a NATS request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.contracts.envelope import Actor
from shared.platform.errors import Forbidden, NoSuchRecord
from shared.platform.i18n import _
from shared.platform.tokens import AccessClaims

NATIONAL = ("VN",)


class NotYours(Forbidden):
    code = "not_yours"


class OutsideYourScope(Forbidden):
    """A signed-in account whose grants do not reach this campaign in this role."""

    code = "outside_your_scope"


class NotFoundForYou(NoSuchRecord):
    """Someone else's record: answered exactly as a missing one."""


@dataclass(frozen=True)
class Call:
    actor: Actor
    correlation_id: str | None = None
    claims: AccessClaims | None = None  # a signed-in account's verified access token
    # records a signed-in account holds through a contact it proved (("business", id), ...)
    holdings: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of_account(cls, claims: AccessClaims, correlation_id: str | None = None,
                   holdings: frozenset[tuple[str, str]] = frozenset()) -> Call:
        return cls(Actor(kind="account", id=claims.account_id, api_key=claims.api_key), correlation_id, claims,
                   holdings)

    def signing_up(self, kind: str, subject_id: str) -> Call:
        """Someone anonymous creating their own record acts as that record from now on."""
        if self.actor.kind != "system":
            return self
        return Call(actor=Actor(kind=kind, id=subject_id), correlation_id=self.correlation_id)  # type: ignore[arg-type]

    def may(self, role: str, scope_path: Sequence[str]) -> bool:
        """What a signed-in account's grants reach (``scope_path``: the place of what is acted on and every
        place above it); nobody else may act in a role."""
        return self.claims is not None and self.claims.may(role, scope_path)

    def require(self, role: str, scope_path: Sequence[str]) -> None:
        if not self.may(role, scope_path):
            raise OutsideYourScope(_("You may not do this here"), role=role)

    def holds(self, kind: str, subject_id: str) -> bool:
        """Whether the caller is this record's own holder (its token, or a contact it proved)."""
        return (self.actor.kind == kind and self.actor.id == subject_id) or (kind, subject_id) in self.holdings

    def require_holder_or(self, kind: str, subject_id: str, role: str, scope_path: Sequence[str]) -> None:
        """The record's holder, or someone acting in ``role`` where it lies; anyone else is told there is
        no such record (as for a missing one)."""
        if self.holds(kind, subject_id) or self.may(role, scope_path):
            return
        raise NotFoundForYou()
