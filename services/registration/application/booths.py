"""Booth plan and booth applications: apply, approve, reject, cancel, and the waitlist moving up.

Every decision that hands out or frees booths runs under the campaign's booth lock, inside one
transaction with its events; the database's unique key on (booth, day) is the last word.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from services.registration.application.commands import ApplyForBooths, DefineVenue, RejectApplication
from services.registration.application.context import Call, Deps, event, known_campaign
from services.registration.application.ports import RegistrationStore
from services.registration.domain.booths import (
    OPEN,
    Allocation,
    ApplicationStatus,
    allocate,
    days_outside,
    days_over_limit,
)
from services.registration.domain.errors import (
    ApplicationNotFound,
    BoothLimitReached,
    BusinessNotFound,
    InvalidApplication,
    InvalidVenue,
    TransitionNotAllowed,
)
from shared.contracts.envelope import Envelope
from shared.contracts.registration import (
    BOOTH_APPLICATION_CANCELLED,
    BOOTH_APPLICATION_CONFIRMED,
    BOOTH_APPLICATION_PROMOTED,
    BOOTH_APPLICATION_REJECTED,
    BOOTH_APPLICATION_REOPENED,
    BOOTH_APPLICATION_SUBMITTED,
    BOOTH_APPLICATION_WAITLISTED,
    BoothAllocation,
    BoothApplicationCancelled,
    BoothApplicationConfirmed,
    BoothApplicationPromoted,
    BoothApplicationRejected,
    BoothApplicationReopened,
    BoothApplicationSubmitted,
    BoothApplicationWaitlisted,
)

NO_BOOTH_FREE = "Hết gian hàng trống cho các ngày đã chọn / No booth free on the chosen days"
TAKEN_BY_APPROVAL = (
    "Gian hàng đã được duyệt cho doanh nghiệp khác; hồ sơ chuyển vào danh sách chờ / "
    "The booths went to another approved application; moved to the waitlist"
)


def campaign_days(campaign: dict[str, Any]) -> tuple[dt.date, dt.date]:
    tz = ZoneInfo(campaign["timezone"])
    return campaign["window_start"].astimezone(tz).date(), campaign["window_end"].astimezone(tz).date()


def _contract_allocations(allocations: list[Allocation]) -> list[BoothAllocation]:
    return [BoothAllocation(booth_code=a.booth.code, venue_id=a.booth.venue_id, day=a.day) for a in allocations]


def _days(app: dict[str, Any]) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in app["days"]]


def _ids(app: dict[str, Any]) -> dict[str, str]:
    return {"application_id": app["id"], "business_id": app["business_id"], "campaign_id": app["campaign_id"]}


# --- booth plan --------------------------------------------------------------------------------
async def define_venue(deps: Deps, campaign_id: str, cmd: DefineVenue, call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        campaign = await known_campaign(repo, campaign_id)
        await repo.lock_campaign_booths(campaign_id)  # the codes in use are read under the lock
        first, last = campaign_days(campaign)
        for booth in cmd.booths:
            if outside := days_outside(booth.days, first, last):
                raise InvalidVenue(
                    f"Gian hàng {booth.code} mở vào ngày ngoài chiến dịch ({first:%d/%m}–{last:%d/%m})",
                    f"Booth {booth.code} is open on days outside the campaign ({first}..{last})",
                    field="booths", days=[d.isoformat() for d in outside],
                )
        taken = await repo.booth_codes(campaign_id) & {b.code for b in cmd.booths}
        if taken:
            raise InvalidVenue("Mã gian hàng đã có trong chiến dịch", "Booth codes already used in this campaign",
                               field="booths", codes=sorted(taken))
        venue_id = str(uuid.uuid4())
        await repo.add_venue({"id": venue_id, "campaign_id": campaign_id, "name": cmd.name,
                              "address": cmd.address, "created_at": now})
        for booth in cmd.booths:
            await repo.add_booth({"id": str(uuid.uuid4()), "venue_id": venue_id, "campaign_id": campaign_id,
                                  "code": booth.code, "size": booth.size}, sorted(set(booth.days)))
        uow.record(*await _promote_waitlist(repo, campaign_id, call, now))  # new booths serve who waits
        await uow.commit()
    _booths_changed(deps, campaign_id)
    return {"venue_id": venue_id, "campaign_id": campaign_id, "name": cmd.name, "address": cmd.address,
            "booths": [b.code for b in cmd.booths]}


async def booth_plan(deps: Deps, campaign_id: str) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        repo = uow.records
        await known_campaign(repo, campaign_id)
        return await repo.venues_with_booths(campaign_id)


# --- applications ---------------------------------------------------------------------------------
async def submit_application(
    deps: Deps, business_id: str, cmd: ApplyForBooths, call: Call, idempotency_key: str | None = None
) -> dict[str, Any]:
    call.require_self_or_organizer("business", business_id)
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        business = await repo.business(business_id)
        if business is None:
            raise BusinessNotFound()
        campaign_id = business["campaign_id"]
        await repo.lock_campaign_booths(campaign_id)  # what follows is read under the lock
        if idempotency_key and (earlier := await repo.application_by_key(business_id, idempotency_key)):
            return await _view(repo, earlier)  # a retry of a request that was already accepted
        campaign = await known_campaign(repo, campaign_id)
        await _check_days(repo, campaign, cmd)
        await _check_limit(repo, campaign, business_id, cmd)
        app = {"id": str(uuid.uuid4()), "campaign_id": campaign_id, "business_id": business_id,
               "days": [d.isoformat() for d in cmd.days], "quantity": cmd.quantity, "booth_code": cmd.booth_code,
               "status": ApplicationStatus.PENDING.value, "reason": None, "idempotency_key": idempotency_key,
               "created_at": now, "updated_at": now}
        await repo.add_application(app)
        uow.record(event(BOOTH_APPLICATION_SUBMITTED, BoothApplicationSubmitted(
            **_ids(app), days=cmd.days, quantity=cmd.quantity, booth_code=cmd.booth_code), call, now, campaign_id))
        outcome: dict[str, Any] = {}
        if campaign["booth_confirmation"] == "auto":
            decided, outcome = await _try_confirm(repo, app, call, now, approved=False)
            uow.record(decided)
        await uow.commit()
    result = _new_view(app, outcome)  # as stored, without reading it back
    deps.metrics.registered("booth_application", result["status"])
    _booths_changed(deps, campaign_id)
    return result


async def _check_days(repo: RegistrationStore, campaign: dict[str, Any], cmd: ApplyForBooths) -> None:
    first, last = campaign_days(campaign)
    if outside := days_outside(cmd.days, first, last):
        raise InvalidApplication(
            f"Ngày ngoài thời gian chiến dịch ({first:%d/%m/%Y}–{last:%d/%m/%Y}): "
            + ", ".join(f"{d:%d/%m/%Y}" for d in outside),
            f"Days outside the campaign window ({first}..{last}): " + ", ".join(map(str, outside)),
            field="days", days=[d.isoformat() for d in outside],
        )
    open_booths = await repo.booths_open(campaign["campaign_id"], cmd.days, cmd.booth_code)
    for day in cmd.days:
        if open_booths[day] < cmd.quantity:
            what_vi = f"gian hàng {cmd.booth_code}" if cmd.booth_code else f"{cmd.quantity} gian hàng"
            what_en = f"booth {cmd.booth_code}" if cmd.booth_code else f"{cmd.quantity} booth(s)"
            raise InvalidApplication(
                f"Ngày {day:%d/%m/%Y} không có {what_vi} mở cửa",
                f"On {day} there is no {what_en} open",
                field="booth_code" if cmd.booth_code else "quantity", day=day.isoformat(),
            )


async def _check_limit(repo: RegistrationStore, campaign: dict[str, Any], business_id: str,
                       cmd: ApplyForBooths) -> None:
    """Checked under the campaign's booth lock, so two parallel requests cannot both pass."""
    limit = campaign.get("booths_per_business")
    if limit is None:
        return
    held: dict[dt.date, int] = {}
    for app in await repo.open_applications_of(business_id):
        for day in _days(app):
            held[day] = held.get(day, 0) + int(app["quantity"])
    if over := days_over_limit(held, cmd.days, cmd.quantity, limit):
        raise BoothLimitReached(
            f"Mỗi doanh nghiệp giữ tối đa {limit} gian hàng mỗi ngày; đã đủ vào ngày "
            + ", ".join(f"{d:%d/%m/%Y}" for d in over),
            f"A business may hold at most {limit} booth(s) a day; reached on " + ", ".join(map(str, over)),
            field="days", limit=limit, days=[d.isoformat() for d in over],
        )


