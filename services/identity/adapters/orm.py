"""Tables of the identity service's own database. Contacts are unique: one account per email and
per mobile number (the person signs in with either)."""

from __future__ import annotations

import sqlalchemy as sa

from shared.platform.db import UtcDateTime

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("email", sa.String(320), nullable=True, unique=True),
    sa.Column("phone", sa.String(20), nullable=True, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("verified_at", UtcDateTime(), nullable=True),
    sa.Column("disabled_at", UtcDateTime(), nullable=True),
)

grants = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("scope", sa.String(120), nullable=False),
    sa.Column("granted_by", sa.String(36), nullable=True),
    sa.Column("granted_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

villages = sa.Table(
    "villages",
    metadata,
    sa.Column("code", sa.String(120), primary_key=True),
    sa.Column("commune", sa.String(16), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

sign_in_challenges = sa.Table(
    "sign_in_challenges",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("link_hash", sa.String(64), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Column("wrong_codes", sa.Integer, nullable=False),
    sa.Column("next_path", sa.String(300), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),  # the cookie's secret, hashed
)

# API keys for integrations: a role in a scope, the secret kept as a hash, revocable.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("scope", sa.String(120), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

# An official's optional password, as an argon2 hash, and its wrong tries (shut after five in 15 minutes).
passwords = sa.Table(
    "passwords",
    metadata,
    sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), primary_key=True),
    sa.Column("hash", sa.String(200), nullable=False),
    sa.Column("set_at", UtcDateTime(), nullable=False),
    sa.Column("wrong", sa.Integer, nullable=False),
    sa.Column("wrong_since", UtcDateTime(), nullable=True),
)

# The keys access tokens are signed with, shared by every replica: the newest signs, the older ones
# still verify until the tokens they signed have expired, then they are dropped.
signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("kid", sa.String(40), primary_key=True),
    sa.Column("private_pem", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("retired_at", UtcDateTime(), nullable=True),
)
