"""API keys for integrations: issued by an organizer in its subtree, shown once, exchanged for the
short-lived access tokens every service verifies, revoked from above (every service refuses the
key's tokens within seconds: ``identity.session.ended`` with the session ``apikey:<id>``)."""

from __future__ import annotations

import secrets
import uuid

from services.identity.application.accounts import Caller, acting, tree_of
from services.identity.application.context import ACCESS_TOKEN_SECONDS, Deps
from services.identity.application.publishing import session_ended
from services.identity.domain.api_keys import PREFIX, ApiKey, parts
from services.identity.domain.errors import SessionEnded
from services.identity.locale import _
from shared.contracts.identity import Role
from shared.platform.errors import NotFound


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"


def session_of(key: ApiKey) -> str:
    """The session id an API key's tokens carry (``sid``), so that one revocation voids them all."""
    return f"apikey:{key.id}"


async def issue_api_key(deps: Deps, caller: Caller, *, name: str, role: Role, scope: str) -> tuple[ApiKey, str]:
    """The key and its secret form ``dxk_<id>.<secret>``, shown this once."""
    secret = secrets.token_urlsafe(32)
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        key = ApiKey.issue(str(uuid.uuid4()), name, role, scope, secret, by=await acting(uow, caller), tree=tree,
                           now=deps.clock.now())
        await uow.store.add_api_key(key)
        await uow.commit()
    return key, f"{PREFIX}{key.id}.{secret}"


async def api_keys_of(deps: Deps, caller: Caller) -> list[ApiKey]:
    async with deps.uow() as uow:
        issuer = await acting(uow, caller)
        return await uow.store.api_keys_of(issuer.id)


async def revoke_api_key(deps: Deps, caller: Caller, key_id: str) -> ApiKey:
    now = deps.clock.now()
    async with deps.uow() as uow:
        tree = await tree_of(deps, uow)
        by = await acting(uow, caller)
        key = await uow.store.api_key(key_id, for_decision=True)
        if key is None:
            raise ApiKeyNotFound(_("No such API key"))
        key.revoke(by=by, tree=tree, now=now)
        if key.events:
            await uow.store.save_api_key(key)
            uow.record(session_ended(session_of(key), key.account_id, caller.actor, now))
        await uow.commit()
    return key


async def access_token_for_key(deps: Deps, presented: str) -> str:
    """An access token carrying the key's one grant, while the key is live and its issuer may still
    grant it; its actor is the issuer's account, with the key's id."""
    now = deps.clock.now()
    found = parts(presented)
    async with deps.uow() as uow:
        key = await uow.store.api_key(found[0]) if found else None
        if key is None or found is None or not key.matches(found[1]):
            raise SessionEnded(_("This API key is not valid"))
        issuer = await uow.store.account(key.account_id)
        if issuer is None or not issuer.may(Role.ORGANIZER, key.scope, await tree_of(deps, uow)):
            raise SessionEnded(_("This API key is not valid"))
        claims = {"iss": deps.issuer, "sub": issuer.id, "sid": session_of(key), "key": key.id,
                  "iat": int(now.timestamp()), "exp": int(now.timestamp()) + ACCESS_TOKEN_SECONDS,
                  "grants": [{"role": key.role.value, "scope": key.scope}]}
        token = await deps.signer.access_token(uow, claims, now)
        await uow.commit()
    return token
