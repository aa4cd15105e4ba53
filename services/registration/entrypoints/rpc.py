"""The registration commands over NATS request-reply (``rpc.registration.*``)."""

from __future__ import annotations

from typing import Any

from faststream.nats import NatsBroker
from pydantic import Field

from services.registration.application import booths, businesses, participants
from services.registration.application.commands import ApplyForBooths, RegisterBusiness, RegisterParticipant
from services.registration.application.context import Call, Deps
from shared.contracts.registration import ContactDetailsReply, ContactDetailsRequest, Holdings
from shared.platform.commands import Command
from shared.platform.rpc import Callers, register_rpc


class _InCampaign(Command):
    campaign_id: str
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)


class RegisterBusinessArgs(RegisterBusiness, _InCampaign):
    pass


class RegisterParticipantArgs(RegisterParticipant, _InCampaign):
    pass


class ApplyArgs(ApplyForBooths):
    business_id: str
    idempotency_key: str | None = None


class ApplicationRef(Command):
    application_id: str


def register(broker: NatsBroker, deps: Deps, callers: Callers) -> list[str]:
    async def register_business(a: RegisterBusinessArgs, call: Call) -> dict[str, Any]:
        cmd = RegisterBusiness.model_validate(a.model_dump(exclude={"campaign_id", "idempotency_key"}))
        return {"business": await businesses.register_business(deps, a.campaign_id, cmd, call, a.idempotency_key)}

    async def apply(a: ApplyArgs, call: Call) -> dict[str, Any]:
        cmd = ApplyForBooths.model_validate(a.model_dump(exclude={"business_id", "idempotency_key"}))
        return await booths.submit_application(deps, a.business_id, cmd, call, a.idempotency_key)

    async def cancel(a: ApplicationRef, call: Call) -> dict[str, Any]:
        return await booths.cancel_application(deps, a.application_id, call)

    async def get(a: ApplicationRef, call: Call) -> dict[str, Any]:
        return await booths.get_application(deps, a.application_id, call)

    async def register_participant(a: RegisterParticipantArgs, call: Call) -> dict[str, Any]:
        cmd = RegisterParticipant.model_validate(a.model_dump(exclude={"campaign_id", "idempotency_key"}))
        return {"participant": await participants.register_participant(deps, a.campaign_id, cmd, call,
                                                                       a.idempotency_key)}

    async def contact_details(a: ContactDetailsRequest, call: Call) -> ContactDetailsReply:
        return await participants.contact_details(deps, a.ids)

    async def holdings(_a: None, call: Call) -> Holdings:
        return Holdings(businesses=sorted(i for k, i in call.holdings if k == "business"),
                        participants=sorted(i for k, i in call.holdings if k == "participant"))

    return [
        register_rpc(broker, "registration", "contact_details.get", ContactDetailsRequest, contact_details),
        register_rpc(broker, "registration", "holdings.mine", None, holdings, callers),
        register_rpc(broker, "registration", "business.register", RegisterBusinessArgs, register_business, callers),
        register_rpc(broker, "registration", "booth_application.submit", ApplyArgs, apply, callers),
        register_rpc(broker, "registration", "booth_application.cancel", ApplicationRef, cancel, callers),
        register_rpc(broker, "registration", "booth_application.get", ApplicationRef, get, callers),
        register_rpc(broker, "registration", "participant.register", RegisterParticipantArgs, register_participant,
                     callers),
    ]
