"""Planning `@defer`: a primary plan plus one deferred sub-plan per fragment (Apollo's `Defer`).

A deferred fragment on an entity type is planned as an entity fetch into the subgraph where
its fields are cheapest, entered through one of that subgraph's keys; the primary part fetches
`__typename` and that key instead of the fragment (router/planning/README.md). A fragment on
the query root is planned as a query of its own. `@defer(if: $v)` plans both cases under a
`ConditionNode` on `$v`, so one cached plan serves every variable value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

from renku_fed.router.planning.chosen_plan import SelectionPlan
from renku_fed.router.planning.conditions import settle_conditions
from renku_fed.router.planning.decide import Decider
from renku_fed.router.planning.defer_document import (
    MAX_DEFER_VARIABLES,
    FoundDefer,
    defer_variables,
    find_defers,
    key_fragment,
    rewrite,
)
from renku_fed.router.planning.defer_parts import deferrable
from renku_fed.router.planning.emit import emit_plan
from renku_fed.router.planning.errors import PlanningError
from renku_fed.router.planning.fetch_graph import FetchGraph
from renku_fed.router.planning.graph import Hop, QueryGraph
from renku_fed.router.planning.nodes import (
    BatchFetchNode,
    ConditionNode,
    DeferNode,
    DeferredNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    ResponsePath,
    SelectedFragment,
    Selection,
    SequenceNode,
)
from renku_fed.router.planning.operation import Operation, OpField, OpItem, merge_items, normalize
from renku_fed.router.planning.optimize import batch_siblings, merge_leaf_siblings
from renku_fed.router.planning.positions import flatten, position_for
from renku_fed.router.supergraph.fed1 import parse_field_set

PlanOperation = Callable[[Operation], QueryPlan]


def has_defer(document: DocumentNode) -> bool:
    """Whether the document's text may hold `@defer` (a cheap first test: `@ defer` is valid)."""
    source = document.loc.source.body if document.loc is not None else None
    return source is None or "defer" in source


def plan_with_defer(
    graph: QueryGraph,
    labels: frozenset[str],
    document: DocumentNode,
    definition: OperationDefinitionNode,
    plan_operation: PlanOperation,
) -> QueryPlan:
    """The plan of an operation whose fragments may be deferred."""
    planner = _DeferPlanner(graph, labels, document, definition, plan_operation)
    variables = defer_variables(document)[:MAX_DEFER_VARIABLES]
    return QueryPlan(planner.branch(variables, {}))


@dataclass(frozen=True, slots=True)
class _Deferred:
    node: DeferredNode
    keys: tuple[SelectionSetNode, ...] | None


