"""A real Prometheus (Debian's package) scrapes a real `dxday up` with the project's scrape configuration;
the Grafana dashboard only asks for metrics the services really expose."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.registration_support import business_body, valid_tax_codes
from tests.support import free_port
from tests.test_stack import DEMO, _stack_env, _wait_ready

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registration", "events", "notifications")


def _prometheus_or_skip() -> str:
    binary = shutil.which("prometheus")
    if binary is None:
        if os.environ.get("DXDAY_REQUIRE_PROMETHEUS") == "1":
            pytest.fail("DXDAY_REQUIRE_PROMETHEUS=1 but the prometheus binary is missing")
        pytest.skip("prometheus not installed (Debian package `prometheus`)")
    return binary


def _scrape_config(env: dict[str, str], tmp: Path) -> Path:
    """The project's configuration, pointed at this test's ports, scraping every second."""
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(ROOT / "deploy/prometheus/alerts.yml")]
    jobs = []
    for job in config["scrape_configs"]:
        service = job["job_name"].removeprefix("dxday-")
        if service in SERVICES:  # the NATS exporter is not part of the embedded stack
            job["static_configs"][0]["targets"] = [f"127.0.0.1:{env[f'DXDAY_{service.upper()}_PORT']}"]
            jobs.append(job)
    config["scrape_configs"] = jobs
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _query(base: str, promql: str) -> float:
    result = httpx.get(f"{base}/api/v1/query", params={"query": promql}, timeout=5).json()["data"]["result"]
    return sum(float(r["value"][1]) for r in result)


def _until(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{what} not reached in {timeout}s")


def test_prometheus_scrapes_every_service_and_sees_a_registration(tmp_path: Path):
    binary = _prometheus_or_skip()
    env = _stack_env(tmp_path)
    urls = [f"http://127.0.0.1:{env[f'DXDAY_{n.upper()}_PORT']}" for n in SERVICES]
    stack = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up"], env=env,
                             stdout=(tmp_path / "up.log").open("wb"), stderr=subprocess.STDOUT)
    prom_port = free_port()
    prom = subprocess.Popen([binary, f"--config.file={_scrape_config(env, tmp_path)}",
                             f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prom_port}"],
                            stdout=(tmp_path / "prometheus.log").open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{prom_port}"
    try:
        _wait_ready(urls, stack)
        _until(lambda: "demo campaign ready" in (tmp_path / "up.log").read_text(), 90, "demo loaded")

        def all_up() -> bool:
            targets = httpx.get(f"{base}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
            return len(targets) == 3 and all(t["health"] == "up" for t in targets)

        _until(all_up, 60, "every target up")
        counter = 'sum(dxday_registrations_total{kind="business",outcome="accepted"})'
        def exposed() -> float:  # what the registration service counts now, read from its own /metrics
            text = httpx.get(f"{urls[0]}/metrics", timeout=5).text
            return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                       if line.startswith("dxday_registrations_total{") and 'kind="business"' in line
                       and 'outcome="accepted"' in line)

        before = exposed()
        assert before > 0  # the demo's businesses
        _until(lambda: _query(base, counter) == before or None, 30, "the demo's registrations scraped")
        r = httpx.post(f"{urls[0]}/campaigns/{DEMO}/businesses", json=business_body(valid_tax_codes(1, 77_000)[0]))
        assert r.status_code == 201, r.text
        _until(lambda: _query(base, counter) == before + 1, 30, "the registration counted in Prometheus")
        assert _query(base, "min(dxday_ready)") == 1.0 or _until(lambda: _query(base, "min(dxday_ready)") == 1.0, 30,
                                                                  "readiness scraped")
        rules = httpx.get(f"{base}/api/v1/rules", timeout=5).json()["data"]["groups"]
        assert {r["name"] for g in rules for r in g["rules"]} >= {"DxdayServiceDown", "DxdayDeadLetter"}
        exposed = _exposed_metrics(urls)
        wanted = _dashboard_metrics()
        assert wanted and wanted <= exposed, f"dashboard asks for metrics nobody exposes: {wanted - exposed}"
    finally:
        prom.send_signal(signal.SIGTERM)
        stack.send_signal(signal.SIGTERM)
        prom.wait(30)
        stack.wait(60)


def _exposed_metrics(urls: list[str]) -> set[str]:
    names: set[str] = set()
    for url in urls:
        for line in httpx.get(f"{url}/metrics", timeout=5).text.splitlines():
            if line.startswith("# TYPE "):
                name, kind = line.split()[2:4]
                names.add(name)
                if kind == "histogram":
                    names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
                if kind == "counter" and not name.endswith("_total"):
                    names.add(f"{name}_total")
    return names


PROMQL_WORDS = {"sum", "by", "rate", "max", "min", "increase", "histogram_quantile", "le", "and", "or"}


def _dashboard_metrics() -> set[str]:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/dxday-campaign.json").read_text())
    found: set[str] = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", target["expr"])
            found |= {w for w in re.findall(r"[a-z_][a-z0-9_]*", expr)
                      if w not in PROMQL_WORDS and ("_" in w) and not w.startswith("le")
                      and w not in {"campaign", "kind", "outcome", "channel", "status", "stream", "consumer",
                                    "reason", "job", "route", "app_name"}}
    return found
