"""The shape of an operation: depth, aliases, root fields and fields, fragments expanded."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Shape:
    """How deep, how aliased, how wide (at the root) and how large an operation is."""

    depth: int
    aliases: int
    root_fields: int
    fields: int


_EMPTY = Shape(0, 0, 0, 0)


def measure(document: DocumentNode, operation: OperationDefinitionNode) -> Shape:
    """The shape of one operation; each fragment is measured once, however often it is spread."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    return _Measurer(fragments).selection_set(operation.selection_set)


class _Measurer:
    """Measures selection sets, remembering each fragment's shape; a fragment cycle counts 0."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._measured: dict[str, Shape] = {}
        self._open: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode) -> Shape:
        """`root_fields` here is the number of fields at this level."""
        depth = aliases = here = fields = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = _EMPTY
                if selection.selection_set is not None:
                    inner = self.selection_set(selection.selection_set)
                depth = max(depth, inner.depth + 1)
                aliases += inner.aliases + (selection.alias is not None)
                here += 1
                fields += inner.fields + 1
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self._fragment(selection.name.value)
            else:
                continue
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            here += inner.root_fields
            fields += inner.fields
        return Shape(depth, aliases, here, fields)

    def _fragment(self, name: str) -> Shape:
        known = self._measured.get(name)
        if known is not None:
            return known
        fragment = self._fragments.get(name)
        if fragment is None or name in self._open:
            return _EMPTY
        self._open.add(name)
        shape = self.selection_set(fragment.selection_set)
        self._open.discard(name)
        self._measured[name] = shape
        return shape
