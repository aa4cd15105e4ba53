"""Who calls the registration service, over HTTP and NATS alike: a signed-in account (an access
token, verified here with the published keys) with the records registered with a contact it proved;
else nobody in particular."""

from __future__ import annotations

from services.registration.application.access import holdings
from services.registration.locale import _
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import Unauthorized
from shared.platform.rpc import Callers
from shared.platform.service import ServiceRuntime


def callers_of(runtime: ServiceRuntime) -> Callers:
    async def call_of(token: str | None, correlation_id: str | None) -> Call:
        if not token:
            return Call(actor=Actor(kind="system"), correlation_id=correlation_id)
        claims = await runtime.tokens.verify(token)
        if claims is None:
            raise Unauthorized(_("The access token is not valid"))
        return Call.of_account(claims, correlation_id, await holdings(runtime.uow(), claims.contacts))

    return call_of
