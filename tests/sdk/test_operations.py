"""Every operation the SDK sends is valid against the platform's supergraph."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from renku_fed.router.supergraph import Supergraph
from renku_fed.sdk import operations

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@pytest.fixture(scope="module")
def supergraph() -> Supergraph:
    return Supergraph.parse(SUPERGRAPH.read_text())


@pytest.mark.parametrize("name", operations.operation_names())
def test_operation_is_valid_against_the_supergraph(supergraph: Supergraph, name: str) -> None:
    document = parse(operations.document(name))
    assert [str(e) for e in validate(supergraph.api_schema, document)] == []
    (definition,) = [d for d in document.definitions if d.kind == "operation_definition"]
    assert definition.name is not None and definition.name.value == name


def test_the_sdk_covers_each_subgraph() -> None:
    names = set(operations.operation_names())
    assert {"ListProjects", "CreateProject", "UpdateProject", "Me"} <= names
    assert {"LaunchSession", "GetSession", "Search", "Lineage"} <= names


def test_a_document_carries_only_the_fragments_it_uses() -> None:
    text = operations.document("Me")
    assert "fragment UserFields" in text
    assert "fragment ProjectFields" not in text
