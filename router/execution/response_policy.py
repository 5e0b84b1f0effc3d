"""What the router does with subgraph values that do not fit the API schema (README, "Errors")."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLScalarType

# The Python types a JSON value of each built-in scalar may have; None is a valid null here
# (non-null positions are checked apart). Custom scalars are passed as the subgraph sent them.
_BUILT_IN: dict[str, frozenset[type]] = {
    "Int": frozenset({int, type(None)}),
    "Float": frozenset({int, float, type(None)}),
    "String": frozenset({str, type(None)}),
    "Boolean": frozenset({bool, type(None)}),
    "ID": frozenset({str, int, type(None)}),
}


class ResponseValidation(StrEnum):
    """How value-completion problems in subgraph answers are reported.

    Both modes null the value and propagate the null to the nearest nullable parent; they differ
    in where the problem is told: `strict` adds a RESPONSE_VALIDATION_FAILED error at its path,
    `apollo` (as `@apollo/gateway` does) lists it under `extensions.valueCompletion` when the
    response has no other error, and drops it when it has one.
    """

    STRICT = "strict"
    APOLLO = "apollo"


def scalar_types(type_: GraphQLScalarType) -> frozenset[type] | None:
    """The JSON value types a built-in scalar accepts; None for a custom scalar (any value)."""
    return _BUILT_IN.get(type_.name)


def fits_scalar(type_: GraphQLScalarType, value: Any) -> bool:
    """Whether `value` is a valid serialized value of the scalar (custom scalars: any value)."""
    accepted = _BUILT_IN.get(type_.name)
    return accepted is None or type(value) in accepted


def completion_extensions(
    mode: ResponseValidation, errors: list[dict[str, Any]], problems: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The response's `extensions` for value-completion `problems` in `apollo` mode."""
    if mode is ResponseValidation.APOLLO and problems and not errors:
        return {"valueCompletion": problems}
    return None
