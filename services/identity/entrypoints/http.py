"""The identity HTTP API: ask for a sign-in link, turn a link or code into a session, get access
tokens, sign out; accounts, grants and the locality tree; the public keys. Routes only translate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import EmailStr, Field

from services.identity.application import accounts, api_keys, passwords, sign_in
from services.identity.application.accounts import Caller
from services.identity.application.context import ACCESS_TOKEN_SECONDS, Deps
from services.identity.domain.accounts import Account
from services.identity.domain.api_keys import ApiKey
from services.identity.locale import _
from shared.contracts.identity import SESSION_COOKIE, Role
from shared.platform.auth import bearer
from shared.platform.commands import Command
from shared.platform.errors import Unauthorized
from shared.platform.tokens import TokenVerifier
from shared.web import local_path


class SignInRequest(Command):
    contact: str = Field(min_length=3, max_length=320, description="The email or mobile number of the account")
    language: str = Field(default="vi", pattern="^(vi|en)$")
    next: str = Field(default="/me", max_length=300)


class Redeem(Command):
    link: str | None = Field(default=None, max_length=200, description="What follows /sign-in/ in the link")
    contact: str | None = Field(default=None, max_length=320)
    code: str | None = Field(default=None, pattern=r"^\s*[0-9]{6}\s*$")
    password: str | None = Field(default=None, max_length=200, description="An official's own password, "
                                 "with the contact, instead of the code")


class NewPassword(Command):
    password: str = Field(min_length=1, max_length=200)


class SessionCredential(Command):
    session: str | None = Field(default=None, max_length=200, description="The session (else its cookie)")


class TokenRequest(SessionCredential):
    api_key: str | None = Field(default=None, max_length=200, description="An integration's API key instead")


class NewApiKey(Command):
    name: str = Field(min_length=2, max_length=120, examples=["Cổng thông tin tỉnh"])
    role: Role
    scope: str = Field(min_length=2, max_length=120, examples=["P51"])


def api_key_view(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "role": key.role.value, "scope": key.scope,
            "created_at": key.created_at, "revoked": key.revoked_at is not None}


class Invite(Command):
    name: str = Field(min_length=2, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=20)
    role: Role
    scope: str = Field(min_length=2, max_length=120, examples=["W21211", "P51"])


class NewVillage(Command):
    name: str = Field(min_length=2, max_length=120, examples=["Thôn An Lộc"])


def account_view(account: Account, names: Any = None) -> dict[str, Any]:
    return {"id": account.id, "name": account.name, "email": account.email, "phone": account.phone,
            "verified": account.verified_at is not None, "disabled": account.disabled_at is not None,
            "grants": [{"id": g.id, "role": g.role.value, "scope": g.scope,
                        **({"scope_name": names(g.scope)} if names else {})} for g in account.active_grants()]}


def set_session_cookie(response: Response, credential: str, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, credential, httponly=True, samesite="lax", secure=secure,
                        max_age=8 * 3600, path="/")


async def caller(request: Request) -> Caller:
    """The account of the request's access token, verified with the published keys."""
    verifier: TokenVerifier = request.app.state.verifier
    token = bearer(request)
    claims = await verifier.verify(token) if token else None
    if claims is None:
        raise Unauthorized(_("Sign in first: a valid access token is required"))
    return Caller(claims.account_id, claims.session_id)


Signed = Annotated[Caller, Depends(caller)]


