"""A notebook cell run in a session opened through the router, signed in by the login cookie."""

from __future__ import annotations

from pathlib import Path

from tests.ui.browser import failed_steps, needs_chromium, run_scenario, screenshots

pytestmark = needs_chromium


def test_a_notebook_cell_runs_in_a_session_opened_through_the_router(
    platform: str, platform_dir: Path, tmp_path: Path
) -> None:
    shots = screenshots(tmp_path, "session")
    report = run_scenario("session.mjs", platform, shots)
    assert failed_steps(report) == [], f"{report.get('sessionRefusals')} (screenshots in {shots})"
    assert report["sessionUrl"].startswith("/sessions/")
    assert "token" not in report["sessionUrl"]
    assert report["crossSiteStatus"] == 403
    assert report["cellOutput"] == "answer 42 True"
    assert report["sessionRefusals"] == []
    assert report["consoleErrors"] == []
    assert (shots / "session-notebook.png").exists()
    # Nothing the browser did through the proxy (closing its WebSockets included) is an error.
    router_log = (platform_dir / "data/logs/router.log").read_text().splitlines()
    assert [line[:300] for line in router_log if '"level":"error"' in line] == []
