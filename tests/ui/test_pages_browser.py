"""The project forms, members, search filters, dataset, user and group pages in Chromium."""

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


def test_every_other_page_at_360_px_and_on_a_desktop(platform: str, tmp_path: Path) -> None:
    shots = screenshots(tmp_path, "pages")
    report = run_scenario("pages.mjs", platform, shots)
    assert failed_steps(report) == [], f"screenshots in {shots}"
    assert report["steps"][-1]["name"] == "every-page-on-a-desktop-screen"
    assert report["consoleErrors"] == []
    assert serious_findings(report) == {}
    assert {page: wide for page, wide in report["overflow"].items() if wide} == {}
    pages = set(report["pages"])
    shown = {"project-new", "project-edit", "members", "search-filters", "dataset", "user", "group"}
    assert {"project-new-error", "project-edit-error", "members-bob"} <= pages
    assert {f"{page}-desktop" for page in shown} <= pages
    assert {p.name for p in shots.iterdir()} >= {f"{page}.png" for page in pages}
