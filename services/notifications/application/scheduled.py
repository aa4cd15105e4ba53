"""Durable reminders and the morning digest: rows in the database, turned into notices when due.

A restart loses none (they are rows) and sends none twice (the notice's unique key names the
reminder and the workshop start it refers to; the digest's names the campaign and the day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from services.notifications.application.handlers import Deps, Handlers
from services.notifications.application.planning import Cause

DIGEST_AT = dt.time(7, 0)


async def send_due_reminders(deps: Deps, handlers: Handlers, limit: int = 500) -> int:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.notices
        due = await repo.due_reminders(now, limit)
        planned = 0
        for r in due:
            workshop = await repo.workshop(r["workshop_id"])
            await repo.finish_reminder(r)
            if workshop is None or workshop["status"] != "scheduled" or workshop["start"] <= now:
                continue  # cancelled, or already begun: reminding is pointless now
            cause = Cause(f"reminder:{r['workshop_id']}:{r['participant_id']}:{r['minutes_before']}",
                          "reminder", r["due_at"], r["campaign_id"])
            planner = handlers.planner(uow)
            context = {"campaign": await handlers._campaign(repo, r["campaign_id"]), "workshop": workshop,
                       "hours": r["minutes_before"] // 60, "seat_number": r["seat_number"]}
            planned += await planner.plan(cause, "reminder", [r["participant_id"]], context,
                                          dedup_key=f"{cause.event_id}:{workshop['start'].isoformat()}",
                                          urgent_before=workshop["start"], ticket_of=r["seat_id"])
        await uow.commit()
    if planned:
        deps.wake_dispatcher()
    return planned


async def send_morning_digests(deps: Deps, handlers: Handlers, done: set[tuple[str, dt.date]]) -> int:
    """Once a day per campaign, from 07:00 local, for participants who asked for it."""
    now = deps.clock.now()
    planned = 0
    async with deps.uow() as uow:
        repo = uow.notices
        for campaign in await repo.campaigns_open_at(now):
            tz = ZoneInfo(campaign["timezone"])
            local = now.astimezone(tz)
            key = (campaign["campaign_id"], local.date())
            if local.time() < DIGEST_AT or key in done:
                continue
            start = dt.datetime.combine(local.date(), dt.time(0), tzinfo=tz)
            workshops = await repo.workshops_between(campaign["campaign_id"], start, start + dt.timedelta(days=1))
            readers = [c["contact_id"] for c in await repo.digest_readers(campaign["campaign_id"])]
            cause = Cause(f"digest:{campaign['campaign_id']}:{local.date().isoformat()}", "digest", now,
                          campaign["campaign_id"])
            context = {"campaign": {"locality": campaign["locality"], "theme": campaign["theme"]},
                       "today": local.date(), "workshops": workshops}
            planned += await handlers.planner(uow).plan(cause, "digest", readers, context)
            done.add(key)
        await uow.commit()
    if planned:
        deps.wake_dispatcher()
    return planned


def digest_job(deps: Deps, handlers: Handlers) -> Callable[[], object]:
    done: set[tuple[str, dt.date]] = set()

    async def job() -> None:
        await send_morning_digests(deps, handlers, done)

    return job
