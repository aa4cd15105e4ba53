"""Typed settings read from ``DXDAY_*`` environment variables (and an optional ``.env``).

One class serves every service: each service reads its own port and database URL from it.
Invalid values fail at start with the variable's name, never later at first use.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES: tuple[str, ...] = ("registration", "events", "notifications", "identity")
CHANNELS = ("email", "sms", "webhook", "file")
QUIET = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$")
ServiceName = Literal["registration", "events", "notifications", "identity"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DXDAY_", env_file=".env", extra="ignore")

    # --- NATS -------------------------------------------------------------------------
    nats_url: str | None = Field(
        default=None, description="External NATS server(s), comma separated; unset = embedded server"
    )
    nats_host: str = Field(default="127.0.0.1", description="Address the embedded NATS listens on")
    nats_port: int = Field(default=4222, ge=1, le=65535, description="Client port of the embedded NATS")
    nats_monitor_port: int = Field(
        default=8222, ge=0, le=65535, description="Monitoring port of the embedded NATS (0 = off)"
    )
    nats_sync_always: bool = Field(
        default=True,
        description="Embedded NATS fsyncs every write (sync_interval: always); false = every 2 min, faster",
    )
    nats_user: str | None = Field(default=None, description="NATS user name")
    nats_password: str | None = Field(default=None, description="NATS password")
    nats_token: str | None = Field(default=None, description="NATS token")
    nats_creds_file: Path | None = Field(default=None, description="NATS credentials (.creds) file")
    nats_tls_ca: Path | None = Field(default=None, description="CA file to verify the NATS server")
    nats_tls_cert: Path | None = Field(default=None, description="Client certificate for NATS mTLS")
    nats_tls_key: Path | None = Field(default=None, description="Client key for NATS mTLS")
    stream_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas (3 in a cluster)")
    stream_max_bytes: int | None = Field(
        default=None, ge=1024**2, description="Bytes each stream may hold; unset = 8 GiB, or with the embedded "
        "NATS of `dxday up` a quarter of half the free disk under the data dir (at most 8 GiB)")

    # --- storage ----------------------------------------------------------------------
    data_dir: Path = Field(default=Path("var"), description="Where SQLite files, NATS store and files go")
    registration_db_url: str | None = Field(default=None, description="Registration database URL")
    events_db_url: str | None = Field(default=None, description="Events database URL")
    notifications_db_url: str | None = Field(default=None, description="Notifications database URL")
    identity_db_url: str | None = Field(default=None, description="Identity database URL")

    # --- HTTP -------------------------------------------------------------------------
    http_host: str = Field(default="127.0.0.1", description="Address the services' HTTP ports bind to")
    registration_port: int = Field(default=8001, ge=1, le=65535, description="Registration HTTP port")
    events_port: int = Field(default=8002, ge=1, le=65535, description="Events HTTP port")
    notifications_port: int = Field(default=8003, ge=1, le=65535, description="Notifications HTTP port")
    identity_port: int = Field(default=8004, ge=1, le=65535, description="Identity HTTP port")
    form_rate_per_minute: int = Field(
        default=60, ge=1, description="Public form posts (sign-ups) per client address per minute; then 429"
    )
    failed_token_limit_per_minute: int = Field(
        default=20, ge=1, description="Requests with a wrong token per client per minute before it gets 429"
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Request bodies above this many bytes are refused with 413")
    trusted_proxies: str = Field(
        default="", description="Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed "
        "(the client address the limits count); empty = none, so a spoofed header changes nothing")
    cors_origins: str = Field(default="", description="Comma-separated origins allowed by CORS (empty = none)")
    metrics_user: str | None = Field(default=None, description="If set with the password, /metrics asks for basic auth")
    metrics_password: str | None = Field(default=None, description="Password for /metrics basic auth")
    public_base_url: str | None = Field(
        default=None, description="Base URL users reach, the service's port appended (for links); "
        "default http://<http_host> (127.0.0.1 when it binds every address)"
    )
    registration_public_url: str | None = Field(
        default=None, description="The registration service's address as users reach it, used as is "
        "(e.g. https://dangky.example.vn behind a reverse proxy); overrides DXDAY_PUBLIC_BASE_URL")
    events_public_url: str | None = Field(default=None, description="The events service's public address, as is")
    notifications_public_url: str | None = Field(
        default=None, description="The notifications service's public address, as is")
    identity_public_url: str | None = Field(
        default=None, description="The identity service's public address, as is: the issuer of access tokens "
        "and where sign-in links point")

    # --- notifications -------------------------------------------------------------------
    smtp_host: str | None = Field(default=None, description="SMTP server for email; unset = email is written as files")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port")
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS")
    smtp_user: str | None = Field(default=None, description="SMTP user")
    smtp_password: str | None = Field(default=None, description="SMTP password")
    mail_from: str = Field(default="Ngày Chuyển đổi số <no-reply@dxday.local>", description="Sender of emails")
    sms_gateway_url: str | None = Field(default=None, description="HTTP SMS gateway; unset = SMS written as files")
    sms_gateway_key: str | None = Field(default=None, description="Bearer key for the SMS gateway")
    sms_sender: str = Field(default="CDS-QUOCGIA", description="SMS sender name (brandname)")
    sms_brand: str = Field(default="NgayCDS", max_length=20, description="The name every SMS starts with")
    sms_diacritics: bool = Field(
        default=True, description="SMS with Vietnamese diacritics (UCS-2, 70 characters a segment); false = "
        "without (GSM-7, 160 a segment), for carriers that bill per segment")
    webhook_url: str | None = Field(default=None, description="URL that receives webhook notices; unset = files")
    webhook_secret: str | None = Field(default=None, description="HMAC-SHA256 key signing webhook notices")
    unconfigured_channels: Literal["file", "discard"] = Field(
        default="file", description="Where email, SMS and webhook messages go without a server: files under the data "
        "dir, or discarded (load tests, rehearsals); the file channel always writes files")
    quiet_hours: str = Field(default="sms=21:00-07:00", description="Per channel, local time: held until the end")
    channel_rates: str = Field(default="sms=20,email=50,webhook=50", description="Sends per second per channel")
    notify_max_attempts: int = Field(default=5, ge=1, description="Tries per channel before it fails for good")
    notify_retry_seconds: float = Field(default=5.0, gt=0, description="First retry delay; doubles, with jitter")
    coalesce_seconds: float = Field(default=120.0, ge=0, description="Quiet period that merges edits of a workshop")
    notify_claim_seconds: float = Field(
        default=60.0, ge=25,
        description="How long a replica's claim on notices it sends holds (above the 20 s send timeout)",
    )
    notify_batch: int = Field(
        default=500, ge=1, le=5000,
        description="Notices claimed and sent per batch; a crash may repeat one batch (same idempotency keys)")
    notify_tick_seconds: float = Field(default=1.0, gt=0, description="How often due notifications are looked for")

    # --- behaviour ----------------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level")
    log_format: Literal["json", "text"] = Field(default="json", description="json lines or readable text")
    outbox_sweep_seconds: float = Field(
        default=2.0, gt=0, description="How often the outbox relay sweeps for unpublished events"
    )
    max_deliver: int = Field(default=5, ge=2, description="Deliveries of one message before it dead-letters")
    ack_wait_seconds: float = Field(
        default=10.0, gt=0, description="A delivered message not acked in this time is delivered again"
    )
    instance_id: str | None = Field(
        default=None, description="This replica's name (claims, logs); default <host>:<port>, stable across restarts"
    )
    demo: bool = Field(default=True, description="`dxday up` loads the demo campaign (0 = start empty)")
    checkin_secret: str | None = Field(
        default=None, description="Key that signs seat check-in (QR) tokens and unsubscribe links, shared by "
                    "every replica; default: generated under the data dir"
    )
    sign_ins_per_hour: int = Field(
        default=5, ge=1, le=100, description="Sign-in links sent to one email or mobile number an hour at most")
    admin_email: str | None = Field(
        default=None, description="`dxday up`: the national administrator's email (default admin@dxday.local)")
    oidc_issuer: str | None = Field(
        default=None, description="An external OpenID Connect issuer (a province's SSO) whose tokens are accepted")
    oidc_audience: str = Field(default="dxday", description="The audience (`aud`) its tokens must name")
    oidc_grants_claim: str = Field(
        default="dxday_grants", description="Its claim holding grants, each `role@scope` (organizer@P51)")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            channel, _, hours = part.partition("=")
            if channel.strip() not in CHANNELS or not QUIET.match(hours.strip()):
                raise ValueError(f"{part!r}: expected <channel>=HH:MM-HH:MM, e.g. sms=21:00-07:00 "
                                 f"(channels: {', '.join(CHANNELS)})")
        return value

    @field_validator("channel_rates")
    @classmethod
    def _channel_rates(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            channel, _, rate = part.partition("=")
            try:
                ok = channel.strip() in CHANNELS and float(rate) > 0
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"{part!r}: expected <channel>=<sends per second above 0>, e.g. sms=20 "
                                 f"(channels: {', '.join(CHANNELS)})")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    # --- derived ------------------------------------------------------------------------
    def port_of(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))

    def db_url_of(self, service: str) -> str:
        url = getattr(self, f"{service}_db_url")
        if url:
            return str(url)
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def instance_of(self, service: str) -> str:
        import socket

        return self.instance_id or f"{socket.gethostname()}:{self.port_of(service)}"

    def nats_servers(self) -> list[str]:
        if self.nats_url:
            return [u.strip() for u in self.nats_url.split(",") if u.strip()]
        return [f"nats://{self.nats_host}:{self.nats_port}"]

    def base_url_of(self, service: str) -> str:
        """The address users reach a service at, for the links in pages, notices and calendars."""
        own = getattr(self, f"{service}_public_url", None)
        if own:
            return str(own).rstrip("/")
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::", "") else self.http_host  # never a wildcard
        base = self.public_base_url or f"http://{host}"
        return f"{base.rstrip('/')}:{self.port_of(service)}"


def load_settings() -> Settings:
    """The settings from the environment; a bad value stops the program at start with one line per
    variable that names it (``DXDAY_QUIET_HOURS: ...``), not a traceback later."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "DXDAY_" + "_".join(str(p) for p in error["loc"][:1]).upper()
            print(f"dxday: {name}: {error['msg']} (giá trị không hợp lệ / invalid value)", file=sys.stderr)
        raise SystemExit(2) from None
