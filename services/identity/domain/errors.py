"""The identity service's refusals, each with its stable code."""

from __future__ import annotations

from shared.platform.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable


class UnknownLocality(NotFound):
    code = "locality_not_found"


class InvalidScope(Unprocessable):
    code = "invalid_scope"


class NotAllowedHere(Forbidden):
    """The caller holds no grant that reaches this place in this role."""

    code = "outside_your_scope"


class AccountNotFound(NotFound):
    code = "account_not_found"


class AccountExists(Conflict):
    code = "account_exists"


class GrantNotFound(NotFound):
    code = "grant_not_found"


class SignInRefused(Unauthorized):
    """A link or code that is unknown, used, expired or spent: the same words for each, so nothing is learnt."""

    code = "sign_in_refused"


class SessionEnded(Unauthorized):
    code = "session_ended"


class VillageExists(Conflict):
    code = "village_exists"