async def _try_confirm(repo: RegistrationStore, app: dict[str, Any], call: Call, now: dt.datetime, *,
                       approved: bool, reason: str = NO_BOOTH_FREE) -> tuple[Envelope, dict[str, Any]]:
    """Booths now, or the waitlist: the event, and what changed in the application."""
    allocations = await _allocation(repo, app)
    if allocations is None:
        await repo.set_status(app["id"], ApplicationStatus.WAITLISTED, reason, now)
        position = await repo.waitlist_position(app["campaign_id"], await _seq(repo, app))
        return event(BOOTH_APPLICATION_WAITLISTED, BoothApplicationWaitlisted(
            **_ids(app), position=position, reason=reason), call, now, app["campaign_id"]), {
            "status": ApplicationStatus.WAITLISTED.value, "reason": reason, "waitlist_position": position}
    await repo.allocate(app["campaign_id"], app["id"], app["quantity"], allocations)
    await repo.set_status(app["id"], ApplicationStatus.CONFIRMED, None, now)
    return event(BOOTH_APPLICATION_CONFIRMED, BoothApplicationConfirmed(
        **_ids(app), allocations=_contract_allocations(allocations), approved_by_organizer=approved),
        call, now, app["campaign_id"]), {"status": ApplicationStatus.CONFIRMED.value, "allocations": allocations}


