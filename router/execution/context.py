"""Contextual argument values (`@fromContext`): the objects of an entity fetch grouped by the
values their nearest context-setting ancestors give, one subgraph request per group.
"""

from __future__ import annotations

from typing import Any

import orjson

from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.nodes import (
    ContextInput,
    FieldKey,
    ListItems,
    ResponsePath,
    TypeCondition,
)

_Reached = list[tuple[dict[str, Any], dict[str, Any]]]


def context_groups(
    inputs: tuple[ContextInput, ...], data: dict[str, Any], path: ResponsePath, types: TypeIndex
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(variables, objects) per distinct set of context values, objects in document order, as
    `flatten.reach` finds them.
    """
    level: _Reached = [(data, _capture(inputs, 0, data, dict.fromkeys(i.variable for i in inputs)))]
    steps = 0
    for segment in path:
        if isinstance(segment, FieldKey):
            steps += 1
            level = _step(level, segment.key)
        elif isinstance(segment, ListItems):
            steps += 1
        elif isinstance(segment, TypeCondition):
            level = [
                (obj, values)
                for obj, values in level
                if isinstance(name := obj.get("__typename"), str)
                and types.satisfies_any(name, segment.names)
            ]
            continue
        level = [(obj, _capture(inputs, steps, obj, values)) for obj, values in level]
    groups: dict[bytes, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for obj, values in level:
        key = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
        groups.setdefault(key, (values, []))[1].append(obj)
    return list(groups.values())


def _step(level: _Reached, key: str) -> _Reached:
    found: _Reached = []
    for obj, values in level:
        value = obj.get(key)
        if type(value) is dict:
            found.append((value, values))
        elif type(value) is list:
            stack = list(reversed(value))
            while stack:
                item = stack.pop()
                if type(item) is dict:
                    found.append((item, values))
                elif type(item) is list:
                    stack.extend(reversed(item))
    return found


def _capture(
    inputs: tuple[ContextInput, ...], steps: int, obj: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """`values` with the inputs whose ancestor is `obj` (at `steps`) read from it."""
    here = [i for i in inputs if i.ancestor == steps]
    if not here:
        return values
    values = dict(values)
    for item in here:
        value: Any = obj
        for name in item.path:
            value = value.get(name) if isinstance(value, dict) else None
        values[item.variable] = value
    return values
