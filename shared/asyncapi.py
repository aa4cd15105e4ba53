"""The AsyncAPI 3.0 document of the message contracts, generated from ``shared.contracts``.

``python -m shared.asyncapi > docs/asyncapi.yaml``; a test fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from shared.contracts import STREAMS, Envelope, registry
from shared.contracts.streams import DEAD_LETTERS


def _channel_id(subject: str, version: int) -> str:
    return f"{subject.replace('.', '_')}_v{version}"


def document() -> dict[str, Any]:
    envelope_schema = Envelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = {"Envelope": envelope_schema}
    for defs in [envelope_schema.pop("$defs", {})]:
        schemas.update(defs)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for (subject, version), contract in sorted(registry.items()):
        cid = _channel_id(subject, version)
        name = contract.payload.__name__
        payload_schema = contract.payload.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(payload_schema.pop("$defs", {}))
        schemas[name] = payload_schema
        messages[cid] = {
            "name": name,
            "title": f"{subject} v{version}",
            "summary": contract.description,
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {"Nats-Msg-Id": {"type": "string", "description": "= envelope.event_id"}},
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": subject},
                            "version": {"const": version},
                            "payload": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
        }
        channels[cid] = {
            "address": subject,
            "description": f"JetStream stream {contract.stream.name}",
            "messages": {name: {"$ref": f"#/components/messages/{cid}"}},
        }
        operations[f"publish_{cid}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"Published by the {subject.split('.')[0]} service through its outbox",
        }
    channels["dead_letters"] = {
        "address": f"{DEAD_LETTERS.subject_root}.{{consumer}}",
        "parameters": {"consumer": {"description": "durable consumer name, <service>-<source>"}},
        "description": "Original bytes of a message a consumer could not handle; headers Dxday-Dlq-Reason, "
        "Dxday-Dlq-Detail, Dxday-Dlq-Consumer, Dxday-Orig-Subject, Dxday-Orig-Stream, Dxday-Orig-Seq, "
        "Dxday-Deliveries",
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "dxday message contracts",
            "version": "1",
            "description": "Integration events of the dxday services. Streams: "
            + ", ".join(f"{s.name} ({', '.join(s.subjects)})" for s in STREAMS)
            + ". Request-reply subjects live under rpc.* outside every stream.",
        },
        "servers": {"embedded": {"host": "127.0.0.1:4222", "protocol": "nats"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    return yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=110)


if __name__ == "__main__":
    sys.stdout.write(render())
