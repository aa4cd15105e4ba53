"""Message contracts: subjects and pydantic schemas, defined once, imported by both sides."""

from shared.contracts.envelope import Actor, Envelope, EventContract, contract_for, make_envelope, registry
from shared.contracts.streams import (
    DEAD_LETTERS,
    EVENTS,
    IDENTITY,
    NOTIFICATIONS,
    REGISTRATION,
    STREAMS,
    StreamSpec,
)

__all__ = [
    "Actor",
    "Envelope",
    "EventContract",
    "contract_for",
    "make_envelope",
    "registry",
    "StreamSpec",
    "REGISTRATION",
    "EVENTS",
    "NOTIFICATIONS",
    "IDENTITY",
    "DEAD_LETTERS",
    "STREAMS",
]

# Every contract module is imported here, so the registry (and the AsyncAPI document) is complete.
from shared.contracts import events as events  # noqa: E402
from shared.contracts import identity as identity  # noqa: E402
from shared.contracts import notifications as notifications  # noqa: E402
from shared.contracts import registration as registration  # noqa: E402
