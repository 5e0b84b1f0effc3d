"""Flatten traversal: the merged objects a Flatten path reaches, with their concrete paths."""

from __future__ import annotations

from typing import Any, TypeAlias

from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.nodes import FieldKey, ListItems, ResponsePath, TypeCondition

ConcretePath: TypeAlias = tuple[str | int, ...]
Reached: TypeAlias = list[tuple[dict[str, Any], ConcretePath]]


def reach(data: dict[str, Any], path: ResponsePath, types: TypeIndex) -> Reached:
    """Every object at `path` in document order; nulls, missing keys and filtered types dropped."""
    found: Reached = []
    _walk(data, (), path, 0, types, found)
    return found


def _walk(
    value: Any,
    here: ConcretePath,
    path: ResponsePath,
    depth: int,
    types: TypeIndex,
    found: Reached,
) -> None:
    if value is None:
        return
    if isinstance(value, list):
        # Lists are fanned out wherever they meet the path, so `@` and nested lists are one rule.
        for index, item in enumerate(value):
            _walk(item, (*here, index), path, depth, types, found)
        return
    if not isinstance(value, dict):
        return
    if depth == len(path):
        found.append((value, here))
        return
    segment = path[depth]
    if isinstance(segment, FieldKey):
        if segment.key in value:
            _walk(value[segment.key], (*here, segment.key), path, depth + 1, types, found)
    elif isinstance(segment, ListItems):
        _walk(value, here, path, depth + 1, types, found)
    elif isinstance(segment, TypeCondition):
        typename = value.get("__typename")
        if isinstance(typename, str) and types.satisfies_any(typename, segment.names):
            _walk(value, here, path, depth + 1, types, found)


def hoisted_path(path: ResponsePath) -> list[str | int]:
    """The client path of a Flatten, cut before its first list so one error is not multiplied."""
    keys: list[str | int] = []
    for segment in path:
        if isinstance(segment, ListItems):
            break
        if isinstance(segment, FieldKey):
            keys.append(segment.key)
    return keys
