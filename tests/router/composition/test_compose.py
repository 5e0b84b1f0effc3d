"""Composition errors as callers see them, and edge cases the oracle corpus does not cover."""

from __future__ import annotations

import pytest

from renku_fed.router.composition import (
    CompositionError,
    CompositionFailed,
    SubgraphSource,
    compose,
)

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


def test_context_arguments_leave_the_api_for_the_join_metadata() -> None:
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", '
        'import: ["@key", "@context", "@fromContext"])\n'
        'type Query @context(name: "scope") { page: Int! item: Item! }\n'
        'type Item @key(fields: "id") { id: ID! '
        'size(page: Int @fromContext(field: "$scope { page }")): Int }'
    )
    supergraph = compose([SubgraphSource("kg", "http://kg", sdl)])
    assert '@context(name: "kg__scope")' in supergraph
    assert (
        "size: Int @join__field(graph: KG, contextArguments: "
        '[{context: "kg__scope", name: "page", type: "Int", selection: " { page }"}])'
    ) in supergraph


def test_context_misuse_is_named_with_apollo_codes() -> None:
    sdl = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", '
        'import: ["@key", "@context", "@fromContext"])\n'
        'type Query @context(name: "my_scope") { page: Int! item: Item! }\n'
        'type Item @key(fields: "id") { id: ID! '
        'size(page: Int @fromContext(field: "$nope { page }")): Int }'
    )
    with pytest.raises(CompositionFailed) as failure:
        compose([SubgraphSource("kg", "http://kg", sdl)])
    assert [str(error) for error in failure.value.errors] == [
        'CONTEXT_NAME_INVALID: [kg] Context name "my_scope" may not contain an underscore.',
        'CONTEXT_NOT_SET: [kg] Context "nope" is used at location "Item.size(page:)" but is '
        "never set.",
    ]


def test_cost_directives_are_kept_with_apollo_messages_for_misuse() -> None:
    link = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", '
        'import: ["@key", "@listSize"])\n'
    )
    sdl = link + (
        "type Query {\n"
        '  a(first: Int): [Int] @listSize(slicingArguments: ["nope"])\n'
        '  b(first: String): [Int] @listSize(slicingArguments: ["first"])\n'
        "  c: Int @listSize(assumedSize: 1)\n"
        '  f: Page @listSize(sizedFields: ["total", "missing"])\n'
        "}\n"
        "type Page { items: [Int], total: Int }"
    )
    with pytest.raises(CompositionFailed) as failure:
        compose([SubgraphSource("kg", "http://kg", sdl)])
    assert [error.message for error in failure.value.errors] == [
        '[kg] Slicing argument "nope" is not an argument of "Query.a"',
        '[kg] Slicing argument "Query.b(first:)" must be Int or Int!',
        '[kg] "Query.c" is not a list',
        '[kg] Sized field "Page.total" is not a list',
        '[kg] Sized field "missing" is not a field on type "Page"',
    ]
    valid = link + 'type Query { a(first: Int): [Int] @listSize(slicingArguments: ["first"]) }'
    supergraph = compose([SubgraphSource("kg", "http://kg", valid)])
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])' in supergraph
    assert 'a(first: Int): [Int] @listSize(slicingArguments: ["first"])' in supergraph


def test_unreachable_field_is_a_satisfiability_error_with_apollo_message() -> None:
    sources = [
        SubgraphSource(
            "a", "http://a", FED2 + 'type Query { t: T } type T @key(fields: "id") { id: ID! }'
        ),
        SubgraphSource(
            "b",
            "http://b",
            FED2 + 'type T @key(fields: "id", resolvable: false) { id: ID! x: Int }',
        ),
    ]
    with pytest.raises(CompositionFailed) as failure:
        compose(sources)
    (error,) = failure.value.errors
    assert error.code == "SATISFIABILITY_ERROR"
    assert error.message == (
        "The following supergraph API query:\n{\n  t {\n    x\n  }\n}\n"
        "cannot be satisfied by the subgraphs because:\n"
        '- from subgraph "a":\n'
        '  - cannot find field "T.x".\n'
        '  - cannot move to subgraph "b", which has field "T.x", because none of the @key defined '
        'on type "T" in subgraph "b" are resolvable (they are all declared with their "resolvable" '
        "argument set to false)."
    )


def test_a_composite_leaf_is_printed_with_an_ellipsis() -> None:
    sources = [
        SubgraphSource(
            "a", "http://a", FED2 + 'type Query { t: T } type T @key(fields: "id") { id: ID! }'
        ),
        SubgraphSource(
            "b", "http://b", FED2 + 'type T @key(fields: "upc") { upc: ID! u: U } type U { n: Int }'
        ),
    ]
    with pytest.raises(CompositionFailed) as failure:
        compose(sources)
    messages = [error.message for error in failure.value.errors]
    assert any("{\n  t {\n    u {\n      ...\n    }\n  }\n}" in m for m in messages), messages


def test_requires_that_need_each_other_are_unsatisfiable_not_endless() -> None:
    link = FED2.replace('import: ["@key"]', 'import: ["@key", "@external", "@requires"]')
    sources = [
        SubgraphSource(
            "a",
            "http://a",
            link + 'type Query { t: T } type T @key(fields: "id") '
            '{ id: ID! x: Int @external y: Int @requires(fields: "x") }',
        ),
        SubgraphSource(
            "b",
            "http://b",
            link + 'type T @key(fields: "id") { id: ID! x: Int @requires(fields: "y") '
            "y: Int @external }",
        ),
    ]
    with pytest.raises(CompositionFailed) as failure:
        compose(sources)
    assert [error.code for error in failure.value.errors] == ["SATISFIABILITY_ERROR"] * 2
    assert 'cannot satisfy @require conditions on field "T.x"' in failure.value.errors[0].message
