"""Tables of the notifications service's own database."""

from __future__ import annotations

import sqlalchemy as sa

from shared.platform.db import UtcDateTime

metadata = sa.MetaData()

# Read model of campaigns: messages are written in the campaign's local time.
campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("campaign_id", sa.String(64), primary_key=True),
    sa.Column("theme", sa.Text, nullable=False),
    sa.Column("locality", sa.Text, nullable=False),
    sa.Column("organizer", sa.Text, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_end", UtcDateTime(), nullable=False),
    sa.Column("scope_path", sa.JSON, nullable=False, server_default='["VN"]'),  # who reaches it
)

# The contact directory, kept from the registration service's events.
contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("contact_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # participant | business
    sa.Column("campaign_id", sa.String(64), nullable=False),
    # No name, email or phone: those are asked of the registration service at send time.
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),  # in order of preference
    sa.Column("purposes", sa.JSON, nullable=False),
    sa.Column("wants_digest", sa.Boolean, nullable=False),
    sa.Column("opted_out", sa.Boolean, nullable=False),
    sa.Column("erased", sa.Boolean, nullable=False, server_default=sa.false()),  # a tombstone: no personal data
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("workshop_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("room_name", sa.Text, nullable=False),
    sa.Column("start", UtcDateTime(), nullable=False),
    sa.Column("end", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)

# Durable reminders: rows, not timers. A loop turns due ones into notifications.
reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column("workshop_id", sa.String(36), primary_key=True),
    sa.Column("participant_id", sa.String(36), primary_key=True),
    sa.Column("minutes_before", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.String(64), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # scheduled | done | cancelled
    sa.Column("seat_number", sa.Integer, nullable=True),  # what the reminder tells the person
    sa.Column("seat_id", sa.String(36), nullable=True),  # whose check-in ticket the reminder carries
    sa.Index("ix_reminders_due", "status", "due_at"),
)

# One row per message to one recipient on one channel. The unique key makes a second plan for the
# same cause, recipient and channel impossible, whatever redeliveries and restarts happen.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("dedup_key", sa.String(200), nullable=False),
    sa.Column("cause_event_id", sa.String(100), nullable=False),
    sa.Column("cause_type", sa.String(100), nullable=False),
    sa.Column("campaign_id", sa.String(64), nullable=True),
    sa.Column("recipient_kind", sa.String(16), nullable=False),
    sa.Column("recipient_id", sa.String(36), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("template", sa.String(50), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("klass", sa.String(10), nullable=False),  # service | promo
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("caused_at", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("fallback_of", sa.String(36), nullable=True),
    # A change notice: the start the person was last told, kept when a burst of edits rewrites it
    sa.Column("told_start", UtcDateTime(), nullable=True),
    # A seat notice carries the seat's check-in ticket, asked of the events service when it leaves
    sa.Column("seat_id", sa.String(36), nullable=True),
    # Which replica is sending it, and until when its claim holds (see Dispatcher).
    sa.Column("claimed_by", sa.String(200), nullable=True),
    sa.Column("claim_until", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("dedup_key", "recipient_id", "channel", name="uq_one_notice_per_cause_recipient_channel"),
    sa.Index("ix_notifications_due", "status", "next_attempt_at"),
    sa.Index("ix_notifications_recipient", "recipient_id"),
)
