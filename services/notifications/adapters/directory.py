"""Contact details, asked of the registration service (request-reply) when a message leaves.

This service keeps no name, email or phone number: nothing to leak, nothing to erase here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.notifications.application.ports import DirectoryUnavailable
from shared.contracts.events import SEAT_TICKETS_RPC, SeatTicket, SeatTicketsReply
from shared.contracts.registration import CONTACT_DETAILS_RPC, ContactDetails, ContactDetailsReply
from shared.platform.rpc import RpcUnavailable, ask

CHUNK = 500


async def _ask(connection: Any, subject: str, args: dict[str, Any], timeout_s: float) -> Any:
    try:
        return await ask(connection, subject, args, timeout_s)
    except RpcUnavailable as exc:
        raise DirectoryUnavailable(str(exc)) from exc


class RegistrationDirectory:
    def __init__(self, connection: Callable[[], Any], timeout_s: float = 5.0) -> None:
        self.connection = connection  # the service's NATS connection, once it is up
        self.timeout_s = timeout_s

    async def details(self, ids: list[str]) -> dict[str, ContactDetails]:
        found: dict[str, ContactDetails] = {}
        for i in range(0, len(ids), CHUNK):
            result = await _ask(self.connection(), CONTACT_DETAILS_RPC, {"ids": ids[i:i + CHUNK]}, self.timeout_s)
            found.update({c.id: c for c in ContactDetailsReply.model_validate(result).contacts})
        return found


class TicketOffice:
    """Check-in tickets (QR token and typed code), asked of the events service when a seat notice leaves:
    a ticket admits its holder, so it is never stored here nor carried on a stream."""

    def __init__(self, connection: Callable[[], Any], timeout_s: float = 5.0) -> None:
        self.connection = connection
        self.timeout_s = timeout_s

    async def tickets(self, seat_ids: list[str]) -> dict[str, SeatTicket]:
        found: dict[str, SeatTicket] = {}
        for i in range(0, len(seat_ids), CHUNK):
            result = await _ask(self.connection(), SEAT_TICKETS_RPC, {"seat_ids": seat_ids[i:i + CHUNK]},
                                self.timeout_s)
            found.update({t.seat_id: t for t in SeatTicketsReply.model_validate(result).tickets})
        return found
