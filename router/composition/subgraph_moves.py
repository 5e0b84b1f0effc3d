"""Where a subgraph's answer can go next: fields it resolves in place, and key moves to others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from renku_fed.router.composition.fieldsets import parse_field_set
from renku_fed.router.composition.subgraph import Field, Kind, NamedType, Subgraph

ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})

Provided = tuple[tuple[str, "Provided"], ...]
"""Fields a `@provides` makes resolvable at a position, each with its own provided children."""


@dataclass(frozen=True)
class Head:
    """A position in one subgraph's answer: the subgraph, the type there and what is provided."""

    subgraph: str
    type: str
    provided: Provided = ()


def provided_tree(selection: SelectionSetNode | None) -> Provided:
    """The provided fields of a `@provides` selection (fragments flattened into their parent)."""
    if selection is None:
        return ()
    tree: list[tuple[str, Provided]] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            tree.append((node.name.value, provided_tree(node.selection_set)))
        elif isinstance(node, InlineFragmentNode):
            tree.extend(provided_tree(node.selection_set))
    return tuple(tree)


def provided_child(provided: Provided, name: str) -> Provided | None:
    """The provided children of field `name`, or None when `name` is not provided."""
    children = [child for field_name, child in provided if field_name == name]
    return tuple(item for child in children for item in child) if children else None


