"""Composition errors as callers see them, and edge cases the oracle corpus does not cover."""

from __future__ import annotations

import pytest

from router.composition import CompositionError, CompositionFailed, SubgraphSource, compose

FED2 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'


def test_failure_lists_every_error_one_per_line() -> None:
    sources = [
        SubgraphSource("a", "http://a", FED2 + "type Query { me: User } type User { id: ID }"),
        SubgraphSource("b", "http://b", FED2 + "type Query { me: User } type User { id: ID }"),
    ]
    with pytest.raises(CompositionFailed) as failure:
        compose(sources)
    assert [error.code for error in failure.value.errors] == [
        "INVALID_FIELD_SHARING",
        "INVALID_FIELD_SHARING",
    ]
    lines = str(failure.value).splitlines()
    assert lines[0] == (
        'INVALID_FIELD_SHARING: Non-shareable field "Query.me" is resolved from multiple '
        'subgraphs: it is resolved from subgraphs "a" and "b" and defined as non-shareable in '
        "all of them"
    )
    assert lines[1].startswith('INVALID_FIELD_SHARING: Non-shareable field "User.id"')


def test_invalid_graphql_names_the_subgraph() -> None:
    with pytest.raises(CompositionFailed) as failure:
        compose([SubgraphSource("users", "http://users", "type Query {")])
    (error,) = failure.value.errors
    assert error.code == "INVALID_GRAPHQL"
    assert error.message.startswith("[users] Syntax Error")


def test_a_subgraph_given_twice_is_refused() -> None:
    source = SubgraphSource("users", "http://users", FED2 + "type Query { a: Int }")
    with pytest.raises(CompositionFailed) as failure:
        compose([source, source])
    assert failure.value.errors == (
        CompositionError("INVALID_SUBGRAPH_NAME", 'A subgraph named "users" is given twice'),
    )


def test_federation_prefixed_directives_without_import() -> None:
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: [])\n'
        'type Query { t: T } type T @federation__key(fields: "id") { id: ID! }'
    )
    supergraph = compose([SubgraphSource("a", "http://a", sdl)])
    assert '@join__type(graph: A, key: "id")' in supergraph
    assert "join/v0.3" in supergraph


def test_federation_features_not_composed_yet_are_named() -> None:
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", '
        'import: ["@key", "@cost"])\n'
        "type Query { expensive: Int @cost(weight: 10) }"
    )
    with pytest.raises(CompositionFailed) as failure:
        compose([SubgraphSource("kg", "http://kg", sdl)])
    (error,) = failure.value.errors
    assert error.code == "UNSUPPORTED_FEATURE"
    assert error.message.startswith('[kg] Directive "@cost" is valid federation')
