"""Tables of the registration service's own database."""

from __future__ import annotations

import sqlalchemy as sa

from shared.platform.db import UtcDateTime

metadata = sa.MetaData()

# Read model of the events service's campaigns: the window booth days must lie in.
campaign_windows = sa.Table(
    "campaign_windows",
    metadata,
    sa.Column("campaign_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_end", UtcDateTime(), nullable=False),
    sa.Column("booth_confirmation", sa.String(16), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("booths_per_business", sa.Integer, nullable=True),
    sa.Column("scope_path", sa.JSON, nullable=False, server_default='["VN"]'),  # who reaches it
)

businesses = sa.Table(
    "businesses",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("legal_name", sa.Text, nullable=False),
    sa.Column("tax_code", sa.String(20), nullable=False),
    sa.Column("province", sa.Text, nullable=False),
    sa.Column("sector", sa.Text, nullable=False),
    sa.Column("contact_person", sa.Text, nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("campaign_id", "tax_code", name="uq_business_tax_code_per_campaign"),
)

venues = sa.Table(
    "venues",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

booths = sa.Table(
    "booths",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("venue_id", sa.String(36), sa.ForeignKey("venues.id"), nullable=False),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("code", sa.String(20), nullable=False),
    sa.Column("size", sa.String(40), nullable=False),
    sa.UniqueConstraint("campaign_id", "code", name="uq_booth_code_per_campaign"),
)

booth_days = sa.Table(
    "booth_days",
    metadata,
    sa.Column("booth_id", sa.String(36), sa.ForeignKey("booths.id"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
)

booth_applications = sa.Table(
    "booth_applications",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("business_id", sa.String(36), sa.ForeignKey("businesses.id"), nullable=False),
    sa.Column("days", sa.JSON, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("booth_code", sa.String(20), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("idempotency_key", sa.String(100), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_applications_campaign_status", "campaign_id", "status", "seq"),
    sa.UniqueConstraint("business_id", "idempotency_key", name="uq_application_idempotency"),
    sa.UniqueConstraint("id", "quantity", name="uq_application_quantity"),  # the target of the key below
)

# The invariants live here: a booth is held by at most one application on a given day, and an
# application holds at most its quantity of booths a day (slots 1..quantity, each once, the quantity
# being the application's own through the composite foreign key).
booth_allocations = sa.Table(
    "booth_allocations",
    metadata,
    sa.Column("booth_id", sa.String(36), sa.ForeignKey("booths.id"), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("application_id", sa.String(36), nullable=False, index=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("slot", sa.Integer, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("booth_id", "day", name="pk_one_holder_per_booth_day"),
    sa.UniqueConstraint("application_id", "day", "slot", name="uq_allocation_slot"),
    sa.CheckConstraint("slot >= 1 AND slot <= quantity", name="ck_allocation_within_quantity"),
    sa.ForeignKeyConstraint(["application_id", "quantity"], ["booth_applications.id", "booth_applications.quantity"],
                            name="fk_allocation_application_quantity"),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=True),  # personal fields are NULL after erasure
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("phone", sa.String(20), nullable=True),
    sa.Column("locality", sa.Text, nullable=True),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("consent_purposes", sa.JSON, nullable=False),
    sa.Column("consent_text_version", sa.String(40), nullable=False),
    sa.Column("consented_at", UtcDateTime(), nullable=False),
    sa.Column("wants_digest", sa.Boolean, nullable=False),
    sa.Column("opted_out_at", UtcDateTime(), nullable=True),
    sa.Column("erased_at", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# Who may act on a record as its holder: the digest of each contact it was registered with
# (shared.contracts.identity.contact_digest), matched against the contacts an access token proves.
# An erasure removes a person's rows.
record_contacts = sa.Table(
    "record_contacts",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),  # business | participant
    sa.Column("record_id", sa.String(36), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True, index=True),
)

# One person per campaign and contact: a participant's email and mobile (their digests) are each
# held by one participant of a campaign at most, so two sign-ups with one contact at the same moment
# on two replicas cannot both land. An erasure, or a change of contact, removes the person's rows.
participant_contacts = sa.Table(
    "participant_contacts",
    metadata,
    sa.Column("campaign_id", sa.String(64), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("participant_id", sa.String(36), nullable=False, index=True),
)

# A sign-up sent again with the same Idempotency-Key (a dropped connection, a double tap) gets the
# reply of the first: the record it made. Kept 24 hours, then
# pruned; an erasure removes the person's rows at once.
sign_up_keys = sa.Table(
    "sign_up_keys",
    metadata,
    sa.Column("scope", sa.String(120), primary_key=True),  # "<kind>:<campaign id>"
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),  # SHA-256 of the request, to refuse reuse
    sa.Column("subject_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False, index=True),
)
