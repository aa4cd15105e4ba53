"""docker-compose.yml and deploy/ are checked statically (no Docker engine here)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from shared.config import SERVICE_NAMES, Settings
from shared.natsserver import nats_server_binary

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_three_services_on_a_three_node_cluster():
    services = COMPOSE["services"]
    assert {"nats-1", "nats-2", "nats-3", "postgres", *SERVICE_NAMES} <= set(services)
    for name in SERVICE_NAMES:
        assert services[name]["command"] == [name]
        env = services[name]["environment"]
        assert env["DXDAY_STREAM_REPLICAS"] == "3"
        assert len(env["DXDAY_NATS_URL"].split(",")) == 3


def test_compose_uses_only_settings_that_exist():
    known = {f"DXDAY_{name.upper()}" for name in Settings.model_fields}
    for name in SERVICE_NAMES:
        used = {k for k in COMPOSE["services"][name]["environment"] if k.startswith("DXDAY_")}
        assert used <= known, used - known


def test_each_service_gets_its_own_database():
    env = COMPOSE["services"]["events"]["environment"]
    urls = [env[f"DXDAY_{n.upper()}_DB_URL"] for n in SERVICE_NAMES]
    assert len({u.rsplit("/", 1)[1] for u in urls}) == 3
    init = (ROOT / "deploy" / "postgres" / "init.sql").read_text()
    assert "CREATE DATABASE events" in init and "CREATE DATABASE notifications" in init


@pytest.mark.parametrize("node", [1, 2, 3])
def test_nats_cluster_configs_are_valid_and_fsync_every_write(node: int):
    conf = ROOT / "deploy" / "nats" / f"nats-{node}.conf"
    result = subprocess.run([str(nats_server_binary()), "-c", str(conf), "-t"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "sync_interval: always" in conf.read_text()


def test_dockerfile_installs_the_project_and_runs_a_service():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    for needed in ("COPY shared", "COPY services", 'ENTRYPOINT ["dxday", "service"]', "USER dxday"):
        assert needed in text
