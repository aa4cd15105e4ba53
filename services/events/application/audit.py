"""The campaign's audit trail: who did what and when, from every service's events.

The events service keeps a line for each event on any stream that names a campaign (consumed like
any other event: inbox, ack after commit, dead letters). A line holds ids only — the actor's kind,
account id and API key id, the subject, the record it is about — as the events do. The campaign's
organizers read it (its place or above); nobody else. The names of the accounts that acted are
asked of the identity service as the trail is read (never kept in the trail); without an answer the
trail shows their ids alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from services.events.application.context import Deps
from services.events.application.ports import EventsUnitOfWork
from services.events.application.workshops import campaign_for
from services.events.domain.campaign import Campaign
from services.events.locale import _
from shared.contracts.envelope import Envelope
from shared.contracts.identity import Role
from shared.platform.calls import Call
from shared.platform.errors import Unprocessable

PAGE_LINES = 200
CURSOR_SEPARATOR = "~"


class BadCursor(Unprocessable):
    code = "bad_cursor"


def line_of(envelope: Envelope) -> dict[str, Any] | None:
    """What the trail keeps of an event; None when the event names no campaign."""
    if not envelope.campaign_id:
        return None
    payload = envelope.payload
    about = next((str(v) for k, v in payload.items()
                  if k.endswith("_id") and k != "campaign_id" and isinstance(v, str | int)), None)
    if about is None and isinstance(payload.get("listing"), str):  # a list of contact details was viewed
        about = f"{payload['listing']} ({payload.get('rows', '?')})"
    actor = envelope.actor
    return {"event_id": envelope.event_id, "campaign_id": envelope.campaign_id[:64],
            "occurred_at": envelope.occurred_at, "subject": envelope.type[:120], "actor_kind": actor.kind,
            "actor_id": actor.id[:120] if actor.id else None, "api_key": actor.api_key[:64] if actor.api_key else None,
            "about": about[:120] if about else None, "correlation_id": envelope.correlation_id[:100]}


async def on_event(uow: EventsUnitOfWork, event: Envelope, _payload: BaseModel) -> None:
    line = line_of(event)
    if line is not None:
        await uow.audit.add(line)


def cursor_of(line: dict[str, Any]) -> str:
    """Where the next page starts: after this line (the pages go back in time)."""
    return f"{line['occurred_at'].isoformat()}{CURSOR_SEPARATOR}{line['event_id']}"


def parse_cursor(cursor: str | None) -> tuple[dt.datetime, str] | None:
    if not cursor:
        return None
    at, sep, event_id = cursor.partition(CURSOR_SEPARATOR)
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        when = None
    if not sep or not event_id or when is None or when.tzinfo is None:
        raise BadCursor(_("“before” must be a place in the trail as the previous page gave it "
                          "(time{separator}event id)", separator=CURSOR_SEPARATOR))
    return when, event_id


@dataclass(frozen=True)
class Trail:
    campaign: Campaign
    lines: list[dict[str, Any]]
    older: str | None  # the cursor of the next (older) page; None: this is the first event


async def trail_of(deps: Deps, campaign_id: str, call: Call, *, before: str | None = None,
                   limit: int | None = PAGE_LINES) -> Trail:
    """The campaign's trail, latest first, a page at a time (``limit`` None: all of it, for the CSV)."""
    async with deps.uow() as uow:
        campaign = await campaign_for(uow, call, campaign_id, Role.ORGANIZER)
        after = parse_cursor(before)
        lines = await uow.audit.of_campaign(campaign_id, limit=limit + 1 if limit else None, before=after)
    more = limit is not None and len(lines) > limit
    shown = lines[:limit] if limit is not None else lines
    names = await deps.names.of([line["actor_id"] for line in shown
                                 if line["actor_kind"] == "account" and line["actor_id"]])
    named = [{**line, "actor_name": names.get(line["actor_id"]) if line["actor_kind"] == "account" else None}
             for line in shown]
    return Trail(campaign, named, cursor_of(shown[-1]) if more and shown else None)
