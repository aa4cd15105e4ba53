"""Access tokens, verified locally by every service: the identity service's signature (ES256, its
published keys, fetched once and again only for a key not seen yet), its issuer, the expiry; and
what the ``identity.*`` events said since (a session signed out, a grant removed, an account
disabled), so a token stops working everywhere within seconds, before it expires."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shared.contracts.identity import acts_as

KEY_REFRESH_S = 10.0  # an unknown key id asks the identity service again, at most this often
KEPT_S = 240.0  # a pages session's access token (5 minutes) is asked for again after this


@dataclass(frozen=True)
class AccessClaims:
    account_id: str
    session_id: str | None
    grants: tuple[tuple[str, str], ...]  # (role, scope)
    issued_at: int
    expires_at: int
    issuer: str
    contacts: tuple[str, ...] = ()  # digests of the contacts the account proved (contact_digest)
    api_key: str | None = None  # the API key the token was exchanged for (an integration)

    def may(self, role: str, scope_path: Sequence[str]) -> bool:
        """Whether a grant of this token reaches a thing whose place and the places above it are
        ``scope_path`` (a campaign's: its commune, province, ``VN``, and ``campaign:<id>``). An organizer
        does what every other role of its subtree does, but the operator's."""
        return any(acts_as(r, role) and scope in scope_path for r, scope in self.grants)


class TokenVerifier:
    """``grants_claim``: where the grants are (the identity service's ``grants``: ``[{role, scope}]``;
    an external issuer's: ``role@scope`` strings); ``audience``: the ``aud`` a token must name, if any."""

    def __init__(self, keys: Callable[[], Awaitable[list[dict[str, Any]]]], issuers: set[str],
                 clock: Callable[[], float] = time.time, *, algorithms: tuple[str, ...] = ("ES256",),
                 grants_claim: str = "grants", audience: str | None = None, subject_prefix: str = "",
                 standard_contacts: bool = False) -> None:
        self._fetch = keys
        # an external issuer's proved contacts: OpenID Connect's ``email`` and ``phone_number`` when it
        # says it verified them (``email_verified``, ``phone_number_verified``), not a ``contacts`` claim
        self.standard_contacts = standard_contacts
        self.issuers = issuers
        self.clock = clock
        self.algorithms, self.grants_claim, self.audience = list(algorithms), grants_claim, audience
        self.subject_prefix = subject_prefix  # an external account's id: the issuer's subject, marked
        self._keys: KeySet | None = None
        self._kids: set[str] = set()
        self._fetched_at = -KEY_REFRESH_S
        self._fetching = asyncio.Lock()
        self.ended_sessions: dict[str, float] = {}  # session id -> when its last token expires anyway
        self.changed_accounts: dict[str, float] = {}  # account id -> tokens issued before then are refused

    def _wanted(self, kid: str | None) -> bool:
        return self._keys is None or (kid is not None and kid not in self._kids)

    async def _keyset(self, kid: str | None) -> KeySet | None:
        """The keys to verify with; fetched once for the first requests that arrive together (they wait
        for that one fetch, never answered 401 meanwhile), and again for a key id not seen yet."""
        if self._wanted(kid):
            async with self._fetching:
                if self._wanted(kid) and self.clock() - self._fetched_at >= KEY_REFRESH_S:
                    self._fetched_at = self.clock()
                    try:
                        found = await self._fetch()
                    except Exception:  # the identity service is away: known keys keep working
                        return self._keys
                    self._keys = KeySet.import_key_set({"keys": found})
                    self._kids = {k.get("kid", "") for k in found}
        return self._keys

    async def verify(self, token: str) -> AccessClaims | None:
        """The claims of a valid token, else None (any fault: the caller answers 401)."""
        try:
            header = _header(token)  # read unverified, only to know which key to verify with
            keys = await self._keyset(header.get("kid"))
            if keys is None:
                return None
            claims = jwt.decode(token, keys, algorithms=self.algorithms).claims
        except (JoseError, ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
        now = self.clock()
        if self.audience is not None:
            aud = claims.get("aud")
            if self.audience not in (aud if isinstance(aud, list) else [aud]):
                return None
        try:
            found = AccessClaims(self.subject_prefix + str(claims["sub"]), claims.get("sid"),
                                 tuple(_grant(g) for g in claims.get(self.grants_claim, [])),
                                 int(claims["iat"]), int(claims["exp"]), str(claims["iss"]),
                                 self._contacts(claims),
                                 str(claims["key"]) if claims.get("key") else None)
        except (KeyError, TypeError, ValueError):
            return None
        if found.issuer not in self.issuers or found.expires_at <= now:
            return None
        if found.session_id and found.session_id in self.ended_sessions:
            return None
        if found.issued_at <= self.changed_accounts.get(found.account_id, -1):
            return None
        return found

    def _contacts(self, claims: dict[str, Any]) -> tuple[str, ...]:
        if not self.standard_contacts:
            return tuple(str(c) for c in claims.get("contacts", [])[:4])
        from shared.contracts.identity import contact_digest

        return tuple(contact_digest(str(claims[name])) for name in ("email", "phone_number")
                     if claims.get(name) and claims.get(f"{name}_verified") is True)

    # --- what the identity events say --------------------------------------------------------------
    def session_ended(self, session_id: str) -> None:
        self._forget_old()
        self.ended_sessions[session_id] = self.clock() + 3600

    def account_changed(self, account_id: str, at: float | None = None) -> None:
        """A grant removed or the account disabled: its tokens issued until now are refused."""
        self._forget_old()
        self.changed_accounts[account_id] = at if at is not None else self.clock()

    def _forget_old(self) -> None:
        now = self.clock()
        for sid, until in list(self.ended_sessions.items()):
            if until < now:
                del self.ended_sessions[sid]


def _grant(found: Any) -> tuple[str, str]:
    """``{"role": r, "scope": s}`` or ``"r@s"``."""
    if isinstance(found, str):
        role, _at, scope = found.partition("@")
        if not role or not scope:
            raise ValueError(found)
        return role, scope
    return str(found["role"]), str(found["scope"])


class Verifiers:
    """The identity service's verifier, and an external issuer's when one is configured: a token goes
    to the verifier of the issuer it names (read unverified, then verified by that one alone)."""

    def __init__(self, own: TokenVerifier, *others: TokenVerifier) -> None:
        self.own, self.all = own, (own, *others)

    async def verify(self, token: str) -> AccessClaims | None:
        try:
            issuer = _payload(token).get("iss")
        except (ValueError, binascii.Error, UnicodeDecodeError, IndexError):
            return None
        for verifier in self.all:
            if issuer in verifier.issuers:
                return await verifier.verify(token)
        return None

    def session_ended(self, session_id: str) -> None:
        for verifier in self.all:
            verifier.session_ended(session_id)

    def account_changed(self, account_id: str, at: float | None = None) -> None:
        for verifier in self.all:
            verifier.account_changed(account_id, at)


def _payload(token: str) -> dict[str, Any]:
    middle = token.split(".")[1]
    found = json.loads(base64.urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))
    if not isinstance(found, dict):
        raise ValueError("not a JWT payload")
    return found


def external_verifier(issuer: str, audience: str, grants_claim: str) -> TokenVerifier:
    """An OpenID Connect issuer's tokens (RS256 or ES256), its keys from its discovery document."""
    import httpx

    async def published() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=5) as http:
            found = (await http.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")).json()
            return list((await http.get(found["jwks_uri"])).json()["keys"])

    return TokenVerifier(published, {issuer}, algorithms=("RS256", "ES256"), grants_claim=grants_claim,
                         audience=audience, subject_prefix="oidc:", standard_contacts=True)


def _header(token: str) -> dict[str, Any]:
    first = token.split(".", 1)[0]
    found = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    if not isinstance(found, dict):
        raise ValueError("not a JWS header")
    return found


def identity_verifier(issuer: str, connection: Callable[[], Any]) -> TokenVerifier:
    """A service's verifier of the identity service's tokens: keys asked over NATS request-reply."""
    from shared.contracts.identity import SIGNING_KEYS_RPC
    from shared.platform.rpc import ask

    async def published() -> list[dict[str, Any]]:
        return list((await ask(connection(), SIGNING_KEYS_RPC, {}))["keys"])

    return TokenVerifier(published, {issuer})


class PagesSessions:
    """What a service's pages know of the identity session cookie they are sent (the same site): the
    verified claims of an access token asked for it over NATS, kept until a minute before it expires
    (a revocation still voids it at once: every use verifies it again)."""

    def __init__(self, verifier: TokenVerifier | Verifiers, connection: Callable[[], Any],
                 clock: Callable[[], float] = time.time) -> None:
        self.verifier, self._connection, self.clock = verifier, connection, clock
        self._tokens: dict[str, tuple[str, float]] = {}  # SHA-256 of the session -> (token, fresh until)

    async def claims(self, session: str | None) -> AccessClaims | None:
        found = await self.access(session)
        return found[1] if found else None

    async def access(self, session: str | None) -> tuple[str, AccessClaims] | None:
        """The session's access token (to act with, here or through another service) and its claims."""
        if not session or len(session) > 200:
            return None
        key = hashlib.sha256(session.encode()).hexdigest()
        token, fresh_until = self._tokens.get(key, ("", 0.0))
        if fresh_until <= self.clock():
            token = await self._ask(session)
            if token is None:
                self._tokens.pop(key, None)
                return None
            self._forget_stale()
            self._tokens[key] = (token, self.clock() + KEPT_S)
        claims = await self.verifier.verify(token)
        return (token, claims) if claims else None

    async def _ask(self, session: str) -> str | None:
        from shared.contracts.identity import SESSION_TOKEN_RPC
        from shared.platform.rpc import RpcUnavailable, ask

        try:
            return str((await ask(self._connection(), SESSION_TOKEN_RPC, {"session": session}))["access_token"])
        except (RpcUnavailable, KeyError, TypeError):
            return None

    async def end(self, session: str | None) -> bool:
        """Sign-out from a page here: the identity service ends the session (every service then refuses
        its tokens); False when it could not be reached."""
        from shared.contracts.identity import SESSION_END_RPC
        from shared.platform.rpc import RpcUnavailable, ask

        if not session or len(session) > 200:
            return True
        self._tokens.pop(hashlib.sha256(session.encode()).hexdigest(), None)
        try:
            await ask(self._connection(), SESSION_END_RPC, {"session": session})
        except RpcUnavailable:
            return False
        return True

    def _forget_stale(self) -> None:
        now = self.clock()
        for key, (_token, until) in list(self._tokens.items()):
            if until <= now:
                del self._tokens[key]


def looks_like_access_token(token: str) -> bool:
    """A JWT (``eyJ…``), not one of the per-record tokens (``participant.…``)."""
    return token.startswith("eyJ") and token.count(".") == 2
