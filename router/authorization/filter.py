"""Removing the fields a caller may not see from an operation, before it is planned."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_non_null_type,
    parse,
    print_ast,
)

from renku_fed.router.authorization.rules import (
    NO_REQUIREMENT,
    AuthorizationRules,
    Grant,
    Requirement,
)

Path = tuple[str, ...]
_Node = TypeVar("_Node", bound=FieldNode | InlineFragmentNode | OperationDefinitionNode)

_TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
_META_FIELDS = frozenset({"__typename", "__schema", "__type"})
_DECISIONS_PER_OPERATION = 64


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of filtering one operation for one kind of caller.

    `document` is what to plan (None when no field is left for the subgraphs); `removed` holds
    the ids of the removed field nodes of the operation's inlined definition; `paths` their
    response paths, without list indices.
    """

    document: DocumentNode | None
    removed: frozenset[int]
    paths: tuple[Path, ...]


class OperationAuthorization:
    """One operation with its fragments inlined, and its decisions cached per kind of caller.

    Inlining gives every field selection its own node, so a removed field is known by its node
    wherever a fragment is spread; project responses with `document` and `definition`.
    """

    def __init__(
        self,
        rules: AuthorizationRules,
        schema: GraphQLSchema,
        document: DocumentNode,
        definition: OperationDefinitionNode,
    ) -> None:
        self._rules = rules
        self._schema = schema
        self._original = document
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        selection_set = _inline(definition.selection_set, fragments)
        self.definition = _replace(definition, selection_set)
        self.document = DocumentNode(definitions=(self.definition,))
        mentioned = _Walk(rules, schema, None).mentions(self.definition)
        self.authenticated = mentioned.authenticated
        self.scopes = frozenset(n for a in mentioned.scopes for group in a for n in group)
        self.policies = frozenset(n for a in mentioned.policies for group in a for n in group)
        self.required = bool(mentioned)
        self._decisions: dict[tuple[bool, frozenset[str], frozenset[str]], Decision] = {}

    def decide(self, grant: Grant) -> Decision:
        """What this caller may run of the operation, cached by what the operation depends on."""
        key = (
            grant.authenticated and self.authenticated,
            grant.scopes & self.scopes,
            grant.policies & self.policies,
        )
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) >= _DECISIONS_PER_OPERATION:
                self._decisions.pop(next(iter(self._decisions)))
            decision = self._decisions[key] = self._filter(grant)
        return decision

    def _filter(self, grant: Grant) -> Decision:
        walk = _Walk(self._rules, self._schema, grant)
        selection_set = walk.root(self.definition)
        if not walk.removed:
            return Decision(self._original, frozenset(), ())
        if not _has_data_fields(selection_set) or self._nulls_data(walk.removed):
            return Decision(None, frozenset(walk.removed), tuple(walk.paths))
        operation = _replace(self.definition, selection_set)
        # Printed and parsed again: the planner keys its cache on the document's source text.
        document = parse(print_ast(DocumentNode(definitions=(operation,))))
        return Decision(document, frozenset(walk.removed), tuple(walk.paths))

    def _nulls_data(self, removed: set[int]) -> bool:
        """Whether a removed root field is non-null and always selected, so `data` is null.

        Nothing is then planned: no mutation runs for a response that cannot show its result.
        """
        root = self._schema.get_root_type(self.definition.operation)
        assert root is not None
        return any(
            isinstance(node, FieldNode)
            and id(node) in removed
            and not node.directives
            and is_non_null_type(root.fields[node.name.value].type)
            for node in self.definition.selection_set.selections
        )


