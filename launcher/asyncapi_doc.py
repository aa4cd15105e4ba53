"""Print the AsyncAPI document with the services' request-reply commands (``make docs``): the
services are built (nothing connects), which registers their commands in ``shared.platform.rpc.CATALOGUE``."""

from __future__ import annotations

import sys

from launcher.openapi import documents
from shared.platform.asyncapi import render
from shared.platform.rpc import CATALOGUE


def main() -> None:
    documents()
    sys.stdout.write(render(dict(CATALOGUE)))


if __name__ == "__main__":
    main()
