"""Input and output rewrites: set `__typename` values and rename aliased keys in place."""

from __future__ import annotations

from typing import Any

from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.nodes import (
    KeyRenamer,
    Rewrite,
    RewriteStep,
    TypenameEquals,
    ValueSetter,
)


def apply_rewrites(
    value: Any, rewrites: tuple[Rewrite, ...], types: TypeIndex, typename: str | None = None
) -> None:
    """Apply every rewrite to `value` (an object, or a list of them), mutating it.

    `typename` stands for the `__typename` of `value` itself when it has none (an entity
    whose fetch did not select it): its type is the one of the object it merges into.
    """
    for rewrite in rewrites:
        if rewrite.path:
            _apply(value, rewrite, rewrite.path, types, typename)


def _apply(
    value: Any,
    rewrite: Rewrite,
    steps: tuple[RewriteStep, ...],
    types: TypeIndex,
    fallback: str | None = None,
) -> None:
    if isinstance(value, list):
        for item in value:
            _apply(item, rewrite, steps, types)
        return
    if not isinstance(value, dict):
        return
    step, rest = steps[0], steps[1:]
    if isinstance(step, TypenameEquals):
        typename = value.get("__typename", fallback)
        if isinstance(typename, str) and types.satisfies(typename, step.type_name) and rest:
            _apply(value, rewrite, rest, types, fallback)
        return
    if rest:
        if step.key in value:
            _apply(value[step.key], rewrite, rest, types)
        return
    if isinstance(rewrite, ValueSetter):
        value[step.key] = rewrite.value
    elif isinstance(rewrite, KeyRenamer) and step.key in value:
        value[rewrite.rename_to] = value.pop(step.key)
