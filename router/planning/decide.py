"""Choosing, per field, the subgraph and entity moves that make the whole selection cheapest.

Each field of a selection has candidate options: resolve it directly in the subgraph already
queried at this position (cost 1), move to another subgraph along the cheapest key route (1000
per new fetch plus the key size), re-enter a subgraph with `@requires` inputs, or, when no single
subgraph can serve a composite field's children, split its children across subgraphs. Option
costs include the chosen children, and a move that a sibling already made costs nothing extra,
so shareable fields stay in the fetch that is already planned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from router.planning.errors import PlanningError
from router.planning.graph import HOP_COST, Hop, QueryGraph, field_named_type, provided_children
from router.planning.operation import OpField, OpItem, merge_items, parse_selection
from router.supergraph.model import FieldInGraph

Guard: TypeAlias = frozenset[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a selection is planned: its type, subgraph (None at the root) and possible types."""

    type_name: str
    graph: str | None
    possible: frozenset[str]
    provided: tuple[OpItem, ...] = ()
    abstract: bool = False


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one field is fetched: by `graph`, after `hops`, or through `@requires` inputs."""

    field: OpField
    graph: str
    hops: tuple[Hop, ...] = ()
    requirement: SelectionPlan | None = None
    representation: tuple[OpItem, ...] = ()
    children: SelectionPlan | None = None
    list_depth: int = 0


@dataclass(frozen=True, slots=True)
class FragmentPlan:
    """Selections that apply only to objects of the concrete type `type_name`."""

    type_name: str
    body: SelectionPlan


@dataclass(frozen=True, slots=True)
class SelectionPlan:
    """The chosen plan of a selection set at one position, with its total cost."""

    position: Position
    items: tuple[FieldPlan | FragmentPlan, ...]
    cost: int


class Decider:
    """Chooses the cheapest plan of each selection; one instance serves one `plan` call."""

    def __init__(self, graph: QueryGraph, labels: frozenset[str]) -> None:
        self.graph = graph
        self.model = graph.model
        self.labels = labels
        self.memo: dict[tuple[Position, int, Guard], SelectionPlan | None] = {}
        self.keep: list[tuple[OpItem, ...]] = []
        self.failure = ""

    def root(self, type_name: str) -> Position:
        """The position of an operation's root selection (no subgraph chosen yet)."""
        return Position(type_name, None, frozenset({type_name}))

    def require(self, position: Position, items: tuple[OpItem, ...]) -> SelectionPlan:
        """Plan `items` at `position` or raise a `PlanningError` naming what failed."""
        plan = self.selection(position, items, frozenset())
        if plan is None:
            raise PlanningError(self.failure or "the operation cannot be planned")
        return plan

    def selection(
        self, position: Position, items: tuple[OpItem, ...], guard: Guard
    ) -> SelectionPlan | None:
        """The cheapest plan of `items` at `position`, or None when some field is unreachable."""
        key = (position, id(items), guard)
        if key in self.memo:
            return self.memo[key]
        self.keep.append(items)
        plan = self._plan_selection(position, items, guard)
        self.memo[key] = plan
        return plan

    def _plan_selection(
        self, position: Position, items: tuple[OpItem, ...], guard: Guard
    ) -> SelectionPlan | None:
        if position.abstract:
            shared, buckets = self._split_abstract(position, items)
        else:
            shared, buckets = self._flatten(position.type_name, items), {}
        planned: list[FieldPlan | FragmentPlan] = []
        entered: set[tuple[str, ...]] = set()
        cost = 0
        for item in shared:
            if item.name == "__typename":
                continue
            options = self._field(position, item, entered, guard)
            if options is None:
                return None
            plans, field_cost = options
            planned.extend(plans)
            cost += field_cost
        for type_name, bucket in buckets.items():
            inner = Position(type_name, position.graph, frozenset({type_name}), position.provided)
            body = self.selection(inner, merge_items(bucket), guard)
            if body is None:
                return None
            planned.append(FragmentPlan(type_name, body))
            cost += body.cost
        return SelectionPlan(position, tuple(planned), cost)

    def _flatten(self, type_name: str, items: tuple[OpItem, ...]) -> list[OpField]:
        fields: list[OpItem] = []
        for item in items:
            if isinstance(item, OpField):
                fields.append(item)
            elif type_name in self.model.possible_types(item.type_condition) or (
                item.type_condition == type_name
            ):
                fields.extend(self._flatten(type_name, item.items))
        return [f for f in merge_items(fields) if isinstance(f, OpField)]

    def _split_abstract(
        self, position: Position, items: tuple[OpItem, ...]
    ) -> tuple[list[OpField], dict[str, list[OpItem]]]:
        shared: list[OpField] = []
        buckets: dict[str, list[OpItem]] = {}
        for item in items:
            if isinstance(item, OpField):
                if item.name == "__typename" or self._safe_on_interface(position, item.name):
                    shared.append(item)
                else:
                    for type_name in sorted(position.possible):
                        buckets.setdefault(type_name, []).append(item)
                continue
            condition = item.type_condition
            covered = self.model.possible_types(condition)
            if condition == position.type_name or position.possible <= covered:
                inner_shared, inner_buckets = self._split_abstract(position, item.items)
                shared.extend(inner_shared)
                for type_name, bucket in inner_buckets.items():
                    buckets.setdefault(type_name, []).extend(bucket)
                continue
            for type_name in sorted(position.possible & covered):
                buckets.setdefault(type_name, []).append(item)
        return shared, buckets

    def _safe_on_interface(self, position: Position, field: str) -> bool:
        """Whether the subgraph resolves `field` on the interface for every implementation."""
        graph = position.graph
        if graph is None:
            return False
        return all(
            self._direct(Position(t, graph, frozenset({t}), position.provided), field) is not None
            for t in (position.type_name, *position.possible)
        )

    def _direct(
        self, position: Position, field: str
    ) -> tuple[FieldInGraph, tuple[OpItem, ...]] | None:
        """The declaration and provided children when the position's subgraph has the field."""
        graph = position.graph
        if graph is None:
            return None
        declared = self.graph.field_in(position.type_name, field, graph)
        if declared is None:
            return None
        provided = provided_children(position.provided, self.model, position.type_name, field)
        if provided is not None:
            return declared, provided
        if not declared.resolvable(self.labels) or declared.requires:
            return None
        own = parse_selection(declared.provides) if declared.provides else ()
        return declared, own

    def _child_position(
        self, parent: Position, declared: FieldInGraph, provided: tuple[OpItem, ...], field: str
    ) -> Position | None:
        info = self.model.field(parent.type_name, field)
        if info is None or not self.model.is_composite(info.named_type):
            return None
        named = info.named_type
        in_graph = field_named_type(self.model, declared)
        types = self.model.types
        if declared.graph in types[named].interface_object_graphs:
            return Position(named, declared.graph, frozenset({named}), provided)
        possible = self.model.possible_types_in(in_graph, declared.graph) & (
            self.model.possible_types(named)
        )
        abstract = self.model.is_abstract(named)
        return Position(named, declared.graph, possible, provided, abstract)

    def _children(
        self,
        parent: Position,
        declared: FieldInGraph,
        provided: tuple[OpItem, ...],
        field: OpField,
        guard: Guard,
    ) -> tuple[SelectionPlan | None, int] | None:
        position = self._child_position(parent, declared, provided, field.name)
        if position is None:
            return None, 0
        plan = self.selection(position, field.items, guard)
        if plan is None:
            return None
        return plan, plan.cost

    def _field(
        self, position: Position, field: OpField, entered: set[tuple[str, ...]], guard: Guard
    ) -> tuple[list[FieldPlan], int] | None:
        info = self.model.field(position.type_name, field.name)
        if info is None:
            self.failure = f"{position.type_name}.{field.name} does not exist in the supergraph"
            return None
        depth = info.type.count("[")
        best: tuple[list[FieldPlan], int, tuple[str, ...] | None] | None = None

        def offer(plan: FieldPlan, cost: int, route: tuple[str, ...] | None) -> None:
            nonlocal best
            if best is None or cost < best[1]:
                best = ([plan], cost, route)

        direct = self._direct(position, field.name)
        if direct is not None:
            declared, provided = direct
            children = self._children(position, declared, provided, field, guard)
            if children is not None:
                offer(
                    FieldPlan(field, declared.graph, children=children[0], list_depth=depth),
                    1 + children[1],
                    None,
                )
        for declared in self.graph.output_graphs(position.type_name, field.name, self.labels):
            if declared.requires:
                self._offer_requires(position, field, declared, depth, guard, offer)
                continue
            if declared.graph == position.graph:
                continue
            hops = self._hops(position, declared.graph)
            if hops is None:
                continue
            route = (declared.graph,) if position.graph is None else tuple(h.graph for h in hops)
            children = self._children(
                Position(position.type_name, declared.graph, position.possible),
                declared,
                (),
                field,
                guard,
            )
            if children is None:
                continue
            entry = self._entry_cost(hops, route, entered)
            plan = FieldPlan(field, declared.graph, hops, children=children[0], list_depth=depth)
            offer(plan, entry + 1 + children[1], route)
        if best is None:
            if not self.failure:
                where = position.graph or "any subgraph"
                self.failure = (
                    f"cannot plan field {position.type_name}.{field.name}: no subgraph can "
                    f"resolve it from {where}"
                )
            return None
        plans, cost, chosen_route = best
        if chosen_route is not None:
            entered.update(chosen_route[: i + 1] for i in range(len(chosen_route)))
        return plans, cost

    def _hops(self, position: Position, target: str) -> tuple[Hop, ...] | None:
        if position.graph is None:
            return ()
        if (
            position.type_name not in self.model.types
            or not self.model.types[position.type_name].keys
        ):
            return None
        return self.graph.route(position.type_name, position.graph, target)

    def _entry_cost(
        self, hops: tuple[Hop, ...], route: tuple[str, ...], entered: set[tuple[str, ...]]
    ) -> int:
        if not hops:
            return 0 if route in entered else HOP_COST
        return sum(hop.cost for i, hop in enumerate(hops) if route[: i + 1] not in entered)

    def _offer_requires(
        self,
        position: Position,
        field: OpField,
        declared: FieldInGraph,
        depth: int,
        guard: Guard,
        offer: _Offer,
    ) -> None:
        marker = (position.type_name, field.name)
        if position.graph is None or marker in guard or declared.requires is None:
            return
        required = parse_selection(declared.requires)
        for key in self.graph.re_entry_keys(position.type_name, declared.graph):
            inputs = merge_items((*key.items, *required))
            requirement = self.selection(position, inputs, guard | {marker})
            if requirement is None:
                continue
            children = self._children(
                Position(position.type_name, declared.graph, position.possible),
                declared,
                (),
                field,
                guard,
            )
            if children is None:
                continue
            plan = FieldPlan(
                field,
                declared.graph,
                requirement=requirement,
                representation=inputs,
                children=children[0],
                list_depth=depth,
            )
            offer(plan, HOP_COST + requirement.cost + 1 + children[1], None)


_Offer: TypeAlias = Callable[[FieldPlan, int, "tuple[str, ...] | None"], None]
