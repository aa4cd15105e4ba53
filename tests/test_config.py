"""Settings come from DXDAY_* variables, with the documented defaults, and fail fast when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.platform.config import Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch):
    for key in list(__import__("os").environ):
        if key.startswith("DXDAY_"):
            monkeypatch.delenv(key)
    s = Settings(_env_file=None)
    assert (s.registration_port, s.events_port, s.notifications_port, s.nats_port) == (8001, 8002, 8003, 4222)
    assert s.nats_url is None and s.nats_servers() == ["nats://127.0.0.1:4222"]
    assert s.data_dir == Path("var")
    assert s.db_url_of("events") == f"sqlite+aiosqlite:///{Path('var/events.db').resolve()}"
    assert s.nats_sync_always is True


def test_environment_variables(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DXDAY_NATS_URL", "nats://a:4222, nats://b:4222")
    monkeypatch.setenv("DXDAY_EVENTS_DB_URL", "postgresql+asyncpg://u@db/events")
    monkeypatch.setenv("DXDAY_LOG_LEVEL", "debug")
    monkeypatch.setenv("DXDAY_REGISTRATION_PORT", "9001")
    s = Settings(_env_file=None)
    assert s.nats_servers() == ["nats://a:4222", "nats://b:4222"]
    assert s.db_url_of("events") == "postgresql+asyncpg://u@db/events"
    assert s.log_level == "DEBUG"
    assert s.base_url_of("registration") == "http://127.0.0.1:9001"


@pytest.mark.parametrize("variable,value", [("DXDAY_EVENTS_PORT", "70000"), ("DXDAY_NATS_PORT", "port"),
                                            ("DXDAY_LOG_LEVEL", "LOUD"), ("DXDAY_MAX_DELIVER", "1")])
def test_bad_values_fail_at_start_naming_the_setting(monkeypatch: pytest.MonkeyPatch, variable: str, value: str):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as err:
        Settings(_env_file=None)
    assert variable.removeprefix("DXDAY_").lower() in str(err.value)


def test_readme_documents_every_setting():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [f"DXDAY_{name.upper()}" for name in Settings.model_fields if f"DXDAY_{name.upper()}" not in readme]
    assert missing == []


@pytest.mark.parametrize("variable,value", [
    ("DXDAY_QUIET_HOURS", "sms=21h-7h"), ("DXDAY_QUIET_HOURS", "fax=21:00-07:00"),
    ("DXDAY_QUIET_HOURS", "sms=25:00-07:00"),
    ("DXDAY_CHANNEL_RATES", "sms=fast"), ("DXDAY_CHANNEL_RATES", "sms=0"), ("DXDAY_CHANNEL_RATES", "pigeon=3"),
])
def test_channel_settings_are_checked_at_start_with_a_line_naming_the_variable(variable: str, value: str):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("DXDAY_")}
    result = subprocess.run([sys.executable, "-m", "services.notifications"], env={**env, variable: value},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert variable in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_links_use_each_services_public_address_and_never_a_wildcard(monkeypatch: pytest.MonkeyPatch):
    for key in list(__import__("os").environ):
        if key.startswith("DXDAY_"):
            monkeypatch.delenv(key)
    wildcard = Settings(_env_file=None, http_host="0.0.0.0")
    assert wildcard.base_url_of("events") == "http://127.0.0.1:8002"
    proxied = Settings(_env_file=None, http_host="0.0.0.0", events_public_url="https://lich.example.vn/",
                       registration_public_url="https://dangky.example.vn")
    assert proxied.base_url_of("events") == "https://lich.example.vn"  # no port appended
    assert proxied.base_url_of("registration") == "https://dangky.example.vn"
    assert proxied.base_url_of("notifications") == "http://127.0.0.1:8003"


def test_the_events_service_without_a_check_in_secret_stops_naming_the_variable(tmp_path):
    """A required secret is never made up by a service started alone: replicas must agree on it."""
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DXDAY_DATA_DIR": str(tmp_path), "DXDAY_NATS_URL": "nats://127.0.0.1:1",
           "DXDAY_EVENTS_DB_URL": f"sqlite+aiosqlite:///{tmp_path / 'events.db'}"}
    run = subprocess.run([sys.executable, "-m", "services.events"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0 and "DXDAY_CHECKIN_SECRET must be set" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr
