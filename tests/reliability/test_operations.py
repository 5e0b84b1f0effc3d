"""Logs rotate, no forwarded address is trusted by default, and operator mistakes are clear."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from renku_fed.cli.log_files import RotatingLog
from renku_fed.cli.up import PlatformLayout, run_platform
from renku_fed.router.serve import trust_proxies
from renku_fed.router.supergraph import Supergraph, SupergraphError


def test_a_log_rotates_past_its_size_keeping_a_few(tmp_path: Path) -> None:
    log = RotatingLog(tmp_path / "users.log", max_bytes=100, kept=2)

    for number in range(30):
        log.write(f"line {number:03d} of the log\n".encode())

    sizes = {path.name: path.stat().st_size for path in tmp_path.iterdir()}
    assert set(sizes) == {"users.log", "users.log.1", "users.log.2"}
    assert all(size <= 100 for size in sizes.values())
    assert (tmp_path / "users.log").read_text().endswith("line 029 of the log\n")


def test_a_log_copies_a_stream(tmp_path: Path) -> None:
    log = RotatingLog(tmp_path / "kg.log")

    log.copy_from(io.BytesIO(b"one\ntwo\n")).join(timeout=5)

    assert (tmp_path / "kg.log").read_bytes() == b"one\ntwo\n"


def test_services_read_no_proxy_headers_unless_told_whom_to_trust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)

    assert all("--no-proxy-headers" in layout.command(s) for s in layout.services)
    assert trust_proxies() is False

    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")
    router = layout.command(layout.services[-1])
    assert router[router.index("--forwarded-allow-ips") + 1] == "10.0.0.1"
    assert trust_proxies() is True


def test_a_data_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path / "file" / "data")
    out = io.StringIO()

    code = run_platform(layout, out, command=lambda service: ["true"])

    assert code == 1
    assert "error: Cannot create the data folder" in out.getvalue()
    assert "Traceback" not in out.getvalue()


def test_a_malformed_supergraph_names_line_and_column() -> None:
    with pytest.raises(SupergraphError, match="at line 2, column 17"):
        Supergraph.parse("schema { query: Query }\ntype Query { a: }\n")