async def _allocation(repo: RegistrationStore, app: dict[str, Any]) -> list[Allocation] | None:
    """The booths this application would get now, or None when some day cannot be served."""
    days = _days(app)
    free = await repo.free_booths(app["campaign_id"], days, booth_code=app["booth_code"], enough=app["quantity"])
    return allocate(days, app["quantity"], free, app["booth_code"])


async def _seq(repo: RegistrationStore, app: dict[str, Any]) -> int:
    if "seq" in app and app["seq"] is not None:
        return int(app["seq"])
    stored = await repo.application(app["id"])
    assert stored is not None
    return int(stored["seq"])


async def _promote_waitlist(repo: RegistrationStore, campaign_id: str, call: Call, now: dt.datetime) -> list[Envelope]:
    """Give freed booths to waiting applications, first come first served. In an approval campaign the
    organizer still decides: the first waiting ones the free booths could serve go back to pending."""
    campaign = await repo.campaign(campaign_id)
    if campaign is not None and campaign["booth_confirmation"] == "approval":
        return await _reopen_waitlist(repo, campaign_id, call, now)
    events: list[Envelope] = []
    for app in await repo.applications_in(campaign_id, ApplicationStatus.WAITLISTED):
        allocations = await _allocation(repo, app)
        if allocations is None:
            continue
        await repo.allocate(campaign_id, app["id"], app["quantity"], allocations)
        await repo.set_status(app["id"], ApplicationStatus.CONFIRMED, None, now)
        events.append(event(BOOTH_APPLICATION_PROMOTED, BoothApplicationPromoted(
            **_ids(app), allocations=_contract_allocations(allocations)), call, now, campaign_id))
    return events


