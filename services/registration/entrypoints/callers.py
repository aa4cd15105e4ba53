"""Who calls the registration service, over HTTP and NATS alike: a signed-in account (an identity
access token, verified here with the published keys) with the records registered with a contact it
proved; a business or a participant by the token issued to it; else
nobody in particular."""

from __future__ import annotations

from services.registration.application.access import holdings, identify
from services.registration.locale import _
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import Unauthorized
from shared.platform.rpc import Callers
from shared.platform.service import ServiceRuntime
from shared.platform.tokens import looks_like_access_token


def callers_of(runtime: ServiceRuntime) -> Callers:
    async def call_of(token: str | None, correlation_id: str | None) -> Call:
        if token and looks_like_access_token(token):
            claims = await runtime.tokens.verify(token)
            if claims is None:
                raise Unauthorized(_("The access token is not valid"))
            return Call.of_account(claims, correlation_id, await holdings(runtime.uow(), claims.contacts))
        actor = await identify(runtime.uow(), token)
        return Call(actor=actor or Actor(kind="system"), correlation_id=correlation_id)

    return call_of
