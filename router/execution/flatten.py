"""Flatten traversal: the merged objects a Flatten path reaches, and their concrete paths."""

from __future__ import annotations

from typing import Any, TypeAlias

from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.nodes import FieldKey, ListItems, ResponsePath, TypeCondition

ConcretePath: TypeAlias = tuple[str | int, ...]


def reach(data: dict[str, Any], path: ResponsePath, types: TypeIndex) -> list[dict[str, Any]]:
    """Every object at `path` in document order; nulls, missing keys and filtered types dropped.

    One level of the path at a time over flat lists: lists are fanned out wherever they meet
    the path, so `@` and nested lists are one rule.
    """
    level = [data]
    for segment in path:
        if isinstance(segment, FieldKey):
            key = segment.key
            found: list[dict[str, Any]] = []
            for obj in level:
                value = obj.get(key)
                if type(value) is dict:
                    found.append(value)
                elif type(value) is list:
                    _fan_out(value, found)
            level = found
        elif isinstance(segment, TypeCondition):
            names = segment.names
            level = [
                obj
                for obj in level
                if isinstance(name := obj.get("__typename"), str)
                and types.satisfies_any(name, names)
            ]
    return level


def _fan_out(items: list[Any], found: list[dict[str, Any]]) -> None:
    for item in items:
        if type(item) is dict:
            found.append(item)
        elif type(item) is list:
            _fan_out(item, found)


def concrete_paths(
    data: dict[str, Any], path: ResponsePath, types: TypeIndex
) -> dict[int, ConcretePath]:
    """The concrete path of every object `reach` finds, by the object's identity (for errors)."""
    found: dict[int, ConcretePath] = {}
    _walk(data, (), path, 0, types, found)
    return found


def _walk(
    value: Any,
    here: ConcretePath,
    path: ResponsePath,
    depth: int,
    types: TypeIndex,
    found: dict[int, ConcretePath],
) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, (*here, index), path, depth, types, found)
        return
    if not isinstance(value, dict):
        return
    if depth == len(path):
        found[id(value)] = here
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
