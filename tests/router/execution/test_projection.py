"""Response projection: the client's exact selection, `__typename`, null propagation, enums."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, validate

from renku_fed.router.execution import OperationProjector, TypeIndex

SCHEMA = build_schema(
    """
    type Query {
      me: User
      users: [User!]!
      maybeUsers: [User]
      strictUser: User!
      search: [SearchResult!]!
      node: Node
    }
    interface Node { id: ID! }
    type User implements Node { id: ID! name: String username: String! role: Role friends: [User!] }
    type Product implements Node { id: ID! upc: String! }
    union SearchResult = User | Product
    enum Role { ADMIN MEMBER }
    """
)
TYPES = TypeIndex(SCHEMA)


def project(
    query: str,
    data: dict[str, Any],
    variables: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    document = parse(query)
    assert validate(SCHEMA, document) == []
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    projector = OperationProjector(SCHEMA, document, operation, TYPES)
    errors = list(errors or [])
    return projector.project(data, errors, variables or {}), errors


def test_exact_selection_in_request_order_without_helper_fields() -> None:
    data = {
        "me": {"__typename": "User", "renamed": "ann", "id": "1", "name": "Ann", "extra": 1},
        "users": [],
    }

    result, errors = project("{ me { name id renamed: username } }", data)

    assert result is not None
    assert list(result["me"].items()) == [("name", "Ann"), ("id", "1"), ("renamed", "ann")]
    assert list(result) == ["me"]
    assert errors == []


def test_typename_is_computed_everywhere() -> None:
    data = {
        "me": {"id": "1"},
        "search": [{"__typename": "Product", "id": "p", "upc": "9"}],
        "node": {"__typename": "User", "id": "u"},
    }

    result, errors = project(
        "{ __typename me { __typename } search { __typename } node { t: __typename id } }", data
    )

    assert result == {
        "__typename": "Query",
        "me": {"__typename": "User"},
        "search": [{"__typename": "Product"}],
        "node": {"t": "User", "id": "u"},
    }
    assert errors == []


def test_fragments_apply_by_runtime_type() -> None:
    data = {
        "search": [
            {"__typename": "User", "id": "u", "name": "Ann", "upc": "leak"},
            {"__typename": "Product", "id": "p", "upc": "9", "name": "leak"},
        ]
    }
    query = """
      query { search { ... on Node { id } ... on User { name } ...P } }
      fragment P on Product { upc }
    """

    result, _ = project(query, data)

    assert result == {"search": [{"id": "u", "name": "Ann"}, {"id": "p", "upc": "9"}]}


def test_skip_and_include_with_variables() -> None:
    data = {"me": {"id": "1", "name": "Ann", "username": "ann"}}
    query = """query($a: Boolean!, $b: Boolean!) {
      me { id @skip(if: $a) name @include(if: $b) ... @include(if: $a) { username } }
    }"""

    first, _ = project(query, data, {"a": True, "b": False})
    second, _ = project(query, data, {"a": False, "b": True})

    assert first == {"me": {"username": "ann"}}
    assert second == {"me": {"id": "1", "name": "Ann"}}


def test_null_bubbles_to_the_nearest_nullable_parent() -> None:
    data = {"me": {"id": "1", "friends": [{"id": "2", "username": None}]}}

    result, errors = project("{ me { id friends { id username } } }", data)

    assert result == {"me": {"id": "1", "friends": None}}
    assert errors == [
        {
            "message": "Cannot return null for non-nullable field User.username.",
            "path": ["me", "friends", 0, "username"],
            "extensions": {"code": "RESPONSE_VALIDATION_FAILED"},
        }
    ]


def test_null_item_of_nullable_list_stays_null() -> None:
    result, errors = project("{ maybeUsers { id } }", {"maybeUsers": [None, {"id": "1"}]})

    assert result == {"maybeUsers": [None, {"id": "1"}]}
    assert errors == []


def test_null_reaching_the_root_nulls_data() -> None:
    result, errors = project("{ me { id } strictUser { id } }", {"me": {"id": "1"}})

    assert result is None
    assert errors == [
        {
            "message": "Cannot return null for non-nullable field Query.strictUser.",
            "path": ["strictUser"],
            "extensions": {"code": "RESPONSE_VALIDATION_FAILED"},
        }
    ]


def test_existing_error_covers_the_null() -> None:
    subgraph_error = {"message": "reviews is down", "path": ["users"], "extensions": {}}

    result, errors = project(
        "{ users { id name } }",
        {"users": [{"id": "1"}, {"name": "no id"}]},
        errors=[subgraph_error],
    )

    assert result is None
    assert errors == [subgraph_error]


def test_invalid_enum_value_becomes_null_with_error() -> None:
    data = {"users": [{"role": "ADMIN"}, {"role": "ANONYMOUS"}]}

    result, errors = project("{ users { role } }", data)

    assert result == {"users": [{"role": "ADMIN"}, {"role": None}]}
    assert len(errors) == 1
    assert errors[0]["path"] == ["users", 1, "role"]
    assert "ANONYMOUS" in errors[0]["message"]


def test_object_of_a_type_hidden_from_the_api_becomes_null() -> None:
    data = {"search": [{"__typename": "Secret", "id": "s"}], "node": {"__typename": "Secret"}}

    result, errors = project("{ node { id } }", data)
    in_non_null_list, _ = project("{ search { __typename } }", data)

    assert result == {"node": None}
    assert [e["path"] for e in errors] == [["node"]]
    assert "Secret" in errors[0]["message"]
    assert in_non_null_list is None


def test_typename_never_answers_an_interface_name() -> None:
    # the fetch that would have told the real type failed: only the interface object's view
    # of the value (or none at all) is in the data
    subgraph_error = {"message": "accounts is down", "path": ["node"], "extensions": {}}
    data = {"node": {"__typename": "Node", "id": "1"}}

    covered, errors = project("{ node { id __typename } }", data, errors=[subgraph_error])
    uncovered, new_errors = project("{ node { kind: __typename } }", {"node": {"id": "1"}})

    assert covered == {"node": None}
    assert errors == [subgraph_error]
    assert uncovered == {"node": None}
    assert [e["path"] for e in new_errors] == [["node", "kind"]]


def test_missing_object_is_null_and_aliases_are_independent() -> None:
    data = {"a": {"id": "1"}, "b": None}

    result, errors = project("{ a: me { id } b: me { name } c: me { id } }", data)

    assert result == {"a": {"id": "1"}, "b": None, "c": None}
    assert errors == []


@pytest.mark.parametrize("with_variables", [False, True])
def test_introspection_is_answered_from_the_api_schema(with_variables: bool) -> None:
    query = """query($name: String!) {
      __schema { queryType { name } }
      me { id }
      t: __type(name: $name) { name kind }
    }"""
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    projector = OperationProjector(SCHEMA, document, operation, TYPES)
    variables = {"name": "Role"}

    data, errors = projector.introspect(variables, variables if with_variables else {})
    data["me"] = {"id": "1"}
    result = projector.project(data, errors, variables)

    if with_variables:
        assert list(result.items()) == [
            ("__schema", {"queryType": {"name": "Query"}}),
            ("me", {"id": "1"}),
            ("t", {"name": "Role", "kind": "ENUM"}),
        ]
        assert errors == []
    else:
        assert errors and "name" in errors[0]["message"]


def test_no_introspection_document_when_none_is_asked() -> None:
    document = parse("{ me { id } }")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    projector = OperationProjector(SCHEMA, document, operation, TYPES)

    assert projector.introspection_document({}) is None
    assert projector.introspect({}, {}) == ({}, [])
