"""`@skip`/`@include` on variables in plans: a fetch every selection of which is under the same
conditions runs inside `ConditionNode`s, and the subgraph operation no longer repeats them.
"""

from __future__ import annotations

from renku_fed.router.planning.fetch_graph import FetchGraph
from renku_fed.router.planning.nodes import ConditionNode, PlanNode
from renku_fed.router.planning.operation import Condition
from renku_fed.router.planning.selection import SelSet


def settle_conditions(fetch_graph: FetchGraph) -> None:
    """Fix each step's conditions and drop them from the step's top-level selections."""
    for step in fetch_graph.steps:
        handled = step.conditions or ()
        step.conditions = handled
        if handled:
            tops = step.output.fragments.values() if step.entity else (step.output,)
            for top in tops:
                _drop(top, handled)


def _drop(selection: SelSet, handled: tuple[Condition, ...]) -> None:
    for field in selection.fields.values():
        field.conditions = tuple(c for c in field.conditions if c not in handled)


def conditioned(conditions: tuple[Condition, ...], node: PlanNode) -> PlanNode:
    """`node` inside one `ConditionNode` per condition (Apollo's `Include`/`Skip`)."""
    for variable, included in reversed(conditions):
        node = (
            ConditionNode(variable, node, None) if included else ConditionNode(variable, None, node)
        )
    return node
