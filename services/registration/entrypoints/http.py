"""HTTP API of the registration service: request -> command -> use case; errors -> 4xx bodies."""

import datetime as dt
import hashlib
import hmac
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from services.registration.application import booths, businesses, holders, participants
from services.registration.application.campaigns import campaign_window
from services.registration.application.commands import (
    ApplyForBooths,
    DefineVenue,
    RegisterBusiness,
    RegisterParticipant,
    RejectApplication,
    UpdateBusinessContact,
    UpdateParticipant,
)
from services.registration.application.context import Call, Deps
from services.registration.domain.validation import mobile_phone
from services.registration.entrypoints.callers import callers_of
from services.registration.entrypoints.pages import TEMPLATES
from services.registration.locale import CATALOGUE, _
from shared import web
from shared.contracts.envelope import Actor
from shared.platform.calls import NotFoundForYou
from shared.platform.errors import Unauthorized
from shared.platform.http import attachment, http_callers
from shared.platform.service import ServiceRuntime
from shared.web.csv_export import XLSX


class CampaignWindowOut(BaseModel):
    campaign_id: str
    year: int
    timezone: str
    window_start: dt.datetime
    window_end: dt.datetime
    booth_confirmation: str


class BusinessOut(BaseModel):
    id: str
    campaign_id: str
    legal_name: str
    tax_code: str
    province: str
    sector: str
    contact_person: str
    email: str
    phone: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BusinessCreated(BaseModel):
    """Nothing to keep: whoever signs in with the business's email or mobile number holds it."""
    business: BusinessOut


class BusinessPage(BaseModel):
    items: list[BusinessOut]
    total: int
    limit: int
    offset: int


class AllocationOut(BaseModel):
    booth_code: str
    venue_id: str
    day: dt.date


class ApplicationOut(BaseModel):
    application_id: str
    campaign_id: str
    business_id: str
    days: list[dt.date]
    quantity: int
    booth_code: str | None
    status: Literal["pending", "confirmed", "waitlisted", "rejected", "cancelled"]
    reason: str | None
    waitlist_position: int | None
    allocations: list[AllocationOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class BoothDayOut(BaseModel):
    day: dt.date
    free: bool


class BoothOut(BaseModel):
    booth_id: str
    code: str
    size: str
    days: list[BoothDayOut]


class VenueOut(BaseModel):
    id: str
    campaign_id: str
    name: str
    address: str
    booths: list[BoothOut]


class VenueCreated(BaseModel):
    venue_id: str
    campaign_id: str
    name: str
    address: str
    booths: list[str]


class ParticipantOut(BaseModel):
    id: str
    campaign_id: str
    name: str | None
    email: str | None
    phone: str | None
    locality: str | None
    language: str
    channels: list[str]
    consent_purposes: list[str]
    consent_text_version: str
    consented_at: dt.datetime
    wants_digest: bool
    opted_out_at: dt.datetime | None
    erased_at: dt.datetime | None
    created_at: dt.datetime


class HeldBusinessOut(BusinessOut):
    applications: list[ApplicationOut]


class MyRecordsOut(BaseModel):
    businesses: list[HeldBusinessOut]
    participants: list[ParticipantOut]

class ParticipantCreated(BaseModel):
    """Nothing to keep: whoever signs in with the participant's email or mobile number holds it."""
    participant: ParticipantOut


OPT_OUT_WORDS = {"TU CHOI", "TUCHOI", "STOP", "HUY"}



class InboundSms(BaseModel):
    """What the SMS gateway posts when someone replies."""

    from_: str = Field(alias="from", max_length=32)
    text: str = Field(max_length=640)

    def is_opt_out(self) -> bool:
        """ "TU CHOI", "Từ chối", "stop", "HUY": written any way a phone lets one."""
        import unicodedata

        bare = unicodedata.normalize("NFD", self.text.replace("đ", "d").replace("Đ", "D"))
        plain = " ".join("".join(c for c in bare if not unicodedata.combining(c)).upper().split())
        return plain in OPT_OUT_WORDS


# The same key on a retried POST gets the first reply (sign-ups, booth applications)
IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$",
                                              description="Any unique string per intended request; a retry "
                                              "with the same key gets the first reply (kept 24 h for sign-ups)")]


