"""A sign-up sent again with the same ``Idempotency-Key`` gets the first one's reply.

The key is taken in the sign-up's own transaction (insert first), so two requests with one key never
both create a record: on PostgreSQL the second waits for the first to commit and then reads what it
made. The same key with another request is refused, not answered with someone else's record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from pydantic import BaseModel

from services.registration.application.ports import RegistrationStore
from services.registration.locale import _
from shared.platform.errors import Unprocessable

KEPT = dt.timedelta(hours=24)


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"


async def first_reply(repo: RegistrationStore, kind: str, campaign_id: str, key: str | None, cmd: BaseModel,
                      subject_id: str, now: dt.datetime) -> str | None:
    """None when this request is the first with its key (or has none): go on and create the record.
    Otherwise the id of the record the first request made."""
    if not key:
        return None
    fingerprint = hashlib.sha256(cmd.model_dump_json().encode()).hexdigest()
    await repo.prune_sign_up_keys(now - KEPT)
    earlier: dict[str, Any] | None = await repo.claim_sign_up_key({
        "scope": f"{kind}:{campaign_id}", "key": key, "fingerprint": fingerprint, "subject_id": subject_id,
        "created_at": now})
    if earlier is None:
        return None
    if earlier["fingerprint"] != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was used for another request; use a new key for each sign-up"),
            field="Idempotency-Key")
    return str(earlier["subject_id"])