class _Walk:
    """One pass over an inlined operation: filters for `grant`, or only gathers requirements."""

    def __init__(
        self, rules: AuthorizationRules, schema: GraphQLSchema, grant: Grant | None
    ) -> None:
        self.rules = rules
        self.schema = schema
        self.grant = grant
        self.mentioned = NO_REQUIREMENT
        self.removed: set[int] = set()
        self.paths: dict[Path, None] = {}

    def mentions(self, definition: OperationDefinitionNode) -> Requirement:
        """Every requirement the operation meets on its way, whoever asks."""
        self.root(definition)
        return self.mentioned

    def root(self, definition: OperationDefinitionNode) -> SelectionSetNode:
        """The operation's selection set without what the grant does not allow."""
        root = self.schema.get_root_type(definition.operation)
        assert root is not None
        kept = self._selections(root, definition.selection_set, (), self.rules.type(root.name))
        return _with(definition.selection_set, kept)

    def _allows(self, requirement: Requirement) -> bool:
        if not requirement:
            return True
        self.mentioned &= requirement
        return self.grant is None or self.grant.allows(requirement)

    def _selections(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode,
        path: Path,
        inherited: Requirement,
    ) -> list[SelectionNode]:
        kept: list[SelectionNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = self._field(parent, selection, path, inherited)
                if field is not None:
                    kept.append(field)
            elif isinstance(selection, InlineFragmentNode):
                fragment = self._fragment(parent, selection, path, inherited)
                if fragment is not None:
                    kept.append(fragment)
        return kept

    def _field(
        self, parent: GraphQLNamedType, node: FieldNode, path: Path, inherited: Requirement
    ) -> FieldNode | None:
        name = node.name.value
        if name in _META_FIELDS:
            return node
        definition = parent.fields[name]  # type: ignore[attr-defined]
        named = get_named_type(definition.type)
        requirement = inherited & self.rules.field(parent.name, name)
        here = (*path, node.alias.value if node.alias else name)
        if not self._allows(requirement):
            self._remove(node, here)
            return None
        if node.selection_set is None:
            return node
        kept = self._selections(named, node.selection_set, here, NO_REQUIREMENT)
        selection_set = _with(node.selection_set, kept or [_TYPENAME])
        if selection_set is node.selection_set:
            return node
        return _replace(node, selection_set)

    def _fragment(
        self,
        parent: GraphQLNamedType,
        node: InlineFragmentNode,
        path: Path,
        inherited: Requirement,
    ) -> InlineFragmentNode | None:
        condition = parent
        if node.type_condition is not None:
            named = self.schema.get_type(node.type_condition.name.value)
            assert named is not None
            condition = named
        requirement = inherited & self.rules.type(condition.name)
        if not self._allows(requirement):
            self._remove_all(node.selection_set, path)
            return None
        kept = self._selections(condition, node.selection_set, path, inherited)
        if not kept:
            return None
        selection_set = _with(node.selection_set, kept)
        if selection_set is node.selection_set:
            return node
        return _replace(node, selection_set)

    def _remove(self, node: FieldNode, path: Path) -> None:
        self.removed.add(id(node))
        self.paths[path] = None

    def _remove_all(self, selection_set: SelectionSetNode, path: Path) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode) and selection.name.value != "__typename":
                key = selection.alias.value if selection.alias else selection.name.value
                self._remove(selection, (*path, key))
            elif isinstance(selection, InlineFragmentNode):
                self._remove_all(selection.selection_set, path)


def _inline(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> SelectionSetNode:
    """A copy of the selection set with every fragment spread replaced by an inline fragment."""
    selections: list[SelectionNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            selections.append(
                InlineFragmentNode(
                    type_condition=fragment.type_condition,
                    directives=selection.directives,
                    selection_set=_inline(fragment.selection_set, fragments),
                )
            )
            continue
        if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
            selections.append(_replace(selection, _inline(selection.selection_set, fragments)))
        else:
            selections.append(copy.copy(selection))
    return SelectionSetNode(selections=tuple(selections))


def _replace(node: _Node, selection_set: SelectionSetNode) -> _Node:
    """A copy of `node` with another selection set."""
    values = {key: getattr(node, key) for key in node.keys}
    values["selection_set"] = selection_set
    return type(node)(**values)


def _with(selection_set: SelectionSetNode, kept: list[SelectionNode]) -> SelectionSetNode:
    """`selection_set` itself when nothing changed, else a new one with `kept`."""
    if len(kept) == len(selection_set.selections) and all(
        a is b for a, b in zip(kept, selection_set.selections, strict=True)
    ):
        return selection_set
    return SelectionSetNode(selections=tuple(kept))


def _has_data_fields(selection_set: SelectionSetNode) -> bool:
    """Whether a root selection still has a field the subgraphs answer."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value not in _META_FIELDS:
            return True
        if isinstance(selection, InlineFragmentNode) and _has_data_fields(selection.selection_set):
            return True
    return False
