"""docker-compose.yml and deploy/ are checked statically (no Docker engine here)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from launcher.natsserver import nats_server_binary
from shared.platform.config import SERVICE_NAMES, Settings

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
    assert len({u.rsplit("/", 1)[1] for u in urls}) == len(SERVICE_NAMES)
    init = (ROOT / "deploy" / "postgres" / "init.sql").read_text()
    assert all(f"CREATE DATABASE {n}" in init for n in SERVICE_NAMES if n != "registration")  # the default one


@pytest.mark.parametrize("node", [1, 2, 3])
def test_nats_cluster_configs_are_valid_and_fsync_every_write(node: int):
    conf = ROOT / "deploy" / "nats" / f"nats-{node}.conf"
    passwords = {f"DXDAY_NATS_{user.upper()}_PASSWORD": "x" for user in (*SERVICE_NAMES, "operator")}
    result = subprocess.run([str(nats_server_binary()), "-c", str(conf), "-t"], capture_output=True, text=True,
                            env={**os.environ, **passwords})
    assert result.returncode == 0, result.stderr
    assert "sync_interval: always" in conf.read_text()
    assert "include ./users.conf" in conf.read_text()  # one user per service, least privilege
    without = subprocess.run([str(nats_server_binary()), "-c", str(conf), "-t"], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if not k.startswith("DXDAY_NATS_")})
    assert without.returncode != 0  # no password, no server: nothing runs open by mistake


def test_dockerfile_installs_the_project_and_runs_a_service():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    for needed in ("COPY shared", "COPY services", 'ENTRYPOINT ["dxday", "service"]', "USER dxday"):
        assert needed in text


def test_compose_mounts_only_files_that_exist_and_builds_from_the_repo():
    for name, service in COMPOSE["services"].items():
        assert "image" in service or (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts a missing {source}"
    assert {"prometheus", "grafana", "nats-exporter"} <= set(COMPOSE["services"])


K8S = [doc for f in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(f.read_text())
       if doc and "kind" in doc]


def test_kubernetes_deployments_probe_health_and_readiness_and_are_scraped():
    deployments = {d["metadata"]["name"]: d for d in K8S if d["kind"] == "Deployment"}
    assert set(deployments) == {f"dxday-{n}" for n in SERVICE_NAMES}
    known = {f"DXDAY_{name.upper()}" for name in Settings.model_fields}
    for name, d in deployments.items():
        spec = d["spec"]["template"]["spec"]
        [container] = spec["containers"]
        assert d["spec"]["replicas"] >= 2
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert d["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
        assert container["args"] == [name.removeprefix("dxday-")]
        assert {e["name"] for e in container["env"]} <= known
    config = next(d for d in K8S if d["kind"] == "ConfigMap")
    secret = next(d for d in K8S if d["kind"] == "Secret")
    assert set(config["data"]) | set(secret["stringData"]) <= known
    services = {d["metadata"]["name"] for d in K8S if d["kind"] == "Service"}
    assert services == set(deployments)


def test_grafana_is_provisioned_with_the_dashboard():
    import json

    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/dxday-campaign.json").read_text())
    assert len(dashboard["panels"]) >= 12 and all(p["targets"][0]["expr"] for p in dashboard["panels"])
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/dxday.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_prometheus_configuration_scrapes_the_three_services_and_loads_the_rules():
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    assert {f"dxday-{n}" for n in SERVICE_NAMES} <= jobs and "nats" in jobs
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


async def test_api_docs_work_offline_and_document_errors_auth_and_messages(settings: Settings):
    from services.events.app import create_app as events_app
    from tests.support import serve_in_process

    async with serve_in_process(events_app(settings)) as events:
        page = (await events.client.get("/docs")).text
        assert "cdn" not in page.lower() and "/docs/assets/swagger-ui-bundle.js" in page
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert (await events.client.get(f"/docs/assets/{asset}")).status_code == 200
        schema = (await events.client.get("/openapi.json")).json()
        assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        error = schema["components"]["schemas"]["HTTPValidationError"]
        assert error["properties"]["error"]["required"] == ["code", "message", "message_en"]
        served = yaml.safe_load((await events.client.get("/asyncapi.yaml")).text)
        assert served["asyncapi"].startswith("3.") and any("rpc.events.seat.reserve" == c.get("address")
                                                           for c in served["channels"].values())


def test_kubernetes_gives_each_service_its_nats_user_and_limits_who_talks_to_nats():
    from launcher.nats_auth import helm_auth_values

    k8s = ROOT / "deploy" / "k8s"
    assert (k8s / "nats-auth-values.yaml").read_text() == helm_auth_values(), \
        "run: python -m launcher.nats_auth --helm > deploy/k8s/nats-auth-values.yaml"
    values = yaml.safe_load((k8s / "nats-auth-values.yaml").read_text())
    users = {u["user"]: u for u in values["config"]["merge"]["authorization"]["users"]}
    assert set(users) == {*SERVICE_NAMES, "operator"}
    assert all(u["password"].startswith("<< $DXDAY_NATS_") for u in users.values())
    for doc in yaml.safe_load_all((k8s / "services.yaml").read_text()):
        if doc["kind"] != "Deployment":
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e for e in container["env"]}
        assert env["DXDAY_NATS_USER"]["value"] == container["name"]
        assert env["DXDAY_NATS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "dxday-nats-users",
                                                                           "key": container["name"]}
    policies = {d["metadata"]["name"]: d for d in yaml.safe_load_all((k8s / "network-policy.yaml").read_text())}
    nats_ingress = policies["nats-clients"]["spec"]["ingress"][0]
    assert nats_ingress["ports"] == [{"port": 4222}]
    assert nats_ingress["from"][0]["podSelector"] == {"matchLabels": {"app": "dxday"}}
