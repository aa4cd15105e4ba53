"""Who is calling the events service: a signed-in account (an access token, verified here with the
published keys) and the participant records it holds through a contact it proved (asked of the
registration service with the person's own token); else nobody in particular."""

from __future__ import annotations

from services.events.adapters.holdings import RegistrationHoldings
from services.events.locale import _
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import Unauthorized
from shared.platform.rpc import Callers
from shared.platform.service import ServiceRuntime


def callers_of(runtime: ServiceRuntime) -> Callers:
    """Anyone without a token is nobody in particular; a token that is not valid is refused (401)."""
    held = RegistrationHoldings(lambda: runtime.broker.connection)

    async def call_of(token: str | None, correlation_id: str | None) -> Call:
        if not token:
            return Call(Actor(kind="system"), correlation_id)
        claims = await runtime.tokens.verify(token)
        if claims is None:
            raise Unauthorized(_("The access token is not valid"))
        holdings = await held.of(token) if claims.contacts and not claims.api_key else frozenset()
        return Call.of_account(claims, correlation_id, holdings)

    return call_of
