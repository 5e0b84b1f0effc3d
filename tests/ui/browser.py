"""Run a browser scenario of this folder (Node, playwright-core, Debian's Chromium); its report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or not (ROOT / "ui/node_modules/playwright-core").exists(),
    reason="needs Debian's chromium and `npm ci --prefix ui` (tox installs both)",
)


def screenshots(tmp_path: Path, name: str) -> Path:
    """Where a scenario writes its screenshots: RENKU_FED_UI_SCREENSHOTS/<name>, or the tmp dir."""
    chosen = os.environ.get("RENKU_FED_UI_SCREENSHOTS")
    shots = Path(chosen) / name if chosen else tmp_path / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def run_scenario(script: str, base: str, shots: Path, timeout: int = 600) -> dict[str, Any]:
    """Run tests/ui/<script> against the router at `base`; its report, also kept in `shots`."""
    node = shutil.which("node") or "node"
    run = subprocess.run(
        [node, str(ROOT / "tests/ui" / script), base, str(shots)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    (shots / "report.json").write_text(json.dumps(report, indent=1))
    return report


def failed_steps(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps that failed, with their errors."""
    return [step for step in report["steps"] if not step["ok"]]


def serious_findings(report: dict[str, Any]) -> dict[str, list[str]]:
    """axe-core's serious and critical findings, by page."""
    return {page: found for page, found in report["axe"].items() if found}
