"""The checked-in SDL in schema/ matches the subgraphs' code and our composition of them.

Run `RENKU_FED_UPDATE_SCHEMA=1 pytest tests/test_schema_snapshots.py` to rewrite the files after a
deliberate schema change, then review and commit the diff.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from renku_fed.router.composition import SubgraphSource, compose

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
SUBGRAPH_PORTS = {
    "users": 4001, "projects": 4002, "sessions": 4003, "kg": 4004, "storage": 4005,
}  # fmt: skip
UPDATE = os.environ.get("RENKU_FED_UPDATE_SCHEMA") == "1"
HOW_TO_UPDATE = "run `RENKU_FED_UPDATE_SCHEMA=1 pytest tests/test_schema_snapshots.py` and commit"


def _subgraph_sdl(name: str) -> str:
    module = importlib.import_module(f"renku_fed.subgraphs.{name}.schema")
    return str(module.schema.as_str()) + "\n"


def _check(path: Path, current: str) -> None:
    if UPDATE:
        path.write_text(current)
    assert path.exists(), f"{path} is missing; {HOW_TO_UPDATE}"
    assert path.read_text() == current, f"{path} is stale; {HOW_TO_UPDATE}"


@pytest.mark.parametrize("name", sorted(SUBGRAPH_PORTS))
def test_subgraph_sdl_snapshot_is_fresh(name: str) -> None:
    _check(SCHEMA_DIR / f"{name}.graphql", _subgraph_sdl(name))


def test_supergraph_is_fresh() -> None:
    sources = [
        SubgraphSource(name, f"http://127.0.0.1:{port}/graphql", _subgraph_sdl(name))
        for name, port in SUBGRAPH_PORTS.items()
    ]
    _check(SCHEMA_DIR / "supergraph.graphql", compose(sources))
