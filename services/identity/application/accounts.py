"""Accounts and their grants: the national administrator made once, invitations and grants in the
inviter's own subtree, revocation, disabling, the villages a commune defines. Each use case loads
what it decides on under the lock of that decision (the account's row), then calls the aggregate."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from services.identity.application.context import Deps
from services.identity.application.ports import IdentityUnitOfWork
from services.identity.application.publishing import account_events
from services.identity.application.sign_in import normalised_contact
from services.identity.domain.accounts import Account, Grant
from services.identity.domain.errors import AccountExists, AccountNotFound, NotAllowedHere, SessionEnded, VillageExists
from services.identity.domain.localities import LocalityTree
from services.identity.locale import _
from shared.contracts.envelope import Actor
from shared.contracts.identity import NATIONAL, Role


@dataclass(frozen=True)
class Caller:
    """The signed-in account a request comes from (its access token, verified)."""

    account_id: str
    session_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(kind="account", id=self.account_id)


async def tree_of(deps: Deps, uow: IdentityUnitOfWork) -> LocalityTree:
    """The official places and the villages communes have defined so far (every replica reads the same)."""
    return deps.places(await uow.store.villages())


async def acting(uow: IdentityUnitOfWork, caller: Caller) -> Account:
    """The caller's account as stored now: a removed grant, a disabled account or an ended session
    counts at once here."""
    if caller.session_id is not None:
        found = await uow.store.session_record(caller.session_id)
        if found is None or found[0].ended_at is not None:
            raise SessionEnded(_("Your session has ended; please sign in again"))
    account = await uow.store.account(caller.account_id)
    if account is None or not account.active:
        raise NotAllowedHere(_("You may not do this here"))
    return account


async def ensure_administrator(deps: Deps, name: str, email: str | None, phone: str | None) -> tuple[Account, bool]:
    """The national administrator (an organizer of ``VN``), made once; True when made now."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        existing = await uow.store.account_by_contact(email or phone or "")
        if existing is not None:
            return existing, False
        account = Account(str(uuid.uuid4()), name, email, phone, now)
        account.grants.append(_first_grant(account, Role.ORGANIZER, NATIONAL, now))
        await uow.store.add_account(account)
        await uow.commit()
    return account, True


def _first_grant(account: Account, role: Role, scope: str, now: dt.datetime) -> Grant:
    return Grant(str(uuid.uuid4()), account.id, role, scope, None, now)


async def invite(deps: Deps, caller: Caller, *, name: str, email: str | None, phone: str | None, role: Role,
                 scope: str) -> tuple[Account, bool]:
    """A person with a grant in the inviter's subtree; a contact that has an account already gets the
    grant added instead (one person, one account). True when the account is new."""
    now = deps.clock.now()
    email = normalised_contact(email)[1] if email else None
    phone = normalised_contact(phone)[1] if phone else None
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        inviter = await acting(uow, caller)
        inviter.require(Role.ORGANIZER, tree.check_scope(scope), tree)
        found = [a for c in (email, phone) if c for a in [await uow.store.account_by_contact(c)] if a is not None]
        if len({a.id for a in found}) > 1:
            raise AccountExists(_("The email and the mobile number belong to two different accounts"))
        person = await uow.store.account(found[0].id, for_decision=True) if found else None
        made = person is None
        if person is None:
            person = Account(str(uuid.uuid4()), name, email, phone, now)
            if not await uow.store.add_account(person):
                raise AccountExists(_("An account with this email or mobile number was made at the same moment"))
        person.grant(str(uuid.uuid4()), role, scope, by=inviter, tree=tree, now=now)
        await uow.store.save_account(person)
        uow.record(*account_events(person.events, caller.actor, now))
        await uow.commit()
    return person, made


async def revoke_grant(deps: Deps, caller: Caller, account_id: str, grant_id: str) -> Account:
    now = deps.clock.now()
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        inviter = await acting(uow, caller)
        person = await _decide(uow, account_id)
        person.revoke(grant_id, by=inviter, tree=tree, now=now)
        await uow.store.save_account(person)
        uow.record(*account_events(person.events, caller.actor, now))
        await uow.commit()
    return person


async def disable(deps: Deps, caller: Caller, account_id: str) -> Account:
    now = deps.clock.now()
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        by = await acting(uow, caller)
        person = await _decide(uow, account_id)
        person.disable(by=by, tree=tree, now=now)
        await uow.store.save_account(person)
        uow.record(*account_events(person.events, caller.actor, now))
        await uow.commit()
    return person


async def _decide(uow: IdentityUnitOfWork, account_id: str) -> Account:
    person = await uow.store.account(account_id, for_decision=True)
    if person is None:
        raise AccountNotFound(_("No such account"))
    return person


async def me(deps: Deps, caller: Caller) -> Account:
    async with deps.uow() as uow:
        return await acting(uow, caller)


async def accounts_in(deps: Deps, caller: Caller, scope: str) -> list[Account]:
    """The accounts holding a grant in ``scope`` or below (an organizer of ``scope`` asks)."""
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        inviter = await acting(uow, caller)
        inviter.require(Role.ORGANIZER, tree.check_scope(scope), tree)
        below = [scope, *(p.code for p in _below(tree, scope))]
        return await uow.store.accounts_with_grants_in(below)


async def names_of(deps: Deps, account_ids: list[str]) -> dict[str, str]:
    """The names the accounts go by, for a service showing who acted to someone it found allowed."""
    async with deps.uow() as uow:
        return await uow.store.names_of(sorted(set(account_ids))) if account_ids else {}


def _below(tree: LocalityTree, scope: str) -> list[Any]:
    if scope.startswith("campaign:"):
        return []
    found, todo = [], [scope]
    while todo:
        for child in tree.children(todo.pop()):
            found.append(child)
            todo.append(child.code)
    return found


async def add_village(deps: Deps, caller: Caller, commune: str, name: str) -> dict[str, Any]:
    """A village or residential group of a commune, defined by an organizer of that commune or above."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        by = await acting(uow, caller)
        by.require(Role.ORGANIZER, tree.get(commune).code, tree)
        place = tree.add_village(commune, name)  # refuses a place that is not a commune
        values = {"code": place.code, "commune": commune, "name": place.name, "created_by": by.id, "created_at": now}
        if not await uow.store.add_village(values):
            raise VillageExists(_("This commune has a village of that name already"), code=place.code)
        await uow.commit()
    return values

