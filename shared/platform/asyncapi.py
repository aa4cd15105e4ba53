"""The AsyncAPI 3.0 document of the message contracts, generated from ``shared.contracts`` and the
request-reply commands the services register (``shared.platform.rpc.CATALOGUE``).

``python -m launcher.asyncapi_doc > docs/asyncapi.yaml`` (``make docs``) builds the services first, so that
their commands are known; a test fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml
from pydantic import BaseModel

from shared.contracts import STREAMS, Envelope, registry
from shared.contracts.streams import DEAD_LETTERS
from shared.platform.rpc import RpcRequest


def _channel_id(subject: str, version: int) -> str:
    return f"{subject.replace('.', '_')}_v{version}"


def document(rpc: dict[str, type[BaseModel] | None] | None = None) -> dict[str, Any]:
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
    _add_rpc(rpc or {}, channels, operations, messages, schemas)
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


RPC_REPLY = {
    "type": "object",
    "required": ["ok"],
    "description": "Every request gets an answer: the result, or a typed error (never silence).",
    "properties": {
        "ok": {"type": "boolean"},
        "result": {"description": "The use case's result, as the HTTP API returns it"},
        "error": {"type": "object", "required": ["code", "message", "message_en"], "properties": {
            "code": {"type": "string", "examples": ["validation_failed", "not_found", "forbidden"]},
            "message": {"type": "string", "description": "Vietnamese"},
            "message_en": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "object"}}}},
    },
}


def _add_rpc(rpc: dict[str, type[BaseModel] | None], channels: dict[str, Any], operations: dict[str, Any],
             messages: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Request-reply commands: core NATS subjects outside every stream, answered by a queue group."""
    if not rpc:
        return
    schemas["RpcReply"] = RPC_REPLY
    messages["rpc_reply"] = {"name": "RpcReply", "contentType": "application/json",
                             "payload": {"$ref": "#/components/schemas/RpcReply"}}
    channels["rpc_reply"] = {"address": None, "description": "The requester's reply inbox (_INBOX.<service>.>)",
                             "messages": {"RpcReply": {"$ref": "#/components/messages/rpc_reply"}}}
    for subject, args_model in sorted(rpc.items()):
        cid = subject.replace(".", "_")
        request = RpcRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(request.pop("$defs", {}))
        if args_model is not None:
            args = args_model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(args.pop("$defs", {}))
            name = args_model.__name__ if schemas.get(args_model.__name__, args) == args else f"{cid}_args"
            schemas[name] = args
            request["properties"]["args"] = {"$ref": f"#/components/schemas/{name}"}
        schemas[f"{cid}_request"] = request
        messages[cid] = {"name": f"{cid}_request", "title": subject, "contentType": "application/json",
                         "payload": {"$ref": f"#/components/schemas/{cid}_request"}}
        service = subject.split(".")[1]
        channels[cid] = {"address": subject, "description": f"Request-reply command, queue group {service}-rpc",
                         "messages": {"request": {"$ref": f"#/components/messages/{cid}"}}}
        operations[f"serve_{cid}"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"Answered by the {service} service",
            "reply": {"channel": {"$ref": "#/channels/rpc_reply"}},
        }


def render(rpc: dict[str, type[BaseModel] | None] | None = None) -> str:
    return yaml.safe_dump(document(rpc), sort_keys=False, allow_unicode=True, width=110)


if __name__ == "__main__":
    sys.stdout.write(render())
