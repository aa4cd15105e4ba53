"""Tables of the events service's own database."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from services.events.domain.seats import CODE_LENGTH, checkin_code_from
from shared.platform.db import UtcDateTime

metadata = sa.MetaData()


def new_checkin_code() -> str:
    return checkin_code_from(secrets.randbits(5 * CODE_LENGTH))

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("theme", sa.Text, nullable=False),
    sa.Column("organizer", sa.Text, nullable=False),
    sa.Column("locality", sa.Text, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_end", UtcDateTime(), nullable=False),
    sa.Column("booth_confirmation", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("booths_per_business", sa.Integer, nullable=True),
    # the place in the locality tree (W21211, P51 ...; none: national) and the scopes whose grants reach it
    sa.Column("locality_code", sa.String(120), nullable=True),
    sa.Column("scope_path", sa.JSON, nullable=False, server_default='["VN"]'),
)

rooms = sa.Table(
    "rooms",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("seats", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("campaign_id", "name", name="uq_room_name_per_campaign"),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("room_id", sa.String(36), sa.ForeignKey("rooms.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("start", UtcDateTime(), nullable=False),
    sa.Column("end", UtcDateTime(), nullable=False),
    sa.Column("speakers", sa.JSON, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("audience", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("cancel_reason", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_workshops_campaign_start", "campaign_id", "start"),
)

# The seats a workshop offers, one row per seat number 1..capacity. A confirmed seat must point at
# one of them (foreign key) and no two seats at the same one (unique): the database itself refuses
# an overbooking, whatever the code above it does.
seat_slots = sa.Table(
    "seat_slots",
    metadata,
    sa.Column("workshop_id", sa.String(36), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("seat_number", sa.Integer, primary_key=True),
)

seats = sa.Table(
    "seats",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("workshop_id", sa.String(36), sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("participant_id", sa.String(36), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("seat_number", sa.Integer, nullable=True),
    sa.Column("attended_at", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # the ticket typed at the door when the QR cannot be scanned; drawn at random, one per seat
    sa.Column("checkin_code", sa.String(10), nullable=True, default=new_checkin_code),
    sa.Index("uq_seat_checkin_code", "checkin_code", unique=True),
    sa.UniqueConstraint("workshop_id", "seat_number", name="uq_one_holder_per_seat"),
    sa.UniqueConstraint("workshop_id", "participant_id", name="uq_one_seat_per_participant"),
    sa.ForeignKeyConstraint(["workshop_id", "seat_number"], ["seat_slots.workshop_id", "seat_slots.seat_number"],
                            name="fk_seat_is_offered"),
)

# Read model of the registration service's participants: just enough for their seats' notices
# (language, consent); no name, phone or email is kept here.
participants = sa.Table(
    "participants",
    metadata,
    sa.Column("participant_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("opted_out", sa.Boolean, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

banner_sites = sa.Table(
    "banner_sites",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("spots", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

banner_placements = sa.Table(
    "banner_placements",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("site_id", sa.String(36), sa.ForeignKey("banner_sites.id"), nullable=False),
    sa.Column("spot", sa.Integer, nullable=False),
    sa.Column("slogan", sa.Text, nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("planned_by", sa.Text, nullable=False),
    sa.Column("installed_by", sa.Text, nullable=True),
    sa.Column("installed_at", UtcDateTime(), nullable=True),
    sa.Column("removed_by", sa.Text, nullable=True),
    sa.Column("removed_at", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

# The campaign's audit trail: one line per event of any service's stream that names the campaign —
# who (the actor's kind, account id and API key id), did what (the subject) and when. Ids only, as
# the events themselves: no name, email or phone number is kept here.
audit_trail = sa.Table(
    "audit_trail",
    metadata,
    sa.Column("event_id", sa.String(100), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("subject", sa.String(120), nullable=False),
    sa.Column("actor_kind", sa.String(16), nullable=False),
    sa.Column("actor_id", sa.String(120), nullable=True),
    sa.Column("api_key", sa.String(64), nullable=True),
    sa.Column("about", sa.String(120), nullable=True),
    sa.Column("correlation_id", sa.String(100), nullable=False),
    sa.Index("ix_audit_trail_campaign_time", "campaign_id", "occurred_at", "event_id"),
)
