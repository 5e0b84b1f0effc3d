"""Contextual arguments (`@fromContext`, router/planning/README.md): before planning, each field
that takes arguments from a context gets them as variables (`$contextualArgument_<n>_<m>`, as
Apollo names them) and the nearest ancestor that sets the context gets the context's selection;
after emitting, each fetch that uses such a variable learns where its value comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    NameNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse_type,
)

from renku_fed.router.planning.nodes import ContextInput, FetchNode, QueryPlan
from renku_fed.router.planning.operation import (
    Operation,
    OpFragment,
    OpItem,
    merge_items,
    parse_selection,
)
from renku_fed.router.supergraph.fed1 import parse_field_set
from renku_fed.router.supergraph.model import ContextArgumentInfo, SupergraphModel


@dataclass
class _Frame:
    """An object of the operation: its type, its key and list steps from the root, and the
    context selections its descendants need from it.
    """

    type_name: str
    steps: int
    extra: list[OpItem] = field(default_factory=list)


class ContextArguments:
    """Rewrites one operation for its contextual arguments, then marks the plan's fetches."""

    def __init__(self, model: SupergraphModel) -> None:
        self.model = model
        self.inputs: dict[str, ContextInput] = {}
        self.definitions: list[VariableDefinitionNode] = []
        self.fields = 0

    def rewrite(self, operation: Operation, root_type: str) -> Operation:
        """The operation with context variables and selections; itself when it has none."""
        if not any(t.contexts for t in self.model.types.values()):
            return operation
        items = self._items(operation.items, root_type, 0, [])
        if not self.inputs:
            return operation
        return replace(operation, items=items, variables=(*operation.variables, *self.definitions))

    def attach(self, plan: QueryPlan) -> QueryPlan:
        """The plan with each fetch told where its context variables' values come from."""
        if not self.inputs or plan.node is None:
            return plan
        return replace(plan, node=self._attach(plan.node))

    def _attach(self, node: Any) -> Any:
        if isinstance(node, FetchNode):
            inputs = tuple(self.inputs[n] for n in node.variable_usages if n in self.inputs)
            return replace(node, context_inputs=inputs) if inputs else node
        if isinstance(node, tuple):
            return tuple(self._attach(child) for child in node)
        if not is_dataclass(node) or isinstance(node, type):
            return node
        changes = {}
        for spec in fields(node):
            if not spec.init:
                continue
            value = getattr(node, spec.name)
            updated = self._attach(value)
            if updated is not value:
                changes[spec.name] = updated
        return replace(node, **changes) if changes else node

    def _items(
        self, items: tuple[OpItem, ...], type_name: str, steps: int, frames: list[_Frame]
    ) -> tuple[OpItem, ...]:
        frame = _Frame(type_name, steps)
        frames.append(frame)
        out = [self._item(item, type_name, steps, frames) for item in items]
        frames.pop()
        return merge_items((*out, *frame.extra)) if frame.extra else tuple(out)

    def _item(self, item: OpItem, type_name: str, steps: int, frames: list[_Frame]) -> OpItem:
        if isinstance(item, OpFragment):
            return OpFragment(
                item.type_condition, self._items(item.items, item.type_condition, steps, frames)
            )
        info = self.model.field(type_name, item.name)
        if info is None:
            return item
        args = item.args
        declared = next((d for d in info.graphs.values() if d.context_arguments), None)
        if declared is not None:
            self.fields += 1
            for index, argument in enumerate(declared.context_arguments):
                node = self._argument(argument, frames, index)
                if node is not None:
                    args = (*args, node)
        children = item.items
        if children:
            depth = info.type.count("[")
            children = self._items(children, info.named_type, steps + 1 + depth, frames)
        if args is item.args and children is item.items:
            return item
        return replace(item, args=args, items=children)

    def _argument(
        self, argument: ContextArgumentInfo, frames: list[_Frame], index: int
    ) -> ArgumentNode | None:
        """The argument as a variable, its selection added to the ancestor setting the context;
        None when no ancestor sets it (the subgraph then gets no value, as from Apollo).
        """
        for frame in reversed(frames):
            if not self._sets(frame.type_name, argument.context):
                continue
            path = self._path(argument.selection, frame.type_name)
            if path is None:
                return None
            frame.extra.extend(parse_selection(_field_set(path)))
            name = f"contextualArgument_{self.fields}_{index}"
            variable = VariableNode(name=NameNode(value=name))
            self.definitions.append(
                VariableDefinitionNode(
                    variable=variable, type=parse_type(argument.type), directives=()
                )
            )
            self.inputs[name] = ContextInput(name, frame.steps, path)
            return ArgumentNode(name=NameNode(value=argument.name), value=variable)
        return None

    def _sets(self, type_name: str, context: str) -> bool:
        """Whether objects of `type_name` set `context`: the type itself, or an interface it
        implements or a union it belongs to does.
        """
        schema = self.model.schema
        named = schema.get_type(type_name)
        for setter in (t for t in self.model.types.values() if context in t.contexts):
            if setter.name == type_name:
                return True
            abstract = schema.get_type(setter.name)
            if (
                isinstance(named, GraphQLObjectType)
                and isinstance(abstract, GraphQLInterfaceType | GraphQLUnionType)
                and schema.is_sub_type(abstract, named)
            ):
                return True
        return False

    def _path(self, selection: str, type_name: str) -> tuple[str, ...] | None:
        """The field path a context selection reads on an object of `type_name`."""
        text = selection.strip()
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1]
        selection_set: SelectionSetNode | None = parse_field_set(text)
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, InlineFragmentNode) and self._applies(node, type_name):
                selection_set = node.selection_set
                break
        path: list[str] = []
        while selection_set is not None and selection_set.selections:
            node = selection_set.selections[0]
            if not isinstance(node, FieldNode):
                return None
            path.append(node.name.value)
            selection_set = node.selection_set
        return tuple(path) or None

    def _applies(self, fragment: InlineFragmentNode, type_name: str) -> bool:
        if fragment.type_condition is None:
            return True
        condition = fragment.type_condition.name.value
        if condition == type_name:
            return True
        abstract = self.model.schema.get_type(condition)
        concrete = self.model.schema.get_type(type_name)
        return (
            abstract is not None
            and concrete is not None
            and self.model.schema.is_sub_type(abstract, concrete)  # type: ignore[arg-type]
        )


def _field_set(path: tuple[str, ...]) -> str:
    """`a { b { c } }` for the path (a, b, c)."""
    text = path[-1]
    for name in reversed(path[:-1]):
        text = f"{name} {{ {text} }}"
    return text