async def _reopen_waitlist(repo: RegistrationStore, campaign_id: str, call: Call, now: dt.datetime) -> list[Envelope]:
    """Approval mode: as many waiting applications as the free booths can serve (counting the booths
    the ones before them would take) return to pending, in order, for the organizer to decide."""
    events: list[Envelope] = []
    promised: set[tuple[str, dt.date]] = set()
    for app in await repo.applications_in(campaign_id, ApplicationStatus.WAITLISTED):
        days = _days(app)
        free = await repo.free_booths(campaign_id, days, booth_code=app["booth_code"])
        left = {d: [b for b in booths if (b.booth_id, d) not in promised] for d, booths in free.items()}
        allocations = allocate(days, app["quantity"], left, app["booth_code"])
        if allocations is None:
            continue
        promised |= {(a.booth.booth_id, a.day) for a in allocations}
        await repo.set_status(app["id"], ApplicationStatus.PENDING, None, now)
        events.append(event(BOOTH_APPLICATION_REOPENED, BoothApplicationReopened(**_ids(app)), call, now,
                            campaign_id))
    return events


async def _load(repo: RegistrationStore, application_id: str, *, for_decision: bool = False) -> dict[str, Any]:
    """The application; ``for_decision``: read under its campaign's booth lock (see the repository)."""
    app = await (repo.application_for_decision(application_id) if for_decision else repo.application(application_id))
    if app is None:
        raise ApplicationNotFound()
    return app


def _require(app: dict[str, Any], allowed: set[ApplicationStatus], action_vi: str, action_en: str) -> None:
    if ApplicationStatus(app["status"]) not in allowed:
        raise TransitionNotAllowed(
            f"Không thể {action_vi} hồ sơ đang ở trạng thái {app['status']}",
            f"Cannot {action_en} an application that is {app['status']}",
            status=app["status"],
        )


