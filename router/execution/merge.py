"""Deep merge of subgraph results into the response being built."""

from __future__ import annotations

from typing import Any


def deep_merge(target: dict[str, Any], source: dict[str, Any], abstract: frozenset[str]) -> None:
    """Merge `source` into `target` key-wise; a null never overwrites, lists merge item-wise.

    `abstract` names the interfaces and unions: a concrete `__typename` already in `target` is
    kept when the source only knows the abstract name (an interface object's view).
    """
    for key, value in source.items():
        if key not in target:
            target[key] = value
            continue
        current = target[key]
        if value is None:
            continue
        if isinstance(current, dict) and isinstance(value, dict):
            deep_merge(current, value, abstract)
        elif isinstance(current, list) and isinstance(value, list):
            _merge_lists(current, value, abstract)
        elif key == "__typename" and value in abstract and current not in abstract:
            continue
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any], abstract: frozenset[str]) -> None:
    for index, value in enumerate(source):
        if index >= len(target):
            target.append(value)
            continue
        current = target[index]
        if value is None:
            continue
        if isinstance(current, dict) and isinstance(value, dict):
            deep_merge(current, value, abstract)
        elif isinstance(current, list) and isinstance(value, list):
            _merge_lists(current, value, abstract)
        else:
            target[index] = value


def copy_json(value: Any) -> Any:
    """A deep copy of decoded JSON (dicts, lists and scalars), cheaper than `copy.deepcopy`."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value