class _DeferPlanner:
    def __init__(
        self,
        graph: QueryGraph,
        labels: frozenset[str],
        document: DocumentNode,
        definition: OperationDefinitionNode,
        plan_operation: PlanOperation,
    ) -> None:
        self.graph = graph
        self.model = graph.model
        self.labels = labels
        self.document = document
        self.definition = definition
        self.plan_operation = plan_operation
        self.operation = normalize(definition, document)

    def branch(self, variables: tuple[str, ...], values: dict[str, bool]) -> PlanNode | None:
        """The plan for `values`, branching on the remaining `variables`."""
        if not variables:
            return self.one(values)
        first, rest = variables[0], variables[1:]
        when_true = self.branch(rest, {**values, first: True})
        when_false = self.branch(rest, {**values, first: False})
        return ConditionNode(first, when_true, when_false)

    def one(self, values: Mapping[str, bool]) -> PlanNode | None:
        """The plan when `@defer(if:)` variables have `values`."""
        found = find_defers(
            self.document, self.definition, self.model, deferrable(self.graph), values
        )
        if not found:
            return self.plan_operation(self.operation).node
        deferred = [self.deferred(f) for f in found]
        replacements = {
            id(f.node): None if d.keys is None else key_fragment(f.type_name, d.keys)
            for f, d in zip(found, deferred, strict=True)
        }
        primary_document = rewrite(self.document, replacements)
        definition = next(
            d
            for d in primary_document.definitions
            if isinstance(d, OperationDefinitionNode)
            and d.name == self.definition.name
            and d.operation == self.definition.operation
        )
        primary = self.plan_operation(normalize(definition, primary_document)).node
        return DeferNode(primary, tuple(d.node for d in deferred))

    def deferred(self, found: FoundDefer) -> _Deferred:
        """The sub-plan of one deferred fragment, and the keys the primary part must fetch."""
        items = self.items(found)
        fetch_graph = FetchGraph(self.model)
        decider = Decider(self.graph, self.labels)
        keys: list[SelectionSetNode] = []
        depends: tuple[Selection, ...] = ()
        if found.at_root:
            fetch_graph.build_root(decider.require(decider.root(found.type_name), items))
        else:
            for key, plan in self.entries(decider, found.type_name, items):
                inputs = fetch_graph.build_entry(plan, key.graph, found.type_name, key.items)
                depends += inputs.to_nodes()
                keys.append(parse_field_set(key.key))
            depends = (SelectedFragment(found.type_name, tuple(dict.fromkeys(depends))),)
        merge_leaf_siblings(fetch_graph)
        settle_conditions(fetch_graph)
        batch_siblings(fetch_graph)
        node = emit_plan(fetch_graph, self.operation).node
        delivered = tuple(dict.fromkeys(_response_keys(items)))
        rebased = None if node is None else _rebase(node, found.path)
        result = DeferredNode(found.label, found.path, depends, delivered, rebased)
        return _Deferred(result, tuple(keys) if not found.at_root else None)

    def items(self, found: FoundDefer) -> tuple[OpItem, ...]:
        """The fragment's selections normalized, its `@skip`/`@include` kept."""
        directives = tuple(
            d for d in found.node.directives or () if d.name.value in ("skip", "include")
        )
        wrapper = OperationDefinitionNode(
            operation=OperationType.QUERY,
            variable_definitions=self.definition.variable_definitions,
            directives=(),
            selection_set=SelectionSetNode(
                selections=(_inline(found.type_name, directives, found.selection_set),)
            ),
        )
        return normalize(wrapper, self.document).items

    def entries(
        self, decider: Decider, type_name: str, items: tuple[OpItem, ...]
    ) -> list[tuple[Hop, SelectionPlan]]:
        """Per subgraph entered (through one of its keys), the fragment's fields that cost
        least from there: the entity fetches run in parallel on the primary part's keys.
        """
        candidates = [
            (graph, keys[0])
            for graph in sorted(self.model.types[type_name].graphs)
            if (keys := self.graph.re_entry_keys(type_name, graph))
        ]
        groups: dict[str, list[OpItem]] = {}
        for field in flatten(self.model, type_name, items):
            if field.name == "__typename":
                continue
            single: tuple[OpItem, ...] = (field,)
            decider.keep.append(single)
            costs = [
                (plan.cost, graph)
                for graph, _ in candidates
                if (plan := self.plan_at(decider, type_name, graph, single)) is not None
            ]
            if not costs:
                raise PlanningError(
                    decider.failure or f"cannot plan {type_name}.{field.name} deferred"
                )
            groups.setdefault(min(costs)[1], []).append(field)
        entries: list[tuple[Hop, SelectionPlan]] = []
        for graph, key in candidates:
            if graph in groups:
                group = merge_items(groups[graph])
                decider.keep.append(group)
                plan = self.plan_at(decider, type_name, graph, group)
                if plan is None:
                    raise PlanningError(decider.failure or f"cannot plan {type_name} deferred")
                entries.append((key, plan))
        return entries

    def plan_at(
        self, decider: Decider, type_name: str, graph: str, items: tuple[OpItem, ...]
    ) -> SelectionPlan | None:
        """The plan of `items` on a `type_name` entity entered in `graph`."""
        position = position_for(self.model, type_name, graph)
        return decider.selection(position, items, frozenset())


def _inline(
    type_name: str, directives: tuple[DirectiveNode, ...], body: SelectionSetNode
) -> InlineFragmentNode:
    return InlineFragmentNode(
        type_condition=NamedTypeNode(name=NameNode(value=type_name)),
        directives=directives,
        selection_set=body,
    )


def _response_keys(items: tuple[OpItem, ...]) -> list[str]:
    keys: list[str] = []
    for item in items:
        if isinstance(item, OpField):
            keys.append(item.response_key)
        else:
            keys.extend(_response_keys(item.items))
    return keys


def _rebase(node: PlanNode, prefix: ResponsePath) -> PlanNode:
    """`node` with every flatten path (and a bare fetch) moved under `prefix`."""
    if not prefix:
        return node
    if isinstance(node, FlattenNode):
        return FlattenNode((*prefix, *node.path), node.node)
    if isinstance(node, FetchNode):
        return FlattenNode(prefix, node)
    if isinstance(node, SequenceNode):
        return SequenceNode(tuple(_rebase(n, prefix) for n in node.nodes))
    if isinstance(node, ParallelNode):
        return ParallelNode(tuple(_rebase(n, prefix) for n in node.nodes))
    if isinstance(node, BatchFetchNode):
        entries = tuple(FlattenNode((*prefix, *e.path), e.node) for e in node.entries)
        return BatchFetchNode(node.fetch, entries)
    if isinstance(node, ConditionNode):
        when_true = None if node.if_clause is None else _rebase(node.if_clause, prefix)
        when_false = None if node.else_clause is None else _rebase(node.else_clause, prefix)
        return ConditionNode(node.variable, when_true, when_false)
    return node