async def approve_application(deps: Deps, application_id: str, call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        app = await _load(repo, application_id, for_decision=True)
        _require(app, {ApplicationStatus.PENDING}, "duyệt", "approve")
        uow.record((await _try_confirm(repo, app, call, now, approved=True))[0])
        uow.record(*await _waitlist_unservable_pending(repo, app["campaign_id"], call, now))
        await uow.commit()
        result = await _view(repo, await repo.application(application_id))
    _booths_changed(deps, app["campaign_id"])
    return result


async def _waitlist_unservable_pending(repo: RegistrationStore, campaign_id: str, call: Call,
                                       now: dt.datetime) -> list[Envelope]:
    """After an approval, pending applications that can no longer be served are moved to the
    waitlist and their businesses told, rather than left to be rejected later in silence."""
    events = []
    for other in await repo.applications_in(campaign_id, ApplicationStatus.PENDING):
        if await _allocation(repo, other) is None:
            await repo.set_status(other["id"], ApplicationStatus.WAITLISTED, TAKEN_BY_APPROVAL, now)
            events.append(event(BOOTH_APPLICATION_WAITLISTED, BoothApplicationWaitlisted(
                **_ids(other), position=await repo.waitlist_position(campaign_id, other["seq"]),
                reason=TAKEN_BY_APPROVAL), call, now, campaign_id))
    return events


async def reject_application(deps: Deps, application_id: str, cmd: RejectApplication, call: Call) -> dict[str, Any]:
    call.require_organizer()
    return await _close(deps, application_id, call, ApplicationStatus.REJECTED, cmd.reason)


async def cancel_application(deps: Deps, application_id: str, call: Call) -> dict[str, Any]:
    return await _close(deps, application_id, call, ApplicationStatus.CANCELLED, None)


async def _close(deps: Deps, application_id: str, call: Call, to: ApplicationStatus, reason: str | None) -> dict:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        app = await _load(repo, application_id, for_decision=True)
        call.require_self_or_organizer("business", app["business_id"])
        if to is ApplicationStatus.CANCELLED:
            _require(app, OPEN, "hủy", "cancel")
        else:
            _require(app, OPEN, "từ chối", "reject")
        freed = await repo.allocations_of(application_id)
        await repo.free_allocations(application_id)
        await repo.set_status(application_id, to, reason, now)
        if to is ApplicationStatus.CANCELLED:
            uow.record(event(BOOTH_APPLICATION_CANCELLED, BoothApplicationCancelled(
                **_ids(app), freed=_contract_allocations(freed),
                cancelled_by="organizer" if call.is_organizer else "business"), call, now, app["campaign_id"]))
        else:
            uow.record(event(BOOTH_APPLICATION_REJECTED, BoothApplicationRejected(
                **_ids(app), reason=reason or ""), call, now, app["campaign_id"]))
        if freed:
            uow.record(*await _promote_waitlist(repo, app["campaign_id"], call, now))
        await uow.commit()
        result = await _view(repo, await repo.application(application_id))
    _booths_changed(deps, app["campaign_id"])
    return result


async def get_application(deps: Deps, application_id: str, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        repo = uow.records
        app = await _load(repo, application_id)
        call.require_self_or_organizer("business", app["business_id"])
        return await _view(repo, app)


async def applications_of_business(deps: Deps, business_id: str, call: Call) -> list[dict[str, Any]]:
    call.require_self_or_organizer("business", business_id)
    async with deps.uow() as uow:
        repo = uow.records
        return [await _view(repo, a) for a in await repo.applications_of_business(business_id)]


async def list_applications(deps: Deps, campaign_id: str, call: Call, *, status: str | None, limit: int,
                            offset: int) -> list[dict[str, Any]]:
    call.require_organizer()
    async with deps.uow() as uow:
        repo = uow.records
        return [await _view(repo, a) for a in await repo.list_applications(campaign_id, status, limit, offset)]


async def _view(repo: RegistrationStore, app: dict[str, Any] | None) -> dict[str, Any]:
    assert app is not None
    status = ApplicationStatus(app["status"])
    return _shown(app, {
        "allocations": await repo.allocations_of(app["id"]) if status is ApplicationStatus.CONFIRMED else [],
        "waitlist_position": (await repo.waitlist_position(app["campaign_id"], app["seq"])
                              if status is ApplicationStatus.WAITLISTED else None)})


def _new_view(app: dict[str, Any], outcome: dict[str, Any]) -> dict[str, Any]:
    """A just-submitted application: pending, or what ``_try_confirm`` decided for it."""
    stored = {**app, "status": outcome.get("status", app["status"]), "reason": outcome.get("reason"),
              "created_at": app["created_at"].astimezone(dt.UTC), "updated_at": app["updated_at"].astimezone(dt.UTC)}
    return _shown(stored, outcome)  # times in UTC, as the database gives them back


def _shown(app: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    return {
        "application_id": app["id"], "campaign_id": app["campaign_id"], "business_id": app["business_id"],
        "days": _days(app), "quantity": app["quantity"], "booth_code": app["booth_code"], "status": app["status"],
        "reason": app["reason"], "waitlist_position": found.get("waitlist_position"),
        "allocations": [{"booth_code": a.booth.code, "venue_id": a.booth.venue_id, "day": a.day}
                        for a in found.get("allocations", [])],
        "created_at": app["created_at"], "updated_at": app["updated_at"],
    }


def _booths_changed(deps: Deps, campaign_id: str) -> None:
    deps.booths_changed.add(campaign_id)


async def refresh_booth_gauges(deps: Deps) -> None:
    """Before a scrape: count booth-days and the waitlist of the campaigns changed since the last one."""
    while deps.booths_changed:
        campaign_id = deps.booths_changed.pop()
        try:
            async with deps.uow() as uow:
                open_days, taken, waiting = await uow.records.booth_counts(campaign_id)
        except Exception:
            deps.booths_changed.add(campaign_id)  # counted again at the next scrape
            raise
        deps.metrics.booth_state(campaign_id, open_days, taken, waiting)
