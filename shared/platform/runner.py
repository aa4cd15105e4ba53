"""Run one service's HTTP app (and with it its NATS consumers) under uvicorn."""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from shared.platform.config import Settings, load_settings
from shared.platform.observability import configure_logging


class PortTaken(SystemExit):
    pass


def check_port_free(host: str, port: int, variable: str) -> None:
    """A taken port is a one-line error that names the variable to change."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortTaken(
                    f"dxday: port {host}:{port} is already in use; set {variable} to a free port "
                    f"(cổng {port} đang bị chiếm; đặt {variable} sang cổng khác)"
                ) from None
            raise


def serve(service: str, create_app: Callable[[Settings], FastAPI], settings: Settings | None = None) -> None:
    settings = settings or load_settings()
    configure_logging(service, settings.log_level, settings.log_format)
    port = settings.port_of(service)
    try:
        check_port_free(settings.http_host, port, f"DXDAY_{service.upper()}_PORT")
    except PortTaken as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=port,
        log_config=None,  # our logging configuration, not uvicorn's
        access_log=False,
        lifespan="on",
        # X-Forwarded-For only from the configured reverse proxies (uvicorn would believe loopback)
        proxy_headers=bool(settings.trusted_proxies.strip()),
        forwarded_allow_ips=settings.trusted_proxies.strip() or "",
        timeout_graceful_shutdown=25,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise SystemExit(1)
