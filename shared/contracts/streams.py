"""JetStream streams: one per producing service, plus the dead-letter stream.

Request-reply subjects live under ``rpc.`` and lie outside every stream, or the stream's
PubAck would answer the request.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subject_root: str
    description: str
    # Sized for a campaign: its ten days plus the weeks of preparation and follow-up. A consumer
    # that is down keeps its place; nothing is dropped before max_age. When max_bytes is reached
    # new publishes are refused (discard new) and the outboxes hold the events, instead of the
    # stream silently dropping old ones.
    max_age_days: float = 90.0
    max_bytes: int = 8 * 1024**3
    duplicate_window_s: float = 600.0  # longer than the outbox relay's longest retry

    @property
    def subjects(self) -> list[str]:
        return [f"{self.subject_root}.>"]

    def owns(self, subject: str) -> bool:
        return subject.startswith(f"{self.subject_root}.")


REGISTRATION = StreamSpec("REGISTRATION", "registration", "Businesses, booth applications, participants")
EVENTS = StreamSpec("EVENTS", "events", "Campaigns, workshops, seats, banner placements")
NOTIFICATIONS = StreamSpec("NOTIFICATIONS", "notifications", "Notifications sent, failed, suppressed")
IDENTITY = StreamSpec("IDENTITY", "identity", "Accounts, grants, sessions and API keys: ids only, never a contact")
DEAD_LETTERS = StreamSpec(
    "DEAD_LETTERS", "dlq", "Messages a consumer could not handle, with the reason", max_age_days=365.0
)
STREAMS: tuple[StreamSpec, ...] = (REGISTRATION, EVENTS, NOTIFICATIONS, IDENTITY, DEAD_LETTERS)
RPC_ROOT = "rpc"


def rpc_subject(service: str, command: str) -> str:
    return f"{RPC_ROOT}.{service}.{command}"
