"""The identity commands over NATS request-reply (``rpc.identity.*``): the public keys every service
verifies access tokens with."""

from __future__ import annotations

from faststream.nats import NatsBroker

from services.identity.application.context import Deps
from shared.contracts.envelope import Actor
from shared.contracts.identity import SIGNING_KEYS_RPC, SigningKeys
from shared.platform.rpc import register_rpc


def register(broker: NatsBroker, deps: Deps) -> list[str]:
    async def signing_keys(_args: None, actor: Actor, cid: str | None) -> SigningKeys:
        async with deps.uow() as uow:
            return SigningKeys(issuer=deps.issuer, keys=await deps.signer.public_keys(uow))

    service, command = SIGNING_KEYS_RPC.split(".", 2)[1:]
    return [register_rpc(broker, service, command, None, signing_keys)]
