"""The unit of work: one transaction, its outbox events, and a nudge to the relay on commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import outbox
from shared.contracts.envelope import Envelope


class UnitOfWork:
    """``async with uow: ...; uow.record(event); await uow.commit()``; no commit = rollback."""

    session: AsyncSession

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], relay: outbox.OutboxRelay | None) -> None:
        self._sessionmaker = sessionmaker
        self._relay = relay
        self._pending: list[Envelope] = []

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        await self.session.begin()
        self._pending = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    def record(self, *events: Envelope) -> None:
        """Queue events; they are written to the outbox inside this transaction at commit."""
        self._pending.extend(events)

    async def flush_events(self) -> None:
        events, self._pending = self._pending, []
        await outbox.record(self.session, *events)

    async def commit(self) -> None:
        had_events = bool(self._pending)
        await self.flush_events()
        await self.session.commit()
        if had_events and self._relay is not None:
            self._relay.wake()

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()
