"""Turning the fetch dependency graph into plan nodes with subgraph operation text."""

from __future__ import annotations

from typing import Literal

from graphql import VariableDefinitionNode, print_ast

from renku_fed.router.planning.conditions import conditioned
from renku_fed.router.planning.fetch_graph import FetchGraph, FetchStep
from renku_fed.router.planning.nodes import (
    BatchFetchNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SelectedFragment,
    SequenceNode,
)
from renku_fed.router.planning.operation import Condition, Operation

_ROOT_KINDS: dict[str, Literal["mutation", "subscription"]] = {
    "mutation": "mutation",
    "subscription": "subscription",
}
"""The kind of a root fetch of a mutation or subscription; any other fetch is a query."""


class _Emitter:
    def __init__(self, fetch_graph: FetchGraph, operation: Operation) -> None:
        self.operation = operation
        self.steps = [s for s in fetch_graph.steps if not s.output.is_empty() and not s.batched]
        self.by_id = {s.id: s for s in self.steps}
        for step in self.steps:
            step.parents = _reduced_parents(step, self.by_id)
        self.children: dict[int, list[FetchStep]] = {s.id: [] for s in self.steps}
        for step in self.steps:
            for parent in step.parents:
                self.children[parent].append(step)
        self.definitions = {d.variable.name.value: d for d in operation.variables}
        self.counter = 0
        self.done: set[int] = set()

    def plan(self) -> QueryPlan:
        stages = sorted({s.stage for s in self.steps})
        parts = [self._stage(stage) for stage in stages]
        return QueryPlan(_sequence(parts) if parts else None)

    def _stage(self, stage: int) -> PlanNode:
        steps = [s for s in self.steps if s.stage == stage]
        waves: list[PlanNode] = []
        ready = [s for s in steps if not s.parents]
        while ready:
            waves.append(_parallel([self._branch(s) for s in ready]))
            ready = [
                s for s in steps if s.id not in self.done and s.parents and s.parents <= self.done
            ]
        return _sequence(waves)

    def _branch(self, step: FetchStep, handled: tuple[Condition, ...] = ()) -> PlanNode:
        self.done.add(step.id)
        conditions = tuple(c for c in step.conditions or () if c not in handled)
        inner = (*handled, *conditions)
        node = self._fetch(step)
        # a child nests inside this branch only when it is under the same conditions
        own = [
            c
            for c in self.children[step.id]
            if c.parents == {step.id} and set(inner) <= set(c.conditions or ())
        ]
        if own:
            node = _sequence([node, _parallel([self._branch(c, inner) for c in own])])
        return conditioned(conditions, node)

    def _fetch(self, step: FetchStep) -> PlanNode:
        if step.batch:
            return self._batch([step, *step.batch])
        return self._single(step)

    def _batch(self, steps: list[FetchStep]) -> PlanNode:
        """One request with an aliased `_entities` call per step (`_e0`, `_e1`, ...)."""
        entries = [self._single(step) for step in steps]
        used = list(dict.fromkeys(n for step in steps for n in step.output.variables()))
        declared = [f"$r{i}:[_Any!]!" for i in range(len(steps))]
        declared += [self._declare(name) for name in used if name in self.definitions]
        calls = "".join(
            f"_e{i}:_entities(representations:$r{i})" + step.output.compact()
            for i, step in enumerate(steps)
        )
        fetch = FetchNode(
            service=steps[0].graph,
            operation="query(" + ",".join(declared) + "){" + calls + "}",
            variable_usages=tuple(n for n in used if n in self.definitions),
        )
        return BatchFetchNode(fetch, tuple(e for e in entries if isinstance(e, FlattenNode)))

    def _single(self, step: FetchStep) -> PlanNode:
        used = list(dict.fromkeys(step.output.variables()))
        declared = [self._declare(name) for name in used if name in self.definitions]
        name = None
        if self.operation.name:
            name = f"{self.operation.name}__{step.graph}__{self.counter}"
        self.counter += 1
        kind = "query" if step.entity else self.operation.kind
        if step.entity:
            declared.insert(0, "$representations:[_Any!]!")
            body = "{_entities(representations:$representations)" + step.output.compact() + "}"
        else:
            body = step.output.compact()
        header = kind
        if name:
            header += f" {name}"
        if declared:
            header += "(" + ",".join(declared) + ")"
        text = body if header == "query" else header + body
        requires = None
        if step.entity:
            requires = tuple(
                SelectedFragment(t, step.inputs.fragment(t).to_nodes()) for t in step.type_names
            )
        fetch = FetchNode(
            service=step.graph,
            operation=text,
            operation_kind=_ROOT_KINDS.get(kind, "query"),
            operation_name=name,
            variable_usages=tuple(n for n in used if n in self.definitions),
            requires=requires,
            input_rewrites=tuple(step.input_rewrites),
            output_rewrites=tuple(step.output_rewrites),
        )
        if step.entity:
            return FlattenNode(step.merge_path, fetch)
        return fetch

    def _declare(self, name: str) -> str:
        definition: VariableDefinitionNode = self.definitions[name]
        text = f"${name}:{print_ast(definition.type)}"
        if definition.default_value is not None:
            text += f"={print_ast(definition.default_value)}"
        return text


def emit_plan(fetch_graph: FetchGraph, operation: Operation) -> QueryPlan:
    """The plan nodes of a built fetch graph: nested sequences, parallel where independent."""
    return _Emitter(fetch_graph, operation).plan()


def _reduced_parents(step: FetchStep, by_id: dict[int, FetchStep]) -> set[int]:
    """Parents minus those that are ancestors of another parent (transitive reduction)."""
    parents = {p for p in step.parents if p in by_id}

    def ancestors(start: int) -> set[int]:
        seen: set[int] = set()
        stack = list(by_id[start].parents)
        while stack:
            current = stack.pop()
            if current in seen or current not in by_id:
                continue
            seen.add(current)
            stack.extend(by_id[current].parents)
        return seen

    redundant: set[int] = set()
    for parent in parents:
        redundant |= ancestors(parent) & parents
    return parents - redundant


def _sequence(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, SequenceNode) else (node,))
    return flat[0] if len(flat) == 1 else SequenceNode(tuple(flat))


def _parallel(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, ParallelNode) else (node,))
    return flat[0] if len(flat) == 1 else ParallelNode(tuple(flat))