class SubgraphMoves:
    """Field resolution and entity moves over the subgraphs of one composition."""

    def __init__(self, subgraphs: Sequence[Subgraph], implementations: dict[str, set[str]]):
        self.subgraphs = {subgraph.name: subgraph for subgraph in subgraphs}
        self.implementations = implementations
        self.overridden = {
            (field.override_from, named.name, field.name)
            for subgraph in subgraphs
            for named in subgraph.types.values()
            for field in named.fields.values()
            if field.override_from and field.override_label is None
        }
        self.resolving: set[tuple[str, str, str]] = set()
        self.collecting: set[tuple[str, str]] = set()

    def named(self, head: Head) -> NamedType | None:
        """The type of a position, as its subgraph defines it."""
        return self.subgraphs[head.subgraph].types.get(head.type)

    def key_fields(self, subgraph: Subgraph, type_name: str) -> set[str]:
        """Top-level fields of the keys of `type_name` in `subgraph`."""
        named = subgraph.types.get(type_name)
        selections = [parse_field_set(key.fields) for key in named.keys] if named else []
        return {
            node.name.value
            for selection in selections
            if selection is not None
            for node in selection.selections
            if isinstance(node, FieldNode)
        }

    def local_field(self, head: Head, name: str) -> tuple[Field, Provided] | None:
        """Field `name` when the position's subgraph can select it itself, with what it provides."""
        subgraph = self.subgraphs[head.subgraph]
        field = subgraph.field(head.type, name)
        if field is None:
            return None
        provided = provided_child(head.provided, name)
        if field.external and provided is None and name not in self.key_fields(subgraph, head.type):
            return None
        if field.provides:
            provided = provided_tree(parse_field_set(field.provides))
        return field, provided or ()

    def local_select(self, head: Head, selection: SelectionSetNode | None) -> bool:
        """Whether the position's subgraph can select a field set on its own (a key's fields)."""
        if selection is None:
            return False
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                inner = node.type_condition.name.value if node.type_condition else head.type
                if not self.local_select(Head(head.subgraph, inner), node.selection_set):
                    return False
            elif isinstance(node, FieldNode) and node.name.value != "__typename":
                found = self.local_field(head, node.name.value)
                if found is None:
                    return False
                child = Head(head.subgraph, found[0].type.base, found[1])
                if node.selection_set is not None and not self.local_select(
                    child, node.selection_set
                ):
                    return False
        return True

    def targets(self, subgraph: Subgraph, type_name: str) -> list[NamedType]:
        """Types of `subgraph` an entity of `type_name` can enter: itself or interface objects."""
        found = [subgraph.types[type_name]] if type_name in subgraph.types else []
        for interface, implementations in self.implementations.items():
            named = subgraph.types.get(interface)
            if named is not None and named.interface_object and type_name in implementations:
                found.append(named)
        return found

    def entry(self, head: Head, subgraph: Subgraph) -> list[Head]:
        """Positions of `subgraph` that a key selected at `head` enters."""
        if head.type in ROOT_TYPES:
            return [Head(subgraph.name, head.type)] if head.type in subgraph.types else []
        return [
            Head(subgraph.name, target.name)
            for target in self.targets(subgraph, head.type)
            if target.kind in (Kind.OBJECT, Kind.INTERFACE)
            and any(key.resolvable and self.can_key(head, key.fields) for key in target.keys)
        ]

    def can_key(self, head: Head, fields: str) -> bool:
        """Whether a key's fields can be collected at `head`: in place, or through other moves."""
        selection = parse_field_set(fields)
        if self.local_select(head, selection):
            return True
        marker = (head.subgraph, head.type)
        if marker in self.collecting:
            return False
        self.collecting.add(marker)
        try:
            return self.reachable_select(head, selection)
        finally:
            self.collecting.discard(marker)

    def jumps(self, head: Head) -> list[Head]:
        """Every position of another subgraph reachable from `head` through keys, in any steps."""
        seen = {head.subgraph}
        found: list[Head] = []
        frontier = [head]
        while frontier:
            current = frontier.pop()
            for subgraph in self.subgraphs.values():
                if subgraph.name in seen:
                    continue
                entered = self.entry(current, subgraph)
                if entered:
                    seen.add(subgraph.name)
                    found.extend(entered)
                    frontier.extend(entered)
        return found

    def resolve(self, head: Head, name: str) -> Head | None:
        """The position a field leads to when the head's subgraph resolves it in place."""
        found = self.local_field(head, name)
        if found is None or (head.subgraph, head.type, name) in self.overridden:
            return None
        field, provided = found
        marker = (head.subgraph, head.type, name)
        if field.requires and marker not in self.resolving:
            self.resolving.add(marker)
            try:
                if not self.reachable_select(head, parse_field_set(field.requires)):
                    return None
            finally:
                self.resolving.discard(marker)
        elif field.requires:
            return None
        return Head(head.subgraph, field.type.base, provided)

    def advance(self, head: Head, name: str) -> list[Head] | None:
        """Every position field `name` leads to from `head`: in place or after key moves.

        None when the head is an interface without the field and without implementations in its
        subgraph: that subgraph never returns a value the field could be asked of.
        """
        named = self.named(head)
        if named is not None and named.kind is Kind.INTERFACE and name not in named.fields:
            return self.advance_implementations(head, name)
        found = [self.resolve(head, name)]
        found.extend(self.resolve(other, name) for other in self.jumps(head))
        return [position for position in found if position is not None]

    def advance_implementations(self, head: Head, name: str) -> list[Head] | None:
        """An interface field its subgraph lacks, asked of each implementation there."""
        subgraph = self.subgraphs[head.subgraph]
        implementations = [
            Head(head.subgraph, named.name, head.provided)
            for named in subgraph.types.values()
            if named.kind is Kind.OBJECT and head.type in named.interfaces
        ]
        if not implementations:
            return None
        found: list[Head] = []
        for implementation in implementations:
            options = self.advance(implementation, name)
            if not options:
                return []
            found.extend(options)
        return found

    def reachable_select(self, head: Head, selection: SelectionSetNode | None) -> bool:
        """Whether a field set (a `@requires`) can be fetched for the entity at `head`."""
        if selection is None:
            return False
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                inner = node.type_condition.name.value if node.type_condition else head.type
                if not self.reachable_select(Head(head.subgraph, inner), node.selection_set):
                    return False
            elif isinstance(node, FieldNode) and node.name.value != "__typename":
                options = self.advance(head, node.name.value) or []
                if node.selection_set is not None:
                    subselection = node.selection_set
                    options = [o for o in options if self.reachable_select(o, subselection)]
                if not options:
                    return False
        return True

    def downcast(self, head: Head, runtime: str) -> list[Head] | None:
        """The head as runtime type `runtime`: [] when it can never be one, None when unknown."""
        if head.type == runtime:
            return [head]
        named = self.named(head)
        if named is None or named.interface_object:
            return None
        subgraph = self.subgraphs[head.subgraph]
        candidate = subgraph.types.get(runtime)
        if candidate is None:
            return []
        if runtime in named.members or head.type in candidate.interfaces:
            return [Head(head.subgraph, runtime, head.provided)]
        return []
