"""Mutable selection trees that fetch steps accumulate, and their GraphQL text."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ArgumentNode, VariableNode, print_ast

from router.planning import nodes

INTERNAL_ALIAS = "_internal_qp_alias_"


class SelField:
    """A field in a subgraph selection; `alias` is set when it differs from the name."""

    __slots__ = ("alias", "args", "name", "sub")

    def __init__(self, name: str, alias: str | None, args: tuple[ArgumentNode, ...]) -> None:
        self.name = name
        self.alias = alias
        self.args = args
        self.sub = SelSet()

    @property
    def key(self) -> str:
        """The response key of this field."""
        return self.alias or self.name

    def signature(self) -> tuple[str, str]:
        """Name and printed arguments, which fields sharing a response key must agree on."""
        return self.name, ",".join(print_ast(a) for a in self.args)


class SelSet:
    """An ordered selection set: fields by response key, then inline fragments by type."""

    __slots__ = ("fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, SelField] = {}
        self.fragments: dict[str, SelSet] = {}

    def is_empty(self) -> bool:
        """Whether nothing is selected."""
        return not self.fields and not self.fragments

    def field(
        self, name: str, alias: str | None = None, args: tuple[ArgumentNode, ...] = ()
    ) -> SelField:
        """Add (or find) a field; a clashing response key gets an internal alias."""
        candidate = SelField(name, alias if alias != name else None, args)
        existing = self.fields.get(candidate.key)
        if existing is None:
            self.fields[candidate.key] = candidate
            return candidate
        if existing.signature() == candidate.signature():
            return existing
        for other in self.fields.values():
            if other.key.startswith(INTERNAL_ALIAS) and other.signature() == candidate.signature():
                return other
        index = sum(1 for k in self.fields if k.startswith(INTERNAL_ALIAS))
        candidate.alias = f"{INTERNAL_ALIAS}{index}"
        self.fields[candidate.alias] = candidate
        return candidate

    def fragment(self, type_name: str) -> SelSet:
        """The inline fragment on `type_name` (created on first use)."""
        return self.fragments.setdefault(type_name, SelSet())

    def typename(self) -> None:
        """Select `__typename`."""
        self.field("__typename")

    def variables(self) -> Iterator[str]:
        """Names of variables used in arguments, in document order."""
        for field in self.fields.values():
            for arg in field.args:
                yield from _variables(arg)
            yield from field.sub.variables()
        for sub in self.fragments.values():
            yield from sub.variables()

    def compact(self) -> str:
        """Minified GraphQL text of this selection set, braces included."""
        parts: list[str] = []
        for field in self.fields.values():
            text = f"{field.alias}:{field.name}" if field.alias else field.name
            if field.args:
                text += "(" + ",".join(print_ast(a) for a in field.args) + ")"
            if not field.sub.is_empty():
                text += field.sub.compact()
            parts.append(text)
        parts.extend(f"...on {t}{s.compact()}" for t, s in self.fragments.items())
        return "{" + " ".join(parts) + "}"

    def to_nodes(self) -> tuple[nodes.Selection, ...]:
        """The selection as plan data; `alias` is the key to read in the merged data."""
        result: list[nodes.Selection] = [
            nodes.SelectedField(f.name, f.alias, f.sub.to_nodes()) for f in self.fields.values()
        ]
        result.extend(nodes.SelectedFragment(t, s.to_nodes()) for t, s in self.fragments.items())
        return tuple(result)


def _variables(node: object) -> Iterator[str]:
    if isinstance(node, VariableNode):
        yield node.name.value
        return
    for attr in ("value", "values", "fields"):
        child = getattr(node, attr, None)
        if isinstance(child, tuple | list):
            for item in child:
                yield from _variables(item)
        elif child is not None and not isinstance(child, str | bool):
            yield from _variables(child)
