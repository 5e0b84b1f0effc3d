"""Mutable selection trees that fetch steps accumulate, and their GraphQL text."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ArgumentNode, VariableNode, print_ast

from renku_fed.router.planning import nodes
from renku_fed.router.planning.nodes import ResponsePath
from renku_fed.router.planning.operation import Condition

INTERNAL_ALIAS = "_internal_qp_alias_"


class SelField:
    """A field in a subgraph selection; `alias` is set when it differs from the name, and
    `conditions` print as the `@skip`/`@include` the subgraph evaluates.
    """

    __slots__ = ("alias", "args", "conditions", "name", "sub")

    def __init__(
        self,
        name: str,
        alias: str | None,
        args: tuple[ArgumentNode, ...],
        conditions: tuple[Condition, ...] = (),
    ) -> None:
        self.name = name
        self.alias = alias
        self.args = args
        self.conditions = conditions
        self.sub = SelSet()

    @property
    def key(self) -> str:
        """The response key of this field."""
        return self.alias or self.name


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
        self,
        name: str,
        key: str | None = None,
        args: tuple[ArgumentNode, ...] = (),
        conditions: tuple[Condition, ...] = (),
    ) -> SelField:
        """Add (or find) the field selected under the response key `key` (default: `name`);
        selected again under other conditions, it is selected unconditionally.
        """
        candidate = SelField(name, key if key != name else None, args, conditions)
        found = self.fields.setdefault(candidate.key, candidate)
        if found.conditions != conditions:
            found.conditions = ()
        return found

    def accepts(self, other: SelSet) -> bool:
        """Whether `other` can merge in without one field name read from two keys."""
        for fields_a, fields_b in _pairs(self, other):
            names = {f.name: f.key for f in fields_a.fields.values()}
            for f in fields_b.fields.values():
                if names.get(f.name, f.key) != f.key:
                    return False
        return True

    def merge(self, other: SelSet) -> None:
        """Add every selection of `other`."""
        for f in other.fields.values():
            self.field(f.name, f.key, f.args, f.conditions).sub.merge(f.sub)
        for type_name, sub in other.fragments.items():
            self.fragment(type_name).merge(sub)

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
            yield from (variable for variable, _ in field.conditions)
            yield from field.sub.variables()
        for sub in self.fragments.values():
            yield from sub.variables()

    def compact(self) -> str:
        """Minified GraphQL text of this selection set, braces included."""
        parts: list[str] = []
        for field in self.fields.values():
            text = f"{field.alias}:{field.name}" if field.alias else field.name
            if field.args:
                text += "(" + ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in field.args)
                text += ")"
            for variable, included in field.conditions:
                text += f"@{'include' if included else 'skip'}(if:${variable})"
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


def _pairs(a: SelSet, b: SelSet) -> Iterator[tuple[SelSet, SelSet]]:
    yield a, b
    for key, field in b.fields.items():
        if key in a.fields:
            yield from _pairs(a.fields[key].sub, field.sub)
    for type_name, sub in b.fragments.items():
        if type_name in a.fragments:
            yield from _pairs(a.fragments[type_name], sub)


class ResponseKeys:
    """Response keys per logical object across every fetch, so that two different fields
    (same name, other arguments) never land under one key of the merged data.
    """

    def __init__(self) -> None:
        self._keys: dict[tuple[str, ...], dict[str, tuple[str, str]]] = {}
        self._count = 0

    def choose(
        self, path: ResponsePath, name: str, wanted: str, args: tuple[ArgumentNode, ...]
    ) -> str:
        """The key to select `name(args)` under: `wanted` unless another field holds it."""
        keys = self._keys.setdefault(logical_path(path), {})
        signature = (name, _printed(args))
        if keys.get(wanted, signature) == signature:
            keys[wanted] = signature
            return wanted
        for key, other in keys.items():
            if other == signature and key.startswith(INTERNAL_ALIAS):
                return key
        key = f"{INTERNAL_ALIAS}{self._count}"
        self._count += 1
        keys[key] = signature
        return key

    def alias(
        self, path: ResponsePath, name: str, args: tuple[ArgumentNode, ...], variant: str
    ) -> str:
        """A fresh internal alias for `name(args)` in one of its `variant`s (such as a type)."""
        keys = self._keys.setdefault(logical_path(path), {})
        key = f"{INTERNAL_ALIAS}{self._count}"
        self._count += 1
        keys[key] = (name, _printed(args) + "|" + variant)
        return key

    def find(self, path: ResponsePath, name: str, args: tuple[ArgumentNode, ...]) -> str:
        """The key `name(args)` was selected under at `path` (the name when never aliased)."""
        keys = self._keys.get(logical_path(path), {})
        signature = (name, _printed(args))
        if keys.get(name) == signature:
            return name
        return next((k for k, s in keys.items() if s == signature), name)


def logical_path(path: ResponsePath) -> tuple[str, ...]:
    """The response keys of a path, ignoring list and type-condition segments."""
    return tuple(s.key for s in path if isinstance(s, nodes.FieldKey))


def _printed(args: tuple[ArgumentNode, ...]) -> str:
    return ",".join(print_ast(a) for a in args)


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
