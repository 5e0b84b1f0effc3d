"""The web front end in Debian's Chromium (playwright-core) against a real `renku-fed up`.

The platform (tests/ui/conftest.py) runs on five free ports found from 47000 up (tests/e2e takes
ports the system hands out), shared by this folder's browser tests. A screenshot of every page is
written to the tmp dir (kept when the test fails), or under the folder RENKU_FED_UI_SCREENSHOTS
names.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.browser import (
    failed_steps,
    needs_chromium,
    run_scenario,
    screenshots,
    serious_findings,
)

pytestmark = needs_chromium


def test_the_issues_scenario_in_a_browser(platform: str, tmp_path: Path) -> None:
    shots = screenshots(tmp_path, "scenario")
    report = run_scenario("scenario.mjs", platform, shots)
    failed = failed_steps(report)
    assert not failed, f"{failed} (screenshots in {shots})"
    assert [s["name"] for s in report["steps"]][-1] == "sign-out"
    # The session's state came live over the router's GraphQL WebSocket (sessionChanged).
    assert any(url.endswith("/graphql") for url in report["webSockets"])
    assert report["consoleErrors"] == []
    assert serious_findings(report) == {}
    assert {p.name for p in shots.iterdir()} >= {f"{page}.png" for page in report["pages"]}
