"""One `renku-fed up` for every browser test of this folder, on free ports from 47000 up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ports import PLATFORM_PORTS, port_is_free

RENKU_FED = str(Path(sys.executable).parent / "renku-fed")
FIRST_PORT = 47000
STARTUP_SECONDS = 120
# Sessions of this platform take loopback ports of their own, apart from other platforms'.
SESSION_PORTS = 30000


def _base_port() -> int:
    for base in range(FIRST_PORT, FIRST_PORT + 100 * PLATFORM_PORTS, PLATFORM_PORTS):
        if all(port_is_free(base + i) for i in range(PLATFORM_PORTS)):
            return base
    raise RuntimeError(f"no {PLATFORM_PORTS} consecutive free ports from {FIRST_PORT} up")


@pytest.fixture(scope="session")
def platform_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the platform's log (`up.log`) and data (`data/`, its logs in `data/logs`)."""
    return tmp_path_factory.mktemp("platform")


@pytest.fixture(scope="session")
def platform(platform_dir: Path) -> Iterator[str]:
    """`renku-fed up` on free ports, its data in a temporary folder; its router's base URL."""
    port = _base_port()
    folder = platform_dir
    sessions_from = SESSION_PORTS + (port - FIRST_PORT) * 4
    env = os.environ | {
        "RENKU_FED_SESSIONS_PORT_RANGE_START": str(sessions_from),
        "RENKU_FED_SESSIONS_PORT_RANGE_END": str(sessions_from + 19),
    }
    log = (folder / "up.log").open("w")
    process = subprocess.Popen(
        [RENKU_FED, "up", "--port", str(port), "--data-dir", str(folder / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    try:
        _wait_up(process, folder / "up.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _wait_up(process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(STARTUP_SECONDS * 5):
        if process.poll() is not None:
            pytest.fail(f"renku-fed up exited: {log.read_text()[-2000:]}")
        if "renku-fed is up" in log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"renku-fed up did not start: {log.read_text()[-2000:]}")
