"""The web front end in Debian's Chromium (playwright-core) against a real `renku-fed up`.

The platform runs on five free ports found from 47000 up (tests/e2e takes ports the system
hands out) with its data in the test's tmp dir. A screenshot of every page is written to the tmp dir
(kept when the test fails), or to the folder RENKU_FED_UI_SCREENSHOTS names.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
RENKU_FED = str(Path(sys.executable).parent / "renku-fed")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FIRST_PORT = 47000
STARTUP_SECONDS = 120

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or not (ROOT / "ui/node_modules/playwright-core").exists(),
    reason="needs Debian's chromium and `npm ci --prefix ui` (tox installs both)",
)


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _base_port() -> int:
    for base in range(FIRST_PORT, FIRST_PORT + 500, 5):
        if all(_free(base + i) for i in range(5)):
            return base
    raise RuntimeError("no five free ports from 47000 up")


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[str]:
    """`renku-fed up` on free ports; its router's base URL."""
    port = _base_port()
    log = (tmp_path / "up.log").open("w")
    process = subprocess.Popen(
        [RENKU_FED, "up", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(process, tmp_path / "up.log")
        yield base
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


def test_the_issues_scenario_in_a_browser(platform: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("RENKU_FED_UI_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    node = shutil.which("node") or "node"
    run = subprocess.run(
        [node, str(ROOT / "tests/ui/scenario.mjs"), platform, str(shots)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    failed = [step for step in report["steps"] if not step["ok"]]
    assert not failed, f"{failed} (screenshots in {shots})"
    assert [s["name"] for s in report["steps"]][-1] == "sign-out"
    assert report["consoleErrors"] == []
    (shots / "report.json").write_text(json.dumps(report, indent=1))
    assert {page: v for page, v in report["axe"].items() if v} == {}
    assert {p.name for p in shots.iterdir()} >= {f"{page}.png" for page in report["pages"]}
