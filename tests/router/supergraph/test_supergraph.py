"""Loading supergraphs: join/link versions, the API schema, inaccessible elements, refusals."""

from __future__ import annotations

import hashlib

import pytest
from graphql import parse, print_schema, validate

from renku_fed.router.supergraph import SubgraphInfo, Supergraph, SupergraphError
from tests.support.planning import FIXTURES, load_supergraph


def _sdl(name: str) -> str:
    return (FIXTURES / f"{name}.graphql").read_text()


def _errors(fixture: str, query: str) -> list[str]:
    schema = load_supergraph(fixture).api_schema
    return [e.message for e in validate(schema, parse(query))]


def test_subgraphs_version_and_api_schema_of_join_v03() -> None:
    sdl = _sdl("domain")
    supergraph = Supergraph.parse(sdl)
    assert supergraph.version == hashlib.sha256(sdl.encode()).hexdigest()
    assert supergraph.subgraphs["users"] == SubgraphInfo("users", "http://users.internal/graphql")
    assert sorted(supergraph.subgraphs) == ["kg", "projects", "sessions", "users"]
    printed = print_schema(supergraph.api_schema)
    assert "join__" not in printed
    assert "link" not in printed
    assert "type Project {" in printed
    assert supergraph.model.types["Project"].graphs == {"kg", "projects", "sessions"}


def test_join_v05_with_context_and_tag() -> None:
    supergraph = load_supergraph("context_v05")
    printed = print_schema(supergraph.api_schema)
    assert "context__" not in printed
    assert "@tag" not in printed
    assert "hidden" not in printed
    greeting = supergraph.model.types["Team"].fields["greeting"]
    assert greeting.graphs["a"].from_context


def test_inaccessible_elements_are_not_in_the_api_schema() -> None:
    assert _errors("override", "{ invoice(id: 1) { total } plans }") == []
    assert _errors("override", "{ invoice(id: 1) { secretNote } }")
    schema = load_supergraph("override").api_schema
    plan_enum = schema.get_type("Plan")
    assert plan_enum is not None
    assert sorted(plan_enum.values) == ["FREE", "PRO"]  # type: ignore[attr-defined]
    # still in the model: the planner may send it to the subgraph that owns it
    assert "secretNote" in load_supergraph("override").model.types["Invoice"].fields


def test_progressive_override_labels_are_collected() -> None:
    model = load_supergraph("override").model
    assert model.override_labels == {"percent(30)", "new-status"}
    currency = model.types["Invoice"].fields["currency"]
    assert currency.graphs["billing"].resolvable(frozenset({"percent(30)"}))
    assert not currency.graphs["billing"].resolvable(frozenset())
    assert currency.graphs["legacy"].resolvable(frozenset())
    assert not currency.graphs["legacy"].resolvable(frozenset({"percent(30)"}))


def test_fed1_join_v01_supergraph() -> None:
    supergraph = load_supergraph("fed1")
    model = supergraph.model
    assert sorted(supergraph.subgraphs) == ["accounts", "reviews"]
    # key fields of extended entities are owned by the extending subgraph
    assert "reviews" in model.types["User"].fields["id"].graphs
    # value types without join__type live in every subgraph
    assert model.types["Rating"].graphs == {"accounts", "reviews"}
    assert "core" not in print_schema(supergraph.api_schema)
    # join v0.1 omits the external declarations of provided fields; the model restores them
    username = model.types["User"].fields["username"].graphs
    assert sorted(username) == ["accounts", "reviews"]
    assert username["reviews"].external and not username["accounts"].external


def test_interface_objects_and_per_graph_implementations() -> None:
    for fixture in ("interface_object", "interface_object_guild"):
        model = load_supergraph(fixture).model
        account = model.types["Account"]
        assert account.interface_object_graphs == {"activity"}
        assert model.possible_types_in("Account", "accounts") == {"Admin", "Member"}
        assert model.possible_types_in("Account", "activity") == {"Account"}


def test_union_members_per_subgraph() -> None:
    model = load_supergraph("abstract").model
    assert model.possible_types_in("Asset", "library") == {"Book", "Film", "Poster"}
    assert model.possible_types_in("Asset", "ratings") == {"Book", "Song"}


def test_unsupported_execution_feature_is_refused_by_name() -> None:
    sdl = _sdl("domain").replace(
        '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
        '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
        '  @link(url: "https://specs.example.com/teleport/v1.0", for: EXECUTION)',
    )
    with pytest.raises(SupergraphError, match=r"teleport v1\.0 declared for: EXECUTION"):
        Supergraph.parse(sdl)


def test_unknown_security_feature_is_accepted() -> None:
    sdl = _sdl("domain").replace(
        '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
        '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
        '  @link(url: "https://specs.example.com/audit/v0.1", for: SECURITY)',
    )
    assert Supergraph.parse(sdl).subgraphs


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query { a: Int }", "no schema definition"),
        (
            'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }\n'
            "type Query { a: Int }",
            "no join spec",
        ),
        ("type Query {", "invalid supergraph SDL"),
    ],
)
def test_not_a_supergraph(sdl: str, message: str) -> None:
    with pytest.raises(SupergraphError, match=message):
        Supergraph.parse(sdl)


def test_unsupported_join_version() -> None:
    sdl = _sdl("domain").replace("join/v0.3", "join/v0.9")
    with pytest.raises(SupergraphError, match=r"join spec version v0\.9"):
        Supergraph.parse(sdl)


def test_renamed_join_prefix_is_followed() -> None:
    sdl = (
        _sdl("domain")
        .replace('join/v0.3", for: EXECUTION)', 'join/v0.3", as: "j", for: EXECUTION)')
        .replace("join__", "j__")
    )
    supergraph = Supergraph.parse(sdl)
    assert supergraph.model.types["User"].graphs == {"users", "projects"}
    assert "j__" not in print_schema(supergraph.api_schema)


def test_join_v02_without_per_graph_enum_values() -> None:
    sdl = _sdl("domain").replace("join/v0.3", "join/v0.2")
    sdl = "\n".join(
        line.replace(" @join__enumValue(graph: PROJECTS)", "") for line in sdl.splitlines()
    )
    model = Supergraph.parse(sdl).model
    assert model.types["Role"].enum_values_by_graph == {
        "projects": frozenset({"OWNER", "MAINTAINER", "MEMBER"})
    }
    assert model.types["Project"].graphs == {"kg", "projects", "sessions"}
