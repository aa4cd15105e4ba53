"""The identity commands over NATS request-reply (``rpc.identity.*``): the public keys every service
verifies access tokens with, the places of the locality tree, a pages session's access token and its
end (sign-out from another service's page), the names of accounts that acted."""

from __future__ import annotations

from faststream.nats import NatsBroker

from services.identity.application import sign_in
from services.identity.application.accounts import names_of, tree_of
from services.identity.application.context import ACCESS_TOKEN_SECONDS, Deps
from shared.contracts.identity import (
    ACCOUNT_NAMES_RPC,
    LOCALITY_RPC,
    SESSION_END_RPC,
    SESSION_TOKEN_RPC,
    SIGN_IN_REQUEST_RPC,
    SIGNING_KEYS_RPC,
    AccountNames,
    AccountNamesRequest,
    LocalityReply,
    LocalityRequest,
    SessionToken,
    SessionTokenRequest,
    SigningKeys,
    SignInRequestArgs,
)
from shared.platform.calls import Call
from shared.platform.rpc import register_rpc
from shared.web import local_path


def register(broker: NatsBroker, deps: Deps) -> list[str]:
    async def signing_keys(_args: None, call: Call) -> SigningKeys:
        async with deps.uow() as uow:
            return SigningKeys(issuer=deps.issuer, keys=await deps.signer.public_keys(uow))

    async def locality(args: LocalityRequest, call: Call) -> LocalityReply:
        async with deps.uow() as uow:
            tree = await tree_of(deps, uow)
        place = tree.get(args.code)
        return LocalityReply(code=place.code, name=place.name, lineage=[p.code for p in tree.lineage(place.code)])

    async def session_token(args: SessionTokenRequest, call: Call) -> SessionToken:
        token, _account = await sign_in.access_token(deps, args.session)
        return SessionToken(access_token=token, expires_in=ACCESS_TOKEN_SECONDS)

    async def end_session(args: SessionTokenRequest, call: Call) -> dict[str, bool]:
        await sign_in.sign_out(deps, args.session)
        return {"ended": True}

    async def request_sign_in(args: SignInRequestArgs, call: Call) -> dict[str, bool]:
        await sign_in.request_sign_in(deps, args.contact, language=args.language,
                                      next_path=local_path(args.next, "/me", deps.sites))
        return {"sent": True}

    async def account_names(args: AccountNamesRequest, call: Call) -> AccountNames:
        return AccountNames(names=await names_of(deps, args.ids))

    return [register_rpc(broker, *subject.split(".", 2)[1:], model, fn) for subject, model, fn in (
        (SIGNING_KEYS_RPC, None, signing_keys), (LOCALITY_RPC, LocalityRequest, locality),
        (SESSION_TOKEN_RPC, SessionTokenRequest, session_token), (SESSION_END_RPC, SessionTokenRequest, end_session),
        (SIGN_IN_REQUEST_RPC, SignInRequestArgs, request_sign_in),
        (ACCOUNT_NAMES_RPC, AccountNamesRequest, account_names))]
