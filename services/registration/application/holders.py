"""What a signed-in person holds here: the businesses and participant records registered with a
contact its account proved, with each business's booth applications ("my applications")."""

from __future__ import annotations

from typing import Any

from services.registration.application.booths import view_of
from services.registration.application.businesses import public
from services.registration.application.context import Call, Deps
from services.registration.application.participants import view
from services.registration.locale import _
from shared.platform.errors import Unauthorized


async def my_records(deps: Deps, call: Call) -> dict[str, Any]:
    if call.claims is None:
        raise Unauthorized(_("Sign in with the email or mobile number you registered with"))
    found: dict[str, Any] = {"businesses": [], "participants": []}
    async with deps.uow() as uow:
        repo = uow.records
        for kind, record_id in sorted(call.holdings):
            if kind == "business" and (business := await repo.business(record_id)) is not None:
                found["businesses"].append({**public(business), "applications": [
                    await view_of(repo, a) for a in await repo.applications_of_business(record_id)]})
            elif kind == "participant" and (person := await repo.participant(record_id)) is not None:
                if person["erased_at"] is None:
                    found["participants"].append(view(person))
    return found
