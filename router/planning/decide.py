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
from typing import TypeAlias

from renku_fed.router.planning.chosen_plan import (
    FieldPlan,
    FragmentPlan,
    JumpPlan,
    PlanItem,
    SelectionPlan,
)
from renku_fed.router.planning.errors import PlanningError
from renku_fed.router.planning.graph import HOP_COST, Hop, QueryGraph
from renku_fed.router.planning.operation import OpField, OpItem, merge_items, parse_selection
from renku_fed.router.planning.positions import (
    Position,
    field_names,
    flatten,
    is_interface_object,
    position_for,
    split_abstract,
    split_interface_object,
)
from renku_fed.router.planning.reachability import Reachability
from renku_fed.router.supergraph.model import FieldInGraph

Guard: TypeAlias = frozenset[tuple[str, str]]
Route: TypeAlias = tuple[str, ...]

_Offer: TypeAlias = Callable[[list[FieldPlan], int, "tuple[Route, ...]"], None]


class Decider(Reachability):
    """Chooses the cheapest plan of each selection; one instance serves one `plan` call."""

    def __init__(self, graph: QueryGraph, labels: frozenset[str]) -> None:
        super().__init__(graph, labels)
        self.memo: dict[tuple[Position, int, Guard], SelectionPlan | None] = {}
        self.keep: list[tuple[OpItem, ...]] = []
        self.failure = ""
        self.all_graphs = frozenset(graph.model.subgraphs)

    def root(self, type_name: str) -> Position:
        """The position of an operation's root selection (no subgraph chosen yet)."""
        return Position(type_name, None, frozenset({type_name}), peers=self.all_graphs)

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
        typed: list[OpItem] = []
        buckets: dict[str, list[OpItem]] = {}
        if position.abstract:
            # without runtime types to split into, fields must be planned on the abstract type
            names = field_names(items)
            safe = {
                n for n in names if not position.possible or self._safe_on_interface(position, n)
            }
            shared, buckets = split_abstract(self.model, position, items, safe)
        elif is_interface_object(self.model, position):
            shared, typed = split_interface_object(self.model, position, items)
        else:
            shared = flatten(self.model, position.type_name, items)
        planned: list[PlanItem] = []
        entered: set[Route] = set()
        cost = 0
        for item in shared:
            if item.name == "__typename":
                continue
            options = self._field(position, item, entered, guard)
            if options is None:
                return None
            planned.extend(options[0])
            cost += options[1]
        for type_name, bucket in buckets.items():
            body = self.selection(position.at(type_name), merge_items(bucket), guard)
            if body is None:
                return None
            if body.items:
                # a bucket of only `__typename` is answered by the `__typename` every abstract
                # position selects, so it needs no fragment (and `... on T {}` is invalid)
                planned.append(FragmentPlan(type_name, body))
                cost += body.cost
        if typed:
            jump = self._real_type(position, merge_items(typed), guard)
            if jump is None:
                return None
            planned.append(jump)
            cost += jump.body.cost + sum(h.cost for h in jump.hops)
        return SelectionPlan(position, tuple(planned), cost)

    def _real_type(
        self, position: Position, items: tuple[OpItem, ...], guard: Guard
    ) -> JumpPlan | None:
        """Move from an interface object to a subgraph that knows the real implementations."""
        info = self.model.types[position.type_name]
        best: JumpPlan | None = None
        for graph in sorted(info.graphs - info.interface_object_graphs):
            hops = self._hops(position, graph, position.type_name)
            if hops is None:
                continue
            body = self.selection(position_for(self.model, info.name, graph), items, guard)
            if body is None:
                continue
            if best is None or body.cost < best.body.cost:
                best = JumpPlan(hops, body)
        if best is None:
            self.failure = (
                f"cannot plan the runtime type of {position.type_name} from the interface "
                f"object in {position.graph}: no subgraph with its implementations is reachable"
            )
        return best

    def _children(
        self,
        parent: Position,
        parent_type: str,
        declared: FieldInGraph,
        provided: tuple[OpItem, ...],
        field: OpField,
        guard: Guard,
    ) -> tuple[SelectionPlan | None, int] | None:
        position = self._child_position(parent, parent_type, field.name, declared, provided)
        if position is None:
            return None, 0
        plan = self.selection(position, field.items, guard)
        return None if plan is None else (plan, plan.cost)

    def _field(
        self, position: Position, field: OpField, entered: set[Route], guard: Guard
    ) -> tuple[list[FieldPlan], int] | None:
        info = self.model.field(position.type_name, field.name)
        if info is None:
            self.failure = f"{position.type_name}.{field.name} does not exist in the supergraph"
            return None
        depth = info.type.count("[")
        best: tuple[list[FieldPlan], int, tuple[Route, ...]] | None = None

        def offer(plans: list[FieldPlan], cost: int, routes: tuple[Route, ...]) -> None:
            nonlocal best
            if best is None or cost < best[1]:
                best = (plans, cost, routes)

        direct = self._direct(position, field.name)
        if direct is not None:
            children = self._children(
                position, position.type_name, direct[0], direct[1], field, guard
            )
            if children is not None:
                plan = FieldPlan(
                    field,
                    direct[0].graph,
                    children=children[0],
                    list_depth=depth,
                    graph_type=direct[0].type,
                )
                offer([plan], 1 + children[1], ())
        for declared, target in self._declarations(position, field.name):
            if declared.requires or declared.from_context:
                # contextual arguments are sent with the representations of an entity fetch
                self._offer_requires(position, field, declared, target, depth, guard, offer)
                continue
            if declared.graph == position.graph and target == position.type_name:
                continue
            hops = self._hops(position, declared.graph, target)
            if hops is None:
                # no key of the target can be produced here alone: gather one from anywhere
                self._offer_requires(position, field, declared, target, depth, guard, offer)
                continue
            route = (declared.graph,) if position.graph is None else tuple(h.graph for h in hops)
            children = self._children(position, target, declared, (), field, guard)
            if children is None:
                continue
            entry = self._entry_cost(hops, route, entered)
            plan = FieldPlan(field, declared.graph, hops, children=children[0], list_depth=depth)
            # fields behind a move count twice: at equal fetch counts, fetch less later
            payload = 1 + children[1] if entry and hops else 0
            offer([plan], entry + payload + 1 + children[1], (route,))
        if field.items and (best is None or position.graph is None):
            # a shareable root field may be cheaper served in parts by several subgraphs
            self._offer_split(position, field, depth, entered, guard, offer)
        if best is None:
            if not self.failure:
                self.failure = (
                    f"cannot plan field {position.type_name}.{field.name}: no subgraph can "
                    f"resolve it from {position.graph or 'the root'}"
                )
            return None
        plans, cost, routes = best
        for route in routes:
            entered.update(route[: i + 1] for i in range(len(route)))
        return plans, cost

    def _entry_cost(self, hops: tuple[Hop, ...], route: Route, entered: set[Route]) -> int:
        if not hops:
            return 0 if route in entered else HOP_COST
        return sum(hop.cost for i, hop in enumerate(hops) if route[: i + 1] not in entered)

    def _offer_requires(
        self,
        position: Position,
        field: OpField,
        declared: FieldInGraph,
        target: str,
        depth: int,
        guard: Guard,
        offer: _Offer,
    ) -> None:
        """Offer entering `declared.graph` with inputs planned here first: `@requires` fields
        plus a key, or, for a plain field, a key whose fields come from several subgraphs.
        """
        marker = (target, field.name)
        if position.graph is None or marker in guard:
            return
        required = parse_selection(declared.requires) if declared.requires else ()
        for key in self.graph.re_entry_keys(target, declared.graph):
            inputs = merge_items((*key.items, *required))
            requirement = self.selection(position, inputs, guard | {marker})
            if requirement is None:
                continue
            children = self._children(position, target, declared, (), field, guard)
            if children is None:
                continue
            plan = FieldPlan(
                field,
                declared.graph,
                requirement=requirement,
                representation=inputs,
                entity_type=target,
                children=children[0],
                list_depth=depth,
            )
            offer([plan], HOP_COST + requirement.cost + 1 + children[1], ())

    def _split_children(self, position: Position, field: OpField) -> tuple[OpItem, ...]:
        """A field's children to split, fragments that apply to its object type inlined, so
        each of their fields may go to its own subgraph.
        """
        info = self.model.field(position.type_name, field.name)
        if info is None or self.model.is_abstract(info.named_type):
            return field.items
        return tuple(flatten(self.model, info.named_type, field.items))

    def _offer_split(
        self,
        position: Position,
        field: OpField,
        depth: int,
        entered: set[Route],
        guard: Guard,
        offer: _Offer,
    ) -> None:
        """Serve a composite field's children from several subgraphs, each child where cheapest."""
        candidates: list[tuple[FieldInGraph, tuple[Hop, ...], Route, int]] = []
        for declared, target in self._declarations(position, field.name):
            if declared.requires or declared.from_context or target != position.type_name:
                continue
            if declared.graph == position.graph:
                candidates.append((declared, (), (), 0))
                continue
            hops = self._hops(position, declared.graph, target)
            if hops is not None:
                route = (
                    (declared.graph,) if position.graph is None else tuple(h.graph for h in hops)
                )
                candidates.append((declared, hops, route, self._entry_cost(hops, route, entered)))
        groups: dict[int, list[OpItem]] = {}
        cost = 0
        for child in self._split_children(position, field):
            best: tuple[int, int] | None = None
            for index, (declared, _, _, entry) in enumerate(candidates):
                trial = OpField(field.name, field.alias, field.args, (child,))
                self.keep.append(trial.items)
                children = self._children(position, position.type_name, declared, (), trial, guard)
                if children is None:
                    continue
                extra = children[1] + (0 if index in groups else entry + 1)
                if best is None or extra < best[1]:
                    best = (index, extra)
            if best is None:
                return
            groups.setdefault(best[0], []).append(child)
            cost += best[1]
        plans: list[FieldPlan] = []
        for index, children_items in groups.items():
            declared, hops, _, _ = candidates[index]
            part = OpField(field.name, field.alias, field.args, merge_items(children_items))
            self.keep.append(part.items)
            children = self._children(position, position.type_name, declared, (), part, guard)
            if children is None:
                return
            plans.append(
                FieldPlan(part, declared.graph, hops, children=children[0], list_depth=depth)
            )
        offer(plans, cost, tuple(candidates[i][2] for i in groups if candidates[i][2]))
