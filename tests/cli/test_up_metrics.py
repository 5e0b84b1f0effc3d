"""A multi-worker router started by `renku-fed up` sums its workers' metrics in one folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from renku_fed.cli.up import PlatformLayout, prepare_data_dir


@pytest.fixture(autouse=True)
def _no_operator_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RENKU_FED_AUTH_ISSUER", raising=False)


def _router_environment(layout: PlatformLayout) -> dict[str, str]:
    router = next(service for service in layout.services if service.name == "router")
    return layout.environment(router, seed_demo=False)


def test_several_workers_share_an_emptied_metrics_folder(tmp_path: Path) -> None:
    layout = PlatformLayout("127.0.0.1", 4000, tmp_path / "data", 2)
    stale = layout.metrics_dir / "counter_123.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old samples")
    prepare_data_dir(layout, lambda _: None)
    assert layout.metrics_dir.is_dir() and not any(layout.metrics_dir.iterdir())
    assert _router_environment(layout)["PROMETHEUS_MULTIPROC_DIR"] == str(layout.metrics_dir)


def test_one_worker_keeps_its_metrics_in_memory(tmp_path: Path) -> None:
    layout = PlatformLayout("127.0.0.1", 4000, tmp_path / "data", 1)
    prepare_data_dir(layout, lambda _: None)
    assert "PROMETHEUS_MULTIPROC_DIR" not in _router_environment(layout)
