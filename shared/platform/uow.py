"""The unit of work: one transaction, its outbox events, and a nudge to the relay on commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.envelope import Envelope
from shared.platform import outbox


class Transaction(Protocol):
    """What a use case sees of its unit of work besides its stores (each service's ports add those)."""

    def record(self, *events: Envelope) -> None: ...
    def on_commit(self, callback: Callable[[], None]) -> None: ...
    async def commit(self) -> None: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...


class UnitOfWork:
    """``async with uow: ...; uow.record(event); await uow.commit()``; no commit = rollback."""

    session: AsyncSession

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], relay: outbox.OutboxRelay | None) -> None:
        self._sessionmaker = sessionmaker
        self._relay = relay
        self._pending: list[Envelope] = []
        self._on_commit: list[Callable[[], None]] = []

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        await self.session.begin()
        self._pending = []
        self._on_commit = []
        self._flushed_events = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (e.g. wake a sender for what it wrote)."""
        self._on_commit.append(callback)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that fails alone: its rows, events and callbacks are dropped."""
        pending, callbacks = len(self._pending), len(self._on_commit)
        nested = await self.session.begin_nested()
        try:
            yield
            await self.flush_events()  # the outbox rows belong to this part
        except BaseException:
            if nested.is_active:
                await nested.rollback()
            del self._pending[pending:], self._on_commit[callbacks:]
            raise
        await nested.commit()

    def record(self, *events: Envelope) -> None:
        """Queue events; they are written to the outbox inside this transaction at commit."""
        self._pending.extend(events)

    async def forget_outbox(self, subjects: list[str], needle: str) -> int:
        """Erasure: outbox rows on these subjects whose body mentions ``needle`` go (see outbox.forget)."""
        return await outbox.forget(self.session, subjects, needle)

    async def flush_events(self) -> None:
        events, self._pending = self._pending, []
        if events:
            self._flushed_events = True
            await outbox.record(self.session, *events)

    async def commit(self) -> None:
        await self.flush_events()
        had_events, self._flushed_events = self._flushed_events, False
        await self.session.commit()
        if had_events and self._relay is not None:
            self._relay.wake()
        callbacks, self._on_commit = self._on_commit, []
        for callback in callbacks:
            callback()

    async def rollback(self) -> None:
        self._pending, self._on_commit = [], []
        await self.session.rollback()
