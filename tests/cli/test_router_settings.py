"""`renku-fed router` refuses traffic-shaping settings that name no subgraph, before it serves."""

from __future__ import annotations

import socket

import pytest

from renku_fed.cli.main import main
from tests.support.fake_subgraphs import SUPERGRAPH_PATH


def test_an_override_of_an_unknown_subgraph_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RENKU_FED_ROUTER_TRAFFIC_SHAPING", '{"subgraphs": {"acounts": {}}}')

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    code = main(["router", "--supergraph", str(SUPERGRAPH_PATH), "--port", port])

    err = capsys.readouterr().err
    assert code != 0
    assert "names no subgraph of the supergraph: acounts" in err
    assert "accounts, inventory, products, reviews" in err
    assert "Traceback" not in err