def build_router(deps: Deps) -> APIRouter:
    router = APIRouter()
    secure = deps.issuer.startswith("https://")

    def credential_of(request: Request, body: SessionCredential | None) -> str:
        found = (body.session if body else None) or request.cookies.get(SESSION_COOKIE)
        if not found:
            raise Unauthorized(_("Sign in first: a valid access token is required"))
        return found

    def names(scope: str) -> str:
        tree = deps.places([])
        return tree.get(scope).name if scope in tree else scope

    @router.post("/sign-in/requests", status_code=status.HTTP_202_ACCEPTED, tags=["sign-in"],
                 summary="Send a one-time sign-in link and code to the account's email or mobile "
                         "(the same answer whether or not there is such an account)")
    async def request_link(cmd: SignInRequest) -> dict[str, Any]:
        await sign_in.request_sign_in(deps, cmd.contact, language=cmd.language,
                                      next_path=local_path(cmd.next, "/me", deps.sites))
        return {"sent": True, "valid_minutes": 15}

    @router.post("/sessions", status_code=status.HTTP_201_CREATED, tags=["sign-in"],
                 summary="Sign in with the link's secret, or with the contact and the 6-digit code")
    async def start_session(cmd: Redeem, response: Response) -> dict[str, Any]:
        if cmd.link:
            credential, next_path = await sign_in.redeem_link(deps, cmd.link)
        elif cmd.contact and cmd.code:
            credential, next_path = await sign_in.redeem_code(deps, cmd.contact, cmd.code)
        elif cmd.contact and cmd.password:
            credential, next_path = await passwords.redeem_password(deps, cmd.contact, cmd.password)
        else:
            raise Unauthorized(_("Give the sign-in link, or the contact and the code (or an official's password)"))
        token, account = await sign_in.access_token(deps, credential)
        set_session_cookie(response, credential, secure)
        return {"session": credential, "access_token": token, "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_SECONDS, "next": next_path, "account": account_view(account)}

    @router.post("/token", tags=["sign-in"],
                 summary="A fresh access token for the session (cookie or body), or for an integration's API key")
    async def token(request: Request, cmd: TokenRequest | None = None) -> dict[str, Any]:
        if cmd is not None and cmd.api_key:
            access = await api_keys.access_token_for_key(deps, cmd.api_key)
        else:
            access, _account = await sign_in.access_token(deps, credential_of(request, cmd))
        return {"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_TOKEN_SECONDS}

    @router.post("/api-keys", status_code=status.HTTP_201_CREATED, tags=["api keys"],
                 summary="An API key for an integration: a role in a scope of your subtree; the key is shown once")
    async def issue_key(cmd: NewApiKey, call: Signed) -> dict[str, Any]:
        key, secret = await api_keys.issue_api_key(deps, call, name=cmd.name, role=cmd.role, scope=cmd.scope)
        return {**api_key_view(key), "key": secret}

    @router.get("/api-keys", tags=["api keys"], summary="The API keys you issued (never their secrets)")
    async def list_keys(call: Signed) -> list[dict[str, Any]]:
        return [api_key_view(k) for k in await api_keys.api_keys_of(deps, call)]

    @router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["api keys"],
                   summary="Revoke an API key: every service refuses its tokens within seconds")
    async def revoke_key(key_id: str, call: Signed) -> Response:
        await api_keys.revoke_api_key(deps, call, key_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT, tags=["sign-in"],
                 summary="End the session: every service refuses its access tokens within seconds")
    async def sign_out(request: Request, response: Response, cmd: SessionCredential | None = None) -> Response:
        await sign_in.sign_out(deps, credential_of(request, cmd))
        out = Response(status_code=status.HTTP_204_NO_CONTENT)
        out.delete_cookie(SESSION_COOKIE, path="/")
        return out

    @router.put("/accounts/me/password", status_code=status.HTTP_204_NO_CONTENT, tags=["accounts"],
                summary="Choose a password (officials; at least 12 characters), kept as an argon2 hash")
    async def choose_password(cmd: NewPassword, call: Signed) -> Response:
        await passwords.set_password(deps, call, cmd.password)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.delete("/accounts/me/password", status_code=status.HTTP_204_NO_CONTENT, tags=["accounts"],
                   summary="Remove your password: sign in with links only")
    async def drop_password(call: Signed) -> Response:
        await passwords.remove_password(deps, call)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/accounts/me", tags=["accounts"], summary="The signed-in account and its grants")
    async def me(call: Signed) -> dict[str, Any]:
        return account_view(await accounts.me(deps, call), names)

    @router.get("/accounts", tags=["accounts"], summary="Accounts with a grant in a scope or below it (organizer)")
    async def list_accounts(call: Signed, scope: str) -> dict[str, Any]:
        return {"accounts": [account_view(a) for a in await accounts.accounts_in(deps, call, scope)]}

    @router.post("/accounts", status_code=status.HTTP_201_CREATED, tags=["accounts"],
                 summary="Invite a person in your subtree with a role; a sign-in link goes to them")
    async def invite(cmd: Invite, call: Signed, request: Request) -> dict[str, Any]:
        person, made = await accounts.invite(deps, call, name=cmd.name, email=cmd.email, phone=cmd.phone,
                                             role=cmd.role, scope=cmd.scope)
        if made or person.verified_at is None:
            await sign_in.request_sign_in(deps, person.email or person.phone or "", language="vi", next_path="/me")
        return {"account": account_view(person), "new": made}

    @router.delete("/accounts/{account_id}/grants/{grant_id}", tags=["accounts"],
                   summary="Remove a grant; the account's access tokens stop working everywhere")
    async def revoke(account_id: str, grant_id: str, call: Signed) -> dict[str, Any]:
        return account_view(await accounts.revoke_grant(deps, call, account_id, grant_id))

    @router.post("/accounts/{account_id}/disable", tags=["accounts"], summary="Disable an account in your subtree")
    async def disable(account_id: str, call: Signed) -> dict[str, Any]:
        return account_view(await accounts.disable(deps, call, account_id))

    @router.get("/localities/{code}", tags=["localities"],
                summary="A place of the locality tree (VN, P51, W21211 ...) with its name and the places below it")
    async def locality(code: str) -> dict[str, Any]:
        async with deps.uow() as uow:
            tree = await accounts.tree_of(deps, uow)
        place = tree.get(code)
        return {"code": place.code, "name": place.name, "level": place.level.value, "parent": place.parent,
                "children": [{"code": c.code, "name": c.name, "level": c.level.value} for c in tree.children(code)]}

    @router.post("/localities/{commune}/villages", status_code=status.HTTP_201_CREATED, tags=["localities"],
                 summary="Define a village or residential group of a commune (its organizer)")
    async def add_village(commune: str, cmd: NewVillage, call: Signed) -> dict[str, Any]:
        made = await accounts.add_village(deps, call, commune, cmd.name)
        return {"code": made["code"], "name": made["name"], "commune": commune}

    @router.get("/.well-known/jwks.json", tags=["keys"], summary="The public keys access tokens are signed with")
    async def jwks() -> dict[str, Any]:
        async with deps.uow() as uow:
            keys = await deps.signer.public_keys(uow)
        return {"keys": keys}

    return router
