"""The fetch dependency graph: one step per subgraph request, built from the chosen plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from router.planning.decide import FieldPlan, FragmentPlan, SelectionPlan
from router.planning.graph import Hop
from router.planning.nodes import FieldKey, ListItems, ResponsePath, TypeCondition
from router.planning.operation import OpField, OpItem
from router.planning.selection import SelSet


@dataclass(eq=False)
class FetchStep:
    """One subgraph request: a root fetch, or an `_entities` fetch merged at `base_path`."""

    id: int
    graph: str
    stage: int
    entity: bool
    base_path: ResponsePath = ()
    type_names: list[str] = field(default_factory=list)
    conditioned: bool = False
    inputs: SelSet = field(default_factory=SelSet)
    output: SelSet = field(default_factory=SelSet)
    parents: set[int] = field(default_factory=set)

    @property
    def merge_path(self) -> ResponsePath:
        """Where the results merge; entity steps under abstract types filter by type."""
        if self.conditioned:
            return (*self.base_path, TypeCondition(tuple(self.type_names)))
        return self.base_path


class FetchGraph:
    """Accumulates fetch steps while the chosen plan is walked top-down."""

    def __init__(self) -> None:
        self.steps: list[FetchStep] = []
        self._roots: dict[tuple[str, int], FetchStep] = {}
        self._entities: dict[tuple[frozenset[int], str, ResponsePath, bool], FetchStep] = {}
        self.stage = 0

    def _new(self, graph: str, entity: bool) -> FetchStep:
        step = FetchStep(len(self.steps), graph, self.stage, entity)
        self.steps.append(step)
        return step

    def root_step(self, graph: str) -> FetchStep:
        """The root fetch of `graph` in the current stage."""
        key = (graph, self.stage)
        if key not in self._roots:
            self._roots[key] = self._new(graph, entity=False)
        return self._roots[key]

    def entity_step(
        self,
        parents: frozenset[int],
        graph: str,
        path: ResponsePath,
        type_name: str,
        for_requires: bool,
    ) -> FetchStep:
        """Get or create the `_entities` fetch of `graph` for objects of `type_name` at `path`."""
        conditioned = bool(path) and isinstance(path[-1], TypeCondition)
        base = path[:-1] if conditioned else path
        key = (parents, graph, base, for_requires)
        step = self._entities.get(key)
        if step is None:
            step = self._new(graph, entity=True)
            step.base_path = base
            step.parents = set(parents)
            self._entities[key] = step
        if conditioned:
            step.conditioned = True
        if type_name not in step.type_names:
            step.type_names.append(type_name)
        return step

    def build_root(self, plan: SelectionPlan) -> None:
        """Add the plan of an operation's root selection."""
        self.build(plan, None, SelSet(), (), set())

    def build(
        self,
        plan: SelectionPlan,
        step: FetchStep | None,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
    ) -> None:
        """Add `plan` to `step` at `loc` (creating the steps its moves need)."""
        if step is not None:
            touched.add(step.id)
        if plan.position.abstract:
            loc.typename()
        for item in plan.items:
            if isinstance(item, FragmentPlan):
                inner = (*path, TypeCondition((item.type_name,)))
                self.build(item.body, step, loc.fragment(item.type_name), inner, touched)
            else:
                self._field(item, plan.position.type_name, step, loc, path, touched)

    def _field(
        self,
        plan: FieldPlan,
        type_name: str,
        step: FetchStep | None,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
    ) -> None:
        if step is None:
            target = self.root_step(plan.graph)
            target_loc = target.output
        elif plan.requirement is not None:
            required: set[int] = set()
            self.build(plan.requirement, step, loc, path, required)
            touched |= required
            target = self.entity_step(frozenset(required), plan.graph, path, type_name, True)
            _add_input(target.inputs.fragment(type_name), plan.representation)
            target_loc = target.output.fragment(type_name)
        else:
            target, target_loc = self._hop(plan.hops, type_name, step, loc, path, touched)
        touched.add(target.id)
        field = plan.field
        selected = target_loc.field(field.name, field.alias, field.args)
        if plan.children is not None:
            child_path = (*path, FieldKey(field.response_key), *([ListItems()] * plan.list_depth))
            self.build(plan.children, target, selected.sub, child_path, touched)

    def _hop(
        self,
        hops: tuple[Hop, ...],
        type_name: str,
        step: FetchStep,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
    ) -> tuple[FetchStep, SelSet]:
        current, current_loc = step, loc
        for hop in hops:
            current_loc.typename()
            _add_input(current_loc, hop.items, typename=False)
            nxt = self.entity_step(frozenset({current.id}), hop.graph, path, type_name, False)
            _add_input(nxt.inputs.fragment(type_name), hop.items)
            touched.add(nxt.id)
            current, current_loc = nxt, nxt.output.fragment(type_name)
        return current, current_loc


def _add_input(loc: SelSet, items: tuple[OpItem, ...], typename: bool = True) -> None:
    if typename:
        loc.typename()
    for item in items:
        if isinstance(item, OpField):
            sub = loc.field(item.name, None, item.args).sub
            if item.items:
                _add_input(sub, item.items, typename=False)
        else:
            _add_input(loc.fragment(item.type_condition), item.items, typename=False)
