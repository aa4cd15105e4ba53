"""Write the OpenAPI documents of the services to docs/openapi/ (``make docs``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shared.platform.config import Settings


def documents() -> dict[str, dict]:
    from services.events.app import create_app as events
    from services.identity.app import create_app as identity
    from services.notifications.app import create_app as notifications
    from services.registration.app import create_app as registration

    # nothing connects while building; the secret only lets the events app be built
    settings = Settings(_env_file=None, nats_url="nats://127.0.0.1:4222", checkin_secret="documents-only")
    return {name: factory(settings).openapi() for name, factory in
            (("registration", registration), ("events", events), ("notifications", notifications),
             ("identity", identity))}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in documents().items():
        (out / f"{name}.json").write_text(render(doc))
        print(f"wrote {out / f'{name}.json'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/openapi"))
