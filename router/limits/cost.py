"""A static cost estimate of an operation, in the demand-control style of IBM's and Apollo's specs.

The estimate is computed on the operation as written, before any subgraph is called:

- An operation costs the cost of its root selection set, plus 10 for a mutation.
- Introspection (`__schema`, `__type`) costs 0: the router answers it from its in-memory schema
  without calling a subgraph, so its work is bounded by the schema's size, not by list sizes.
- A selection set costs the sum of its selections; an inline fragment or a fragment spread
  costs its own selection set, so selections on several possible types are all counted (an
  upper bound). A selection skipped by `@skip`/`@include` costs 0. `__typename` costs 0.
- A field costs `count * (weight + children) + arguments`, where:
  - `weight` is the field's `@cost(weight:)`, else its named return type's `@cost(weight:)`,
    else 1 for an object, interface or union and 0 for a scalar or enum;
  - `children` is the cost of its selection set (0 for a leaf);
  - `count` is 1 unless the return type is a list; a list counts as many items as its
    parent's `@listSize(sizedFields:)` gives it, else (when its own `@listSize` names no
    `sizedFields`) its size, else `default_list_size`;
  - a field's size is the largest integer given to its slicing arguments (those of its
    `@listSize(slicingArguments:)`, else whichever of `first`, `last`, `limit` it has), after
    variables and argument defaults; when none is given, its `@listSize(assumedSize:)`;
  - a size also applies to the child fields named by `@listSize(sizedFields:)`; a field with no
    `@listSize` that is not a list but has a size (a Relay connection's `first`) gives that
    size to its `edges` and `nodes` children;
  - `arguments` sums, over the arguments given (defaults included), the argument's
    `@cost(weight:)` (0 without) for a scalar or enum value, the sum of its items for a list, and
    for an input object the input type's weight (1 without) plus each given input field, scored
    the same way with the input field's `@cost(weight:)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values

from renku_fed.router.limits.cost_directives import CostDirectives, ListSize

MUTATION_COST = 10
CONVENTIONAL_SLICING = ("first", "last", "limit")
CONVENTIONAL_SIZED = ("edges", "nodes")
_FREE_FIELDS = frozenset({"__typename", "__schema", "__type"})

Sized = Mapping[str, int]
"""Child field name -> how many items that list has, as a parent's size gives it."""


class CostEstimator:
    """Estimates operations over one API schema and its cost directives."""

    def __init__(
        self, schema: GraphQLSchema, directives: CostDirectives, default_list_size: int
    ) -> None:
        self.schema = schema
        self.directives = directives
        self.default_list_size = default_list_size

    def estimate(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> int:
        """The cost of a validated operation with its coerced variables."""
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        walk = _Walk(self, document, VariableValues({}, dict(variables)))
        base = MUTATION_COST if operation.operation is OperationType.MUTATION else 0
        return base + walk.selection_set(root, operation.selection_set, {})


class _Walk:
    """One estimate: each fragment is costed once per parent type and child sizes."""

    def __init__(
        self, estimator: CostEstimator, document: DocumentNode, variables: VariableValues
    ) -> None:
        self._schema = estimator.schema
        self._directives = estimator.directives
        self._default_list_size = estimator.default_list_size
        self._variables = variables
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._memo: dict[tuple[str, str, tuple[tuple[str, int], ...]], int] = {}

    def selection_set(
        self, parent: GraphQLCompositeType, selection_set: SelectionSetNode, sized: Sized
    ) -> int:
        """The sum of the included selections."""
        total = 0
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += self._field(parent, selection, sized)
            elif isinstance(selection, InlineFragmentNode):
                condition = self._condition(selection.type_condition, parent)
                total += self.selection_set(condition, selection.selection_set, sized)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread(parent, selection.name.value, sized)
        return total

    def _field(self, parent: GraphQLCompositeType, node: FieldNode, sized: Sized) -> int:
        if node.name.value in _FREE_FIELDS:
            return 0
        definition = self._schema.get_field(parent, node.name.value)
        if definition is None:
            return 0
        arguments = get_argument_values(definition, node, self._variables)
        named = get_named_type(definition.type)
        coordinate = (parent.name, node.name.value)
        weight = self._directives.field_weights.get(coordinate)
        if weight is None:
            weight = self._directives.type_weights.get(named.name, int(is_composite_type(named)))
        list_size = self._directives.list_sizes.get(coordinate)
        size = _size(list_size, definition, arguments)
        is_list = _is_list(definition.type)
        child_sized: dict[str, int] = {}
        if size is not None and list_size is not None:
            child_sized = dict.fromkeys(list_size.sized_fields, size)
        elif size is not None and not is_list:
            child_sized = dict.fromkeys(CONVENTIONAL_SIZED, size)
        count = 1
        if is_list:
            own = size if list_size is None or not list_size.sized_fields else None
            count = sized.get(node.name.value, self._default_list_size if own is None else own)
        inner = 0
        if node.selection_set is not None and isinstance(named, GraphQLCompositeType):
            inner = self.selection_set(named, node.selection_set, child_sized)
        return count * (weight + inner) + self._arguments(coordinate, definition, arguments)

    def _arguments(
        self, coordinate: tuple[str, str], definition: GraphQLField, arguments: dict[str, Any]
    ) -> int:
        total = 0
        for name, value in arguments.items():
            argument = definition.args.get(name)
            if argument is not None:
                weight = self._directives.argument_weights.get((*coordinate, name))
                total += self._input_value(value, argument.type, weight)
        return total

    def _input_value(self, value: Any, type_: GraphQLInputType, weight: int | None) -> int:
        if value is None:
            return 0
        if isinstance(value, list):
            return sum(self._input_value(item, type_, weight) for item in value)
        named = get_named_type(type_)
        if not isinstance(named, GraphQLInputObjectType) or not isinstance(value, dict):
            return weight or 0
        total = self._directives.type_weights.get(named.name, 1) if weight is None else weight
        for name, item in value.items():
            member = named.fields.get(name)
            if member is not None:
                item_weight = self._directives.input_field_weights.get((named.name, name))
                total += self._input_value(item, member.type, item_weight)
        return total

    def _spread(self, parent: GraphQLCompositeType, name: str, sized: Sized) -> int:
        fragment = self._fragments.get(name)
        if fragment is None:
            return 0
        key = (name, parent.name, tuple(sorted(sized.items())))
        known = self._memo.get(key)
        if known is None:
            # Validation refuses fragment cycles; the 0 placed first keeps a walk finite anyway.
            self._memo[key] = 0
            condition = self._condition(fragment.type_condition, parent)
            known = self._memo[key] = self.selection_set(condition, fragment.selection_set, sized)
        return known

    def _condition(
        self, condition: NamedTypeNode | None, parent: GraphQLCompositeType
    ) -> GraphQLCompositeType:
        named = self._schema.get_type(condition.name.value) if condition is not None else None
        return named if isinstance(named, GraphQLCompositeType) else parent

    def _included(self, node: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self._variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self._variables)
        return include is None or include.get("if") is not False


def _size(
    list_size: ListSize | None, definition: GraphQLField, arguments: dict[str, Any]
) -> int | None:
    names = list_size.slicing_arguments if list_size is not None else ()
    if not names:
        names = tuple(name for name in CONVENTIONAL_SLICING if name in definition.args)
    given = [value for name in names if isinstance(value := arguments.get(name), int)]
    if given:
        return max(max(given), 0)
    return list_size.assumed_size if list_size is not None else None


def _is_list(type_: GraphQLOutputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)
