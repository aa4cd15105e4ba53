"""HTTP API of the notifications service: the delivery log for operators, re-send, announcements."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from services.notifications.application import operations
from services.notifications.application.handlers import Deps, Handlers
from shared.platform.auth import bearer
from shared.platform.calls import Call
from shared.platform.errors import Unauthorized
from shared.platform.i18n import _
from shared.platform.service import ServiceRuntime
from shared.platform.tokens import looks_like_access_token


class NotificationOut(BaseModel):
    id: str
    cause_event_id: str
    cause_type: str
    campaign_id: str | None
    recipient_kind: str
    recipient_id: str
    channel: str
    template: str
    language: str
    klass: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    caused_at: dt.datetime
    created_at: dt.datetime
    sent_at: dt.datetime | None
    fallback_of: str | None


class AnnouncementOut(BaseModel):
    announcement_id: str
    planned: int
    suppressed: int


def build_router(runtime: ServiceRuntime, deps: Deps, handlers: Handlers) -> APIRouter:
    router = APIRouter()

    async def organizer(request: Request) -> Call:
        """A signed-in account (what it may do is decided in the use case)."""
        token, correlation_id = bearer(request), request.headers.get("x-correlation-id")
        if not token:
            raise Unauthorized(_("Sign in first: an access token is required"))
        claims = await runtime.tokens.verify(token) if looks_like_access_token(token) else None
        if claims is None:
            raise Unauthorized(_("The access token is not valid"))
        return Call.of_account(claims, correlation_id)

    Organizer = Annotated[Call, Depends(organizer)]

    @router.get("/notifications", response_model=list[NotificationOut], tags=["delivery log"],
                summary="Query the delivery log by cause event, recipient id, status or campaign (organizer)")
    async def log(call: Organizer, cause: str | None = None, recipient: str | None = None,
                  status: str | None = None, campaign: str | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        return await operations.query_log(deps, call, cause=cause, recipient=recipient, status=status,
                                          campaign=campaign, limit=limit, offset=offset)

    @router.post("/notifications/{notification_id}/resend", response_model=NotificationOut, tags=["delivery log"],
                 summary="Send a failed notification again (organizer)")
    async def resend(notification_id: str, call: Organizer) -> dict[str, Any]:
        return await operations.resend(deps, notification_id, call)

    @router.post("/campaigns/{campaign_id}/announcements", response_model=AnnouncementOut, tags=["announcements"],
                 summary="A promotional message to participants who consented to promotions (Decree 91/2020)")
    async def announce(campaign_id: str, cmd: operations.Announcement, call: Organizer) -> dict[str, Any]:
        return await operations.announce(deps, handlers, campaign_id, cmd, call)

    return router
