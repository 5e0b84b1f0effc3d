"""Finding an operation's `@defer` fragments and rewriting documents without them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeAlias

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DefinitionNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from renku_fed.router.planning.nodes import FieldKey, ListItems, ResponsePath, TypeCondition
from renku_fed.router.supergraph.model import SupergraphModel

MAX_DEFER_VARIABLES = 4
"""`@defer(if: $v)` variables planned both ways; past these, such fragments are deferred."""

Fragment: TypeAlias = InlineFragmentNode | FragmentSpreadNode
Deferrable: TypeAlias = Callable[[str], bool]
"""Whether objects of a type can be fetched again later (an entity with a resolvable key)."""


@dataclass(frozen=True, slots=True)
class FoundDefer:
    """One deferred fragment at one path: where its objects are and what it selects."""

    node: Fragment
    label: str | None
    path: ResponsePath
    type_name: str
    selection_set: SelectionSetNode

    @property
    def at_root(self) -> bool:
        """Whether the fragment is on the operation's root type (planned as its own query)."""
        return not self.path


def defer_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables any `@defer(if: $v)` of the document reads, in document order."""
    found: dict[str, None] = {}

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            for directive in selection.directives or ():
                if directive.name.value == "defer":
                    value = _argument(directive.arguments, "if")
                    if isinstance(value, VariableNode):
                        found[value.name.value] = None
            walk(getattr(selection, "selection_set", None))

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk(definition.selection_set)
    return tuple(found)


def find_defers(
    document: DocumentNode,
    definition: OperationDefinitionNode,
    model: SupergraphModel,
    deferrable: Deferrable,
    values: Mapping[str, bool],
) -> list[FoundDefer]:
    """The fragments deferred for these `@defer(if:)` variable `values`; nested ones (a
    `@defer` inside a deferred fragment) are delivered with their outer fragment.
    """
    if definition.operation is OperationType.SUBSCRIPTION:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = model.root_types[definition.operation.value]
    allow_root = definition.operation is OperationType.QUERY
    found: list[FoundDefer] = []

    def walk(selection_set: SelectionSetNode, parent: str, path: ResponsePath) -> None:
        for selection in selection_set.selections:
            if _literally_excluded(selection):
                continue
            if isinstance(selection, FieldNode):
                info = model.field(parent, selection.name.value)
                if selection.selection_set is None or info is None:
                    continue
                key = (selection.alias or selection.name).value
                lists = (ListItems(),) * info.type.count("[")
                walk(selection.selection_set, info.named_type, (*path, FieldKey(key), *lists))
                continue
            type_name, body = _fragment(selection, parent, fragments)
            if body is None:
                continue
            inner = path
            if model.is_abstract(parent) and type_name != parent:
                inner = (*path, TypeCondition(tuple(sorted(model.possible_types(type_name)))))
            active, label = _defer(selection, values)
            target_ok = allow_root if type_name == root else deferrable(type_name)
            if active and target_ok and isinstance(selection, Fragment):
                found.append(FoundDefer(selection, label, inner, type_name, body))
            else:
                walk(body, type_name, inner)

    walk(definition.selection_set, root, ())
    return found


def rewrite(
    document: DocumentNode,
    replacements: Mapping[int, SelectionNode | None],
    copies: list[tuple[int, int]] | None = None,
) -> DocumentNode:
    """The document with the selections of these ids replaced (None: removed); every
    unchanged node is kept, so ids other code holds stay valid, and `copies` gets the ids of
    each selection copied because a descendant changed and of its copy.
    """

    def selections(selection_set: SelectionSetNode) -> SelectionSetNode:
        result: list[SelectionNode] = []
        changed = False
        for selection in selection_set.selections:
            if id(selection) in replacements:
                new = replacements[id(selection)]
                changed = True
                if new is not None:
                    result.append(new)
                continue
            child = getattr(selection, "selection_set", None)
            if child is not None:
                rewritten = selections(child)
                if rewritten is not child:
                    copy = replace(selection, selection_set=rewritten)  # type: ignore[call-arg]
                    if copies is not None:
                        copies.append((id(selection), id(copy)))
                    selection, changed = copy, True
            result.append(selection)
        return replace(selection_set, selections=tuple(result)) if changed else selection_set

    definitions: list[DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            rewritten = selections(definition.selection_set)
            if rewritten is not definition.selection_set:
                definition = replace(definition, selection_set=rewritten)
        definitions.append(definition)
    return DocumentNode(definitions=tuple(definitions))


def key_fragment(type_name: str, keys: Iterable[SelectionSetNode]) -> InlineFragmentNode:
    """`... on T { __typename <keys> }`: what the primary part fetches for a deferred fragment."""
    typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
    fields = [selection for key in keys for selection in key.selections]
    return InlineFragmentNode(
        type_condition=NamedTypeNode(name=NameNode(value=type_name)),
        directives=(),
        selection_set=SelectionSetNode(selections=(typename, *fields)),
    )


def _fragment(
    selection: SelectionNode, parent: str, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[str, SelectionSetNode | None]:
    if isinstance(selection, InlineFragmentNode):
        condition = selection.type_condition
        return (condition.name.value if condition else parent), selection.selection_set
    if isinstance(selection, FragmentSpreadNode):
        spread = fragments.get(selection.name.value)
        if spread is not None:
            return spread.type_condition.name.value, spread.selection_set
    return parent, None


def _defer(selection: SelectionNode, values: Mapping[str, bool]) -> tuple[bool, str | None]:
    """Whether the selection is deferred for these variable values, and its label."""
    for directive in selection.directives or ():
        if directive.name.value != "defer":
            continue
        condition = _argument(directive.arguments, "if")
        label = _argument(directive.arguments, "label")
        text = label.value if isinstance(label, StringValueNode) else None
        if isinstance(condition, BooleanValueNode):
            return condition.value, text
        if isinstance(condition, VariableNode):
            return values.get(condition.name.value, True), text
        return True, text
    return False, None


def _literally_excluded(selection: SelectionNode) -> bool:
    for directive in selection.directives or ():
        name = directive.name.value
        if name in ("skip", "include"):
            value = _argument(directive.arguments, "if")
            if isinstance(value, BooleanValueNode) and value.value == (name == "skip"):
                return True
    return False


def _argument(arguments: Iterable[ArgumentNode] | None, name: str) -> ValueNode | None:
    for argument in arguments or ():
        if argument.name.value == name:
            return argument.value
    return None
