"""Storage of accounts, grants, villages, sign-in challenges, sessions and API keys on the unit of work's
session; one mapping function per entity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.adapters.orm import (
    accounts,
    api_keys,
    grants,
    passwords,
    sessions,
    sign_in_challenges,
    villages,
)
from services.identity.domain.accounts import Account, Grant
from services.identity.domain.api_keys import ApiKey
from services.identity.domain.passwords import Password
from services.identity.domain.sign_in import Session, SignInChallenge
from shared.contracts.identity import NATIONAL, Role
from shared.platform.db import constraint_violated


def grant_of_row(row: dict[str, Any]) -> Grant:
    return Grant(row["id"], row["account_id"], Role(row["role"]), row["scope"], row["granted_by"], row["granted_at"],
                 row["revoked_at"])


def account_of_row(row: dict[str, Any], held: list[Grant]) -> Account:
    return Account(row["id"], row["name"], row["email"], row["phone"], row["created_at"], row["verified_at"],
                   row["disabled_at"], grants=held)


def challenge_of_row(row: dict[str, Any]) -> SignInChallenge:
    return SignInChallenge(**{c.name: row[c.name] for c in sign_in_challenges.columns})


def api_key_of_row(row: dict[str, Any]) -> ApiKey:
    return ApiKey(row["id"], row["account_id"], row["name"], Role(row["role"]), row["scope"], row["secret_hash"],
                  row["created_at"], row["revoked_at"])


def session_of_row(row: dict[str, Any]) -> Session:
    return Session(row["id"], row["account_id"], row["created_at"], row["expires_at"], row["ended_at"])


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, query: sa.Select) -> dict[str, Any] | None:
        row = (await self.session.execute(query)).mappings().first()
        return dict(row) if row else None

    async def _with_grants(self, rows: list[dict[str, Any]]) -> list[Account]:
        if not rows:
            return []
        held: dict[str, list[Grant]] = {r["id"]: [] for r in rows}
        found = await self.session.execute(sa.select(grants).where(grants.c.account_id.in_(list(held)))
                                           .order_by(grants.c.granted_at, grants.c.id))
        for g in found.mappings():
            held[g["account_id"]].append(grant_of_row(dict(g)))
        return [account_of_row(r, held[r["id"]]) for r in rows]

    # --- accounts ------------------------------------------------------------------------------
    async def account(self, account_id: str, *, for_decision: bool = False) -> Account | None:
        query = sa.select(accounts).where(accounts.c.id == account_id)
        row = await self._one(query.with_for_update() if for_decision else query)
        return (await self._with_grants([row]))[0] if row else None

    async def names_of(self, account_ids: list[str]) -> dict[str, str]:
        found = await self.session.execute(sa.select(accounts.c.id, accounts.c.name)
                                           .where(accounts.c.id.in_(account_ids)))
        return {account_id: name for account_id, name in found.all()}

    async def account_by_contact(self, contact: str) -> Account | None:
        row = await self._one(sa.select(accounts).where(sa.or_(accounts.c.email == contact,
                                                               accounts.c.phone == contact)))
        return (await self._with_grants([row]))[0] if row else None

    async def add_account(self, account: Account) -> bool:
        """False when the email or mobile belongs to an account made at the same moment (the
        transaction must then be rolled back)."""
        try:
            await self.session.execute(sa.insert(accounts).values(
                id=account.id, name=account.name, email=account.email, phone=account.phone,
                created_at=account.created_at, verified_at=account.verified_at, disabled_at=account.disabled_at))
        except sa.exc.IntegrityError as exc:
            if constraint_violated(exc):
                return False
            raise
        await self._save_grants(account)
        return True

    async def save_account(self, account: Account) -> None:
        await self.session.execute(sa.update(accounts).where(accounts.c.id == account.id).values(
            name=account.name, verified_at=account.verified_at, disabled_at=account.disabled_at))
        await self._save_grants(account)

    async def _save_grants(self, account: Account) -> None:
        stored = {r[0]: r[1] for r in await self.session.execute(
            sa.select(grants.c.id, grants.c.revoked_at).where(grants.c.account_id == account.id))}
        for g in account.grants:
            if g.id not in stored:
                await self.session.execute(sa.insert(grants).values(
                    id=g.id, account_id=g.account_id, role=g.role.value, scope=g.scope, granted_by=g.granted_by,
                    granted_at=g.granted_at, revoked_at=g.revoked_at))
            elif stored[g.id] != g.revoked_at:
                await self.session.execute(sa.update(grants).where(grants.c.id == g.id).values(revoked_at=g.revoked_at))

    async def accounts_with_grants_in(self, scopes: list[str]) -> list[Account]:
        ids = sa.select(grants.c.account_id).where(grants.c.scope.in_(scopes), grants.c.revoked_at.is_(None))
        rows = await self.session.execute(sa.select(accounts).where(accounts.c.id.in_(ids)).order_by(accounts.c.name))
        return await self._with_grants([dict(r) for r in rows.mappings()])

    async def any_national_organizer(self) -> bool:
        found = await self.session.execute(sa.select(grants.c.id).where(
            grants.c.role == Role.ORGANIZER.value, grants.c.scope == NATIONAL, grants.c.revoked_at.is_(None)).limit(1))
        return found.first() is not None

    # --- villages ------------------------------------------------------------------------------
    async def villages(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(sa.select(villages.c.code, villages.c.commune, villages.c.name))
        return [dict(r) for r in rows.mappings()]

    async def add_village(self, values: dict[str, Any]) -> bool:
        try:
            await self.session.execute(sa.insert(villages).values(**values))
        except sa.exc.IntegrityError as exc:
            if constraint_violated(exc):
                return False
            raise
        return True

    # --- sign-in -------------------------------------------------------------------------------
    async def add_challenge(self, challenge: SignInChallenge) -> None:
        await self.session.execute(sa.insert(sign_in_challenges).values(**vars(challenge)))

    async def challenge(self, challenge_id: str, *, for_decision: bool = False) -> SignInChallenge | None:
        query = sa.select(sign_in_challenges).where(sign_in_challenges.c.id == challenge_id)
        row = await self._one(query.with_for_update() if for_decision else query)
        return challenge_of_row(row) if row else None

    async def open_challenge_of(self, account_id: str, now: dt.datetime) -> SignInChallenge | None:
        """The newest challenge still open (its row locked): a code answers the last message sent."""
        row = await self._one(sa.select(sign_in_challenges).where(
            sign_in_challenges.c.account_id == account_id, sign_in_challenges.c.used_at.is_(None),
            sign_in_challenges.c.expires_at > now).order_by(sign_in_challenges.c.created_at.desc()).limit(1)
            .with_for_update())
        return challenge_of_row(row) if row else None

    async def challenges_since(self, account_id: str, since: dt.datetime) -> int:
        return int((await self.session.execute(sa.select(sa.func.count()).where(
            sign_in_challenges.c.account_id == account_id, sign_in_challenges.c.created_at >= since))).scalar_one())

    async def save_challenge(self, challenge: SignInChallenge) -> None:
        await self.session.execute(sa.update(sign_in_challenges).where(sign_in_challenges.c.id == challenge.id)
                                   .values(used_at=challenge.used_at, wrong_codes=challenge.wrong_codes))

    # --- sessions ------------------------------------------------------------------------------
    async def add_session_record(self, session: Session, secret_hash: str) -> None:
        await self.session.execute(sa.insert(sessions).values(**vars(session), secret_hash=secret_hash))

    async def session_record(self, session_id: str, *, for_decision: bool = False) -> tuple[Session, str] | None:
        query = sa.select(sessions).where(sessions.c.id == session_id)
        row = await self._one(query.with_for_update() if for_decision else query)
        return (session_of_row(row), row["secret_hash"]) if row else None

    async def save_session_record(self, session: Session) -> None:
        await self.session.execute(sa.update(sessions).where(sessions.c.id == session.id).values(
            expires_at=session.expires_at, ended_at=session.ended_at))

    # --- api keys ------------------------------------------------------------------------------
    async def password(self, account_id: str) -> Password | None:
        """The account's password, row locked: two tries count one after the other."""
        row = await self._one(sa.select(passwords).where(passwords.c.account_id == account_id).with_for_update())
        return Password(row["account_id"], row["hash"], row["set_at"], row["wrong"], row["wrong_since"]) if row \
            else None

    async def save_password(self, password: Password) -> None:
        values = {"hash": password.hash, "set_at": password.set_at, "wrong": password.wrong,
                  "wrong_since": password.wrong_since}
        done = await self.session.execute(sa.update(passwords).where(
            passwords.c.account_id == password.account_id).values(**values))
        if done.rowcount == 0:
            await self.session.execute(sa.insert(passwords).values(account_id=password.account_id, **values))

    async def remove_password(self, account_id: str) -> bool:
        done = await self.session.execute(sa.delete(passwords).where(passwords.c.account_id == account_id))
        return bool(done.rowcount)

    async def add_api_key(self, key: ApiKey) -> None:
        await self.session.execute(sa.insert(api_keys).values(
            id=key.id, account_id=key.account_id, name=key.name, role=key.role.value, scope=key.scope,
            secret_hash=key.secret_hash, created_at=key.created_at, revoked_at=key.revoked_at))

    async def api_key(self, key_id: str, *, for_decision: bool = False) -> ApiKey | None:
        query = sa.select(api_keys).where(api_keys.c.id == key_id)
        row = await self._one(query.with_for_update() if for_decision else query)
        return api_key_of_row(row) if row else None

    async def api_keys_of(self, account_id: str) -> list[ApiKey]:
        rows = await self.session.execute(sa.select(api_keys).where(api_keys.c.account_id == account_id)
                                          .order_by(api_keys.c.created_at))
        return [api_key_of_row(dict(r._mapping)) for r in rows]

    async def save_api_key(self, key: ApiKey) -> None:
        await self.session.execute(sa.update(api_keys).where(api_keys.c.id == key.id).values(revoked_at=key.revoked_at))
