"""The gateway benchmark harness still runs end to end: a few seconds, figures checked, no speed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.gateways.cli import main
from bench.gateways.peers import GATEWAYS

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_harness_checks_the_answer_and_counts_requests(tmp_path: Path) -> None:
    """Our router (and each npm peer when installed) answers correctly and serves load."""
    keys = [key for key, gateway in GATEWAYS.items() if gateway.installed()]
    output = tmp_path / "bench.json"

    code = main(
        [
            "--gateways", ",".join(keys), "--duration", "1", "--warmup", "0",
            "--connections", "2", "--skip-dashboard", "--json", str(output),
        ]
    )  # fmt: skip

    assert code == 0
    report = json.loads(output.read_text())
    assert [result["gateway"] for result in report["gateways"]] == keys
    for result in report["gateways"]:
        assert result["status"] == "ok", result
        assert result["runs"][0]["requests"] > 0
    assert all(rate > 0 for rate in report["subgraph_direct_rps"].values())
    assert any("RATE_PER_SECOND" in change for change in report["router_settings_changed"])
