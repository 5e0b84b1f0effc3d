"""Fetch-graph optimizations applied after the walk: fewer requests, never a deeper plan."""

from __future__ import annotations

from renku_fed.router.planning.fetch_graph import FetchGraph, FetchStep
from renku_fed.router.planning.selection import SelSet


def merge_leaf_siblings(fetch_graph: FetchGraph) -> None:
    """Fold an entity fetch that nothing depends on into an unrelated fetch of the same
    subgraph at the same path: the merged fetch waits for both sets of parents, which delays
    no other fetch, and one request replaces two (for example two `@requires` chains that end
    in one subgraph).
    """
    changed = True
    while changed:
        changed = False
        live = [s for s in fetch_graph.steps if not s.output.is_empty()]
        with_children = {p for s in live for p in s.parents}
        leaves = [s for s in live if s.entity and s.id not in with_children]
        for index, leaf in enumerate(leaves):
            for other in leaves[index + 1 :]:
                if _mergeable(fetch_graph, leaf, other):
                    _merge(other, into=leaf)
                    changed = True
                    break
            if changed:
                break


def _mergeable(fetch_graph: FetchGraph, a: FetchStep, b: FetchStep) -> bool:
    if (a.graph, a.stage, a.skeleton) != (b.graph, b.stage, b.skeleton):
        return False
    if (a.conditions or ()) != (b.conditions or ()):
        # the one under `@skip`/`@include` may wait for inputs the other must not need
        return False
    if _ancestors(fetch_graph, a) & {b.id} or _ancestors(fetch_graph, b) & {a.id}:
        return False
    return a.inputs.accepts(b.inputs) and a.output.accepts(b.output)


def _ancestors(fetch_graph: FetchGraph, step: FetchStep) -> set[int]:
    seen: set[int] = set()
    stack = list(step.parents)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(fetch_graph.steps[current].parents)
    return seen


def _merge(source: FetchStep, into: FetchStep) -> None:
    into.parents |= source.parents
    into.paths.extend(p for p in source.paths if p not in into.paths)
    into.type_names.extend(t for t in source.type_names if t not in into.type_names)
    into.inputs.merge(source.inputs)
    into.output.merge(source.output)
    into.input_rewrites.extend(r for r in source.input_rewrites if r not in into.input_rewrites)
    into.output_rewrites.extend(r for r in source.output_rewrites if r not in into.output_rewrites)
    source.output = SelSet()
    source.parents = set()


def batch_siblings(fetch_graph: FetchGraph) -> None:
    """Send entity fetches of one subgraph that wait for the same fetches in one request, one
    `_entities` call each (as Hive Router does): fewer requests, and no call asks for fields
    another path selected.
    """
    leads: dict[tuple[object, ...], FetchStep] = {}
    for step in fetch_graph.steps:
        if not step.entity or step.output.is_empty():
            continue
        key = (step.graph, step.stage, step.conditions or (), frozenset(step.parents))
        lead = leads.setdefault(key, step)
        if lead is step:
            continue
        lead.batch.append(step)
        step.batched = True
        for other in fetch_graph.steps:
            if step.id in other.parents:
                other.parents = (other.parents - {step.id}) | {lead.id}
