"""Campaigns missing from a service's read model: on their way (503, retry) or not existing at all
(404)? The events service, which owns campaigns, is asked (``rpc.events.campaign.get``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.contracts.events import CAMPAIGN_GET_RPC
from shared.platform.errors import Unavailable, error_body
from shared.platform.i18n import _


def install_campaign_check(app: FastAPI, connection: Any) -> None:
    """``connection()`` gives the service's NATS connection. Applies to every ``Unavailable`` error
    that names a ``campaign_id``; others keep their 503 and Retry-After."""

    @app.exception_handler(Unavailable)
    async def unavailable(_request: Request, exc: Unavailable) -> JSONResponse:
        campaign_id = exc.details.get("campaign_id")
        if campaign_id is not None and await campaign_missing_at_events(connection(), str(campaign_id)):
            return JSONResponse(error_body("campaign_not_found", _("No campaign {campaign_id}",
                                                                   campaign_id=campaign_id),
                                           details={"campaign_id": campaign_id}), status_code=404)
        return JSONResponse(exc.body(), status_code=exc.status, headers={"Retry-After": "5"})


async def campaign_missing_at_events(connection: Any, campaign_id: str) -> bool:
    """True only when the events service answers that it has no such campaign."""
    request = json.dumps({"args": {"campaign_id": campaign_id}}).encode()
    try:
        reply = await connection.request(CAMPAIGN_GET_RPC, request, timeout=2)
        body = json.loads(reply.data)
    except Exception:  # events unreachable: we cannot tell, so the answer stays "retry"
        return False
    return body.get("ok") is False and body.get("error", {}).get("code") == "not_found"
