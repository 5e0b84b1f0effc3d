"""The accepted differences from `@apollo/gateway` (`accepted.toml`) and their matching."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

ACCEPTED = Path(__file__).with_name("accepted.toml")


@cache
def entries() -> tuple[dict[str, Any], ...]:
    """The listed differences; each must give its reason and the spec section."""
    listed: list[dict[str, Any]] = tomllib.loads(ACCEPTED.read_text())["difference"]
    for entry in listed:
        assert entry.get("reason") and entry.get("spec"), f"{entry.get('id')}: reason and spec"
    return tuple(listed)


def _codes(answer: dict[str, Any]) -> set[str]:
    return {(e.get("extensions") or {}).get("code") or "" for e in answer.get("errors") or ()}


def _matches(entry: dict[str, Any], apollo: dict[str, Any], ours: dict[str, Any]) -> bool:
    apollo_errors = apollo.get("errors") or []
    if "apollo_message" in entry:
        pattern = re.compile(entry["apollo_message"])
        return (
            bool(apollo_errors)
            and not ours.get("errors")
            and all(pattern.search(e.get("message", "")) for e in apollo_errors)
        )
    if entry.get("apollo_null_without_errors"):
        return apollo.get("data") is None and not apollo_errors and not ours.get("errors")
    if entry.get("apollo_nulled_without_errors"):
        return (
            not apollo_errors
            and not ours.get("errors")
            and apollo.get("data") != ours.get("data")
            and _nulled(apollo.get("data"), ours.get("data"))
        )
    if entry.get("apollo_key_order"):
        return (
            apollo.get("data") == ours.get("data") and not apollo_errors and not ours.get("errors")
        )
    extra = _codes(ours) - _codes(apollo)
    return bool(extra) and extra <= set(entry.get("our_extra_codes", ()))


def _nulled(apollo: Any, ours: Any) -> bool:
    """Whether `apollo` is `ours` with some values replaced by null."""
    if apollo is None:
        return True
    if isinstance(apollo, dict) and isinstance(ours, dict):
        return list(apollo) == list(ours) and all(_nulled(apollo[k], ours[k]) for k in apollo)
    if isinstance(apollo, list) and isinstance(ours, list):
        return len(apollo) == len(ours) and all(map(_nulled, apollo, ours))
    return bool(apollo == ours)


def accepted_reason(fixture: str, apollo: dict[str, Any], ours: dict[str, Any]) -> str | None:
    """The id of the accepted difference that explains this pair of answers, if any."""
    for entry in entries():
        if entry.get("supergraphs") and fixture not in entry["supergraphs"]:
            continue
        if _matches(entry, apollo, ours):
            return str(entry["id"])
    return None
