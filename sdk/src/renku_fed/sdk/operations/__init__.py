"""The SDK's GraphQL operations: one `.graphql` file each, fragments in `fragments.graphql`."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_FRAGMENT = re.compile(r"^fragment (\w+) on ", re.MULTILINE)
_SPREAD = re.compile(r"\.\.\.\s*(\w+)")


def _read(name: str) -> str:
    return (resources.files(__name__) / f"{name}.graphql").read_text()


@cache
def fragments() -> dict[str, str]:
    """Every fragment definition of `fragments.graphql`, by name."""
    text = _read("fragments")
    starts = [(m.group(1), m.start()) for m in _FRAGMENT.finditer(text)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {name: text[start:end].strip() for (name, start), end in zip(starts, ends, strict=True)}


def operation_names() -> list[str]:
    """The names of every operation the SDK sends."""
    files = resources.files(__name__).iterdir()
    names = (f.name.removesuffix(".graphql") for f in files if f.name.endswith(".graphql"))
    return sorted(name for name in names if name != "fragments")


@cache
def document(name: str) -> str:
    """The operation `name` with the fragments it uses, ready to send."""
    text = _read(name).strip()
    known = fragments()
    needed: list[str] = []
    pending = _SPREAD.findall(text)
    while pending:
        spread = pending.pop()
        if spread in known and spread not in needed:
            needed.append(spread)
            pending += _SPREAD.findall(known[spread])
    return "\n\n".join([text, *(known[n] for n in sorted(needed))]) + "\n"
