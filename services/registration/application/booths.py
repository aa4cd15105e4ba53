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
from services.registration.application.context import Call, Deps, campaign_for, holder_or, known_campaign
from services.registration.application.ports import RegistrationStore
from services.registration.application.publishing import application_events
from services.registration.domain.booth_application import BoothApplication, Waitlisted
from services.registration.domain.booths import (
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
)
from services.registration.locale import _
from shared.contracts.envelope import Envelope
from shared.contracts.identity import Role

NO_BOOTH_FREE = "Hết gian hàng trống cho các ngày đã chọn / No booth free on the chosen days"
TAKEN_BY_APPROVAL = (
    "Gian hàng đã được duyệt cho doanh nghiệp khác; hồ sơ chuyển vào danh sách chờ / "
    "The booths went to another approved application; moved to the waitlist"
)


def campaign_days(campaign: dict[str, Any]) -> tuple[dt.date, dt.date]:
    tz = ZoneInfo(campaign["timezone"])
    return campaign["window_start"].astimezone(tz).date(), campaign["window_end"].astimezone(tz).date()


def _days(app: dict[str, Any]) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in app["days"]]


# --- booth plan --------------------------------------------------------------------------------
async def define_venue(deps: Deps, campaign_id: str, cmd: DefineVenue, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        campaign = await campaign_for(repo, call, campaign_id, Role.ORGANIZER)
        await repo.lock_campaign_booths(campaign_id)  # the codes in use are read under the lock
        first, last = campaign_days(campaign)
        for booth in cmd.booths:
            if outside := days_outside(booth.days, first, last):
                raise InvalidVenue(
                    _("Booth {booth_code} is open on days outside the campaign ({first}..{last})",
                      booth_code=booth.code, first=first, last=last),
                    field="booths", days=[d.isoformat() for d in outside],
                )
        taken = await repo.booth_codes(campaign_id) & {b.code for b in cmd.booths}
        if taken:
            raise InvalidVenue(_("Booth codes already used in this campaign"),
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
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        business = await repo.business(business_id)
        if business is None:
            raise BusinessNotFound()
        campaign_id = business["campaign_id"]
        await holder_or(repo, call, "business", business_id, campaign_id)
        await repo.lock_campaign_booths(campaign_id)  # what follows is read under the lock
        if idempotency_key and (earlier := await repo.application_by_key(business_id, idempotency_key)):
            return await view_of(repo, earlier)  # a retry of a request that was already accepted
        campaign = await known_campaign(repo, campaign_id)
        await _check_days(repo, campaign, cmd)
        await _check_limit(repo, campaign, business_id, cmd)
        app = BoothApplication.submit(str(uuid.uuid4()), campaign_id, business_id, cmd.days, cmd.quantity,
                                      cmd.booth_code)
        await repo.add_application(app, idempotency_key, now)
        found: list[Allocation] = []
        if campaign["booth_confirmation"] == "auto":
            found = await _confirm_or_wait(repo, app, now, approved=False)
        uow.record(*application_events(app.events, call, now))
        await uow.commit()
    result = _new_view(app, found, now)  # as decided, without reading it back
    deps.metrics.registered("booth_application", result["status"])
    _booths_changed(deps, campaign_id)
    return result


async def _check_days(repo: RegistrationStore, campaign: dict[str, Any], cmd: ApplyForBooths) -> None:
    first, last = campaign_days(campaign)
    if outside := days_outside(cmd.days, first, last):
        raise InvalidApplication(
            _("Days outside the campaign window ({first}..{last}): {days}", first=first, last=last,
              days=", ".join(map(str, outside))),
            field="days", days=[d.isoformat() for d in outside],
        )
    open_booths = await repo.booths_open(campaign["campaign_id"], cmd.days, cmd.booth_code)
    for day in cmd.days:
        if open_booths[day] < cmd.quantity:
            what = (_("booth {code}", code=cmd.booth_code) if cmd.booth_code
                    else _("{quantity} booth(s)", quantity=cmd.quantity))
            raise InvalidApplication(
                _("On {day} there is no {what} open", day=day, what=what),
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
            _("A business may hold at most {limit} booth(s) a day; reached on {days}", limit=limit,
              days=", ".join(map(str, over))),
            field="days", limit=limit, days=[d.isoformat() for d in over],
        )


async def _confirm_or_wait(repo: RegistrationStore, app: BoothApplication, now: dt.datetime, *, approved: bool,
                           reason: str = NO_BOOTH_FREE) -> list[Allocation]:
    """Booths now, or the end of the line; the booths it got (none when it waits)."""
    allocations = await _allocation(repo, app)
    if allocations is None:
        app.waitlist(reason, await repo.waitlist_position(app.campaign_id, await _seq(repo, app)))
    else:
        await repo.allocate(app.campaign_id, app.id, app.quantity, allocations)
        app.confirm(allocations, approved=approved)
    await repo.save_application(app, now)
    return allocations or []


async def _allocation(repo: RegistrationStore, app: BoothApplication) -> list[Allocation] | None:
    """The booths this application would get now, or None when some day cannot be served."""
    free = await repo.free_booths(app.campaign_id, app.days, booth_code=app.booth_code, enough=app.quantity)
    return allocate(app.days, app.quantity, free, app.booth_code)


async def _seq(repo: RegistrationStore, app: BoothApplication) -> int:
    if app.seq is None:
        stored = await repo.application(app.id)
        assert stored is not None
        app.seq = int(stored["seq"])
    return app.seq


async def _promote_waitlist(repo: RegistrationStore, campaign_id: str, call: Call, now: dt.datetime) -> list[Envelope]:
    """Give freed booths to waiting applications, first come first served. In an approval campaign the
    organizer still decides: the first waiting ones the free booths could serve go back to pending."""
    campaign = await repo.campaign(campaign_id)
    if campaign is not None and campaign["booth_confirmation"] == "approval":
        return await _reopen_waitlist(repo, campaign_id, call, now)
    moved: list[BoothApplication] = []
    for app in await repo.applications_in(campaign_id, ApplicationStatus.WAITLISTED):
        allocations = await _allocation(repo, app)
        if allocations is None:
            continue
        await repo.allocate(campaign_id, app.id, app.quantity, allocations)
        app.promote(allocations)
        await repo.save_application(app, now)
        moved.append(app)
    return application_events([e for app in moved for e in app.events], call, now)


async def _reopen_waitlist(repo: RegistrationStore, campaign_id: str, call: Call, now: dt.datetime) -> list[Envelope]:
    """Approval mode: as many waiting applications as the free booths can serve (counting the booths
    the ones before them would take) return to pending, in order, for the organizer to decide."""
    reopened: list[BoothApplication] = []
    promised: set[tuple[str, dt.date]] = set()
    for app in await repo.applications_in(campaign_id, ApplicationStatus.WAITLISTED):
        free = await repo.free_booths(campaign_id, app.days, booth_code=app.booth_code)
        left = {d: [b for b in booths if (b.booth_id, d) not in promised] for d, booths in free.items()}
        allocations = allocate(app.days, app.quantity, left, app.booth_code)
        if allocations is None:
            continue
        promised |= {(a.booth.booth_id, a.day) for a in allocations}
        app.return_to_pending()
        await repo.save_application(app, now)
        reopened.append(app)
    return application_events([e for app in reopened for e in app.events], call, now)


async def _decide(repo: RegistrationStore, application_id: str) -> BoothApplication:
    """The application read under its campaign's booth lock (see the repository)."""
    app = await repo.application_for_decision(application_id)
    if app is None:
        raise ApplicationNotFound()
    return app


async def _load(repo: RegistrationStore, application_id: str) -> dict[str, Any]:
    app = await repo.application(application_id)
    if app is None:
        raise ApplicationNotFound()
    return app


async def approve_application(deps: Deps, application_id: str, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        app = await _decide(repo, application_id)
        await campaign_for(repo, call, app.campaign_id, Role.BOOTH_REVIEWER)
        app.require_approvable()  # before any booth is looked for
        await _confirm_or_wait(repo, app, now, approved=True)
        uow.record(*application_events(app.events, call, now))
        uow.record(*await _waitlist_unservable_pending(repo, app.campaign_id, call, now))
        await uow.commit()
        result = await view_of(repo, await repo.application(application_id))
    _booths_changed(deps, app.campaign_id)
    return result


async def _waitlist_unservable_pending(repo: RegistrationStore, campaign_id: str, call: Call,
                                       now: dt.datetime) -> list[Envelope]:
    """After an approval, pending applications that can no longer be served are moved to the
    waitlist and their businesses told, rather than left to be rejected later in silence."""
    moved: list[BoothApplication] = []
    for other in await repo.applications_in(campaign_id, ApplicationStatus.PENDING):
        if await _allocation(repo, other) is None:
            other.waitlist(TAKEN_BY_APPROVAL, await repo.waitlist_position(campaign_id, await _seq(repo, other)))
            await repo.save_application(other, now)
            moved.append(other)
    return application_events([e for app in moved for e in app.events], call, now)


async def reject_application(deps: Deps, application_id: str, cmd: RejectApplication, call: Call) -> dict[str, Any]:
    return await _close(deps, application_id, call, ApplicationStatus.REJECTED, cmd.reason)


async def cancel_application(deps: Deps, application_id: str, call: Call) -> dict[str, Any]:
    return await _close(deps, application_id, call, ApplicationStatus.CANCELLED, None)


async def _close(deps: Deps, application_id: str, call: Call, to: ApplicationStatus, reason: str | None) -> dict:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.records
        app = await _decide(repo, application_id)
        if to is ApplicationStatus.REJECTED:
            await campaign_for(repo, call, app.campaign_id, Role.BOOTH_REVIEWER)
        else:
            await holder_or(repo, call, "business", app.business_id, app.campaign_id, Role.BOOTH_REVIEWER)
        freed = await repo.allocations_of(application_id)
        if to is ApplicationStatus.CANCELLED:
            app.cancel(freed, by_organizer=not call.holds("business", app.business_id))
        else:
            app.reject(reason or "")
        await repo.free_allocations(application_id)
        await repo.save_application(app, now)
        uow.record(*application_events(app.events, call, now))
        if freed:
            uow.record(*await _promote_waitlist(repo, app.campaign_id, call, now))
        await uow.commit()
        result = await view_of(repo, await repo.application(application_id))
    _booths_changed(deps, app.campaign_id)
    return result


async def get_application(deps: Deps, application_id: str, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        repo = uow.records
        app = await _load(repo, application_id)
        await holder_or(repo, call, "business", app["business_id"], app["campaign_id"], Role.BOOTH_REVIEWER)
        return await view_of(repo, app)


async def applications_of_business(deps: Deps, business_id: str, call: Call) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        repo = uow.records
        business = await repo.business(business_id)
        if business is None:
            raise BusinessNotFound()
        await holder_or(repo, call, "business", business_id, business["campaign_id"], Role.BOOTH_REVIEWER)
        return [await view_of(repo, a) for a in await repo.applications_of_business(business_id)]


async def list_applications(deps: Deps, campaign_id: str, call: Call, *, status: str | None, limit: int,
                            offset: int) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        repo = uow.records
        await campaign_for(repo, call, campaign_id, Role.BOOTH_REVIEWER)
        return [await view_of(repo, a) for a in await repo.list_applications(campaign_id, status, limit, offset)]


async def view_of(repo: RegistrationStore, app: dict[str, Any] | None) -> dict[str, Any]:
    assert app is not None
    status = ApplicationStatus(app["status"])
    return _shown(app, {
        "allocations": await repo.allocations_of(app["id"]) if status is ApplicationStatus.CONFIRMED else [],
        "waitlist_position": (await repo.waitlist_position(app["campaign_id"], app["seq"])
                              if status is ApplicationStatus.WAITLISTED else None)})


def _new_view(app: BoothApplication, allocations: list[Allocation], now: dt.datetime) -> dict[str, Any]:
    """A just-submitted application: pending, or what ``_confirm_or_wait`` decided for it."""
    waiting = next((e.position for e in app.events if isinstance(e, Waitlisted)), None)
    at = now.astimezone(dt.UTC)  # times in UTC, as the database gives them back
    stored = {"id": app.id, "campaign_id": app.campaign_id, "business_id": app.business_id,
              "days": [d.isoformat() for d in app.days], "quantity": app.quantity, "booth_code": app.booth_code,
              "status": app.status.value, "reason": app.reason, "created_at": at, "updated_at": at}
    return _shown(stored, {"waitlist_position": waiting, "allocations": allocations})


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
