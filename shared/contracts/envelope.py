"""The envelope every integration event travels in, and the registry of event contracts.

The envelope carries who did what, when and why (actor, correlation and causation ids), so the
streams double as the campaign's audit trail. Payloads carry ids, not personal data, wherever
the consumer can do without it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from shared.contracts.streams import STREAMS, StreamSpec

P = TypeVar("P", bound=BaseModel)


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["account", "business", "participant", "operator", "system"]
    id: str | None = None
    api_key: str | None = Field(default=None, description="The API key an account's integration acted with")

    @model_serializer(mode="wrap")
    def _without_absent_key(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("api_key") is None:
            data.pop("api_key", None)  # most actors act without one: their envelopes stay as they were
        return data


SYSTEM = Actor(kind="system")


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(min_length=1, max_length=100)
    type: str = Field(description="the subject the event is published on")
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    campaign_id: str | None = None
    correlation_id: str
    causation_id: str | None = None
    producer: str
    actor: Actor
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


@dataclass(frozen=True)
class EventContract(Generic[P]):
    subject: str
    version: int
    payload: type[P]
    description: str

    @property
    def stream(self) -> StreamSpec:
        for spec in STREAMS:
            if spec.owns(self.subject):
                return spec
        raise ValueError(f"{self.subject} belongs to no stream")

    def parse(self, envelope: Envelope) -> P:
        return self.payload.model_validate(envelope.payload)


registry: dict[tuple[str, int], EventContract[Any]] = {}


def event_contract(subject: str, version: int, payload: type[P], description: str) -> EventContract[P]:
    """Declare a contract once; a second declaration of the same subject and version is a bug."""
    key = (subject, version)
    if key in registry:
        raise ValueError(f"contract {subject} v{version} declared twice")
    contract = EventContract(subject, version, payload, description)
    contract.stream  # noqa: B018 - fails fast on a subject outside every stream
    registry[key] = contract
    return contract


def contract_for(subject: str, version: int) -> EventContract[Any] | None:
    return registry.get((subject, version))


def contracts_on(stream: StreamSpec) -> list[EventContract[Any]]:
    """Every contract declared on the stream (of the contract modules imported so far)."""
    return [c for c in registry.values() if c.stream == stream]


def new_event_id() -> str:
    return str(uuid.uuid4())


def make_envelope(
    contract: EventContract[P],
    payload: P,
    *,
    producer: str,
    actor: Actor,
    occurred_at: datetime,
    campaign_id: str | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    event_id: str | None = None,
) -> Envelope:
    event_id = event_id or new_event_id()
    return Envelope(
        event_id=event_id,
        type=contract.subject,
        version=contract.version,
        occurred_at=occurred_at,
        campaign_id=campaign_id,
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        producer=producer,
        actor=actor,
        payload=payload.model_dump(mode="json"),
    )