def build_router(runtime: ServiceRuntime, deps: Deps) -> APIRouter:
    pages = web.environment(TEMPLATES, catalogue=CATALOGUE)
    router = APIRouter()

    Anyone, Someone = http_callers(callers_of(runtime))
    Limit = Annotated[int, Query(ge=1, le=500)]
    Offset = Annotated[int, Query(ge=0)]

    @router.get("/me", response_model=MyRecordsOut, tags=["sign-in"],
                summary="What the signed-in person registered: its businesses with their booth applications, "
                        "its participant records (an identity access token; matched by the contact it proved)")
    async def my_records(call: Someone) -> dict[str, Any]:
        return await holders.my_records(deps, call)

    @router.get("/campaigns/{campaign_id}", response_model=CampaignWindowOut, tags=["campaigns"],
                summary="The campaign window as this service knows it")
    async def read_campaign(campaign_id: str) -> dict[str, Any]:
        return await campaign_window(runtime.uow(), campaign_id)

    # --- businesses -------------------------------------------------------------------------
    @router.post("/campaigns/{campaign_id}/businesses", status_code=status.HTTP_201_CREATED,
                 response_model=BusinessCreated, tags=["businesses"],
                 summary="Register a business (doanh nghiệp) for a campaign; whoever signs in with its email or "
                         "mobile number acts on it")
    async def register_business(campaign_id: str, cmd: RegisterBusiness, call: Anyone,
                                idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
        return {"business": await businesses.register_business(deps, campaign_id, cmd, call, idempotency_key)}

    @router.get("/campaigns/{campaign_id}/businesses", response_model=BusinessPage, tags=["businesses"],
                summary="List businesses with filters (organizer)")
    async def list_businesses(campaign_id: str, call: Someone, province: str | None = None,
                              sector: str | None = None, q: str | None = None, limit: Limit = 50,
                              offset: Offset = 0) -> dict[str, Any]:
        items, total = await businesses.list_businesses(deps, campaign_id, call, province=province, sector=sector,
                                                        q=q, limit=limit, offset=offset)
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @router.get("/campaigns/{campaign_id}/businesses.csv", tags=["businesses"], response_class=Response,
                summary="Export businesses as CSV (organizer)")
    async def export_businesses(campaign_id: str, call: Someone) -> Response:
        body = await businesses.export_businesses_csv(deps, campaign_id, call)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers=attachment(f"businesses-{campaign_id}.csv"))

    @router.get("/campaigns/{campaign_id}/businesses.xlsx", tags=["businesses"], response_class=Response,
                summary="Export businesses as a spreadsheet whose cells are text (tax codes keep their 0)",
                responses={200: {"content": {XLSX: {}}}})
    async def export_businesses_xlsx(campaign_id: str, call: Someone) -> Response:
        body = await businesses.export_businesses_xlsx(deps, campaign_id, call)
        return Response(body, media_type=XLSX, headers=attachment(f"businesses-{campaign_id}.xlsx"))

    @router.get("/businesses/{business_id}", response_model=BusinessOut, tags=["businesses"])
    async def read_business(business_id: str, call: Someone) -> dict[str, Any]:
        return await businesses.get_business(deps, business_id, call)

    @router.put("/businesses/{business_id}/contact", response_model=BusinessOut, tags=["businesses"])
    async def update_contact(business_id: str, cmd: UpdateBusinessContact, call: Someone) -> dict[str, Any]:
        return await businesses.update_contact(deps, business_id, cmd, call)

    # --- booth plan and applications -------------------------------------------------------------
    @router.post("/campaigns/{campaign_id}/venues", status_code=status.HTTP_201_CREATED,
                 response_model=VenueCreated, tags=["booths"],
                 summary="Define an exhibition venue and its booths (organizer)")
    async def define_venue(campaign_id: str, cmd: DefineVenue, call: Someone) -> dict[str, Any]:
        return await booths.define_venue(deps, campaign_id, cmd, call)

    @router.get("/campaigns/{campaign_id}/venues", response_model=list[VenueOut], tags=["booths"],
                summary="The booth plan with which booth is free on which day")
    async def booth_plan(campaign_id: str) -> list[dict[str, Any]]:
        return await booths.booth_plan(deps, campaign_id)

    @router.post("/businesses/{business_id}/applications", status_code=status.HTTP_201_CREATED,
                 response_model=ApplicationOut, tags=["booths"],
                 summary="Apply for booths: confirmed, waitlisted, or pending the organizer's approval")
    async def apply(business_id: str, cmd: ApplyForBooths, call: Someone,
                    idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
        return await booths.submit_application(deps, business_id, cmd, call, idempotency_key)

    @router.get("/businesses/{business_id}/applications", response_model=list[ApplicationOut], tags=["booths"])
    async def applications_of(business_id: str, call: Someone) -> list[dict[str, Any]]:
        return await booths.applications_of_business(deps, business_id, call)

    @router.get("/campaigns/{campaign_id}/applications", response_model=list[ApplicationOut], tags=["booths"],
                summary="Applications of a campaign in order (organizer)")
    async def list_applications(campaign_id: str, call: Someone, status: str | None = None, limit: Limit = 100,
                                offset: Offset = 0) -> list[dict[str, Any]]:
        return await booths.list_applications(deps, campaign_id, call, status=status, limit=limit, offset=offset)

    @router.get("/applications/{application_id}", response_model=ApplicationOut, tags=["booths"])
    async def read_application(application_id: str, call: Someone) -> dict[str, Any]:
        return await booths.get_application(deps, application_id, call)

    @router.post("/applications/{application_id}/cancel", response_model=ApplicationOut, tags=["booths"],
                 summary="Cancel; freed booths go to the waitlist in order")
    async def cancel(application_id: str, call: Someone) -> dict[str, Any]:
        return await booths.cancel_application(deps, application_id, call)

    @router.post("/applications/{application_id}/approve", response_model=ApplicationOut, tags=["booths"],
                 summary="Approve a pending application (organizer)")
    async def approve(application_id: str, call: Someone) -> dict[str, Any]:
        return await booths.approve_application(deps, application_id, call)

    @router.post("/applications/{application_id}/reject", response_model=ApplicationOut, tags=["booths"],
                 summary="Reject with a reason (organizer)")
    async def reject(application_id: str, cmd: RejectApplication, call: Someone) -> dict[str, Any]:
        return await booths.reject_application(deps, application_id, cmd, call)

    # --- participants ---------------------------------------------------------------------------
    @router.post("/campaigns/{campaign_id}/participants", status_code=status.HTTP_201_CREATED,
                 response_model=ParticipantCreated, tags=["participants"],
                 summary="Sign up (người tham dự) with explicit consent; whoever signs in with its email or mobile "
                         "number acts on it")
    async def register_participant(campaign_id: str, cmd: RegisterParticipant, call: Anyone,
                                   idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
        return {"participant": await participants.register_participant(deps, campaign_id, cmd, call,
                                                                       idempotency_key)}

    @router.get("/participants/{participant_id}", response_model=ParticipantOut, tags=["participants"])
    async def read_participant(participant_id: str, call: Someone) -> dict[str, Any]:
        return await participants.get_participant(deps, participant_id, call)

    @router.patch("/participants/{participant_id}", response_model=ParticipantOut, tags=["participants"])
    async def update_participant(participant_id: str, cmd: UpdateParticipant, call: Someone) -> dict[str, Any]:
        return await participants.update_participant(deps, participant_id, cmd, call)

    @router.post("/participants/{participant_id}/opt-out", response_model=ParticipantOut, tags=["participants"],
                 summary="Withdraw consent: no more messages")
    async def opt_out(participant_id: str, call: Someone) -> dict[str, Any]:
        return await participants.opt_out(deps, participant_id, call)

    @router.delete("/participants/{participant_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["participants"],
                   summary="Erase personal data (Law 91/2025/QH15); other services are told to drop theirs")
    async def erase(participant_id: str, call: Someone) -> Response:
        await participants.erase(deps, participant_id, call)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    # --- promotions: one-click unsubscribe (RFC 8058) and SMS replies -------------------------------
    @router.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["participants"],
                summary="The page an unsubscribe link opens: one button to stop promotional messages")
    async def unsubscribe_page(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
        if participants.participant_of_unsubscribe_token(deps, token) is None:
            raise NotFoundForYou()
        return web.page(pages, "unsubscribe.html.j2", {"action": f"/unsubscribe/{token}"},
                        lang=web.language(request, lang))

    @router.post("/unsubscribe/{token}", tags=["participants"],
                 summary="Stop promotional messages (one click from the mail client: List-Unsubscribe=One-Click)")
    async def unsubscribe(token: str) -> dict[str, Any]:
        participant_id = participants.participant_of_unsubscribe_token(deps, token)
        if participant_id is None:
            raise NotFoundForYou()
        await participants.withdraw_promotions(deps, [participant_id], Call(actor=Actor(kind="participant",
                                                                                        id=participant_id)))
        return {"unsubscribed": True, "purpose": "promotions"}

    @router.post("/sms/inbound", tags=["participants"],
                 summary="Replies from the SMS gateway, signed like our webhooks: 'TU CHOI' or 'STOP' stops promotions")
    async def sms_inbound(request: Request) -> dict[str, Any]:
        key = runtime.settings.sms_gateway_key
        body = await request.body()
        stamp = request.headers.get("x-dxday-timestamp", "")
        given = request.headers.get("x-dxday-signature", "")
        if not key:
            raise NotFoundForYou()
        expected = "sha256=" + hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= 300
        if not (fresh and hmac.compare_digest(expected.encode(), given.encode())):
            raise Unauthorized(_("The signature is not valid"))
        reply = InboundSms.model_validate_json(body)
        if not reply.is_opt_out():
            return {"opted_out": 0}
        phone = mobile_phone(reply.from_)
        changed = await participants.withdraw_promotions_by_sms(deps, phone, Call(actor=Actor(kind="system")))
        return {"opted_out": changed}

    return router
