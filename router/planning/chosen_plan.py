"""The chosen plan of a selection: per field, the subgraph, entity moves and `@requires` inputs.

`decide` produces it; `fetch_graph` turns it into fetch steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from renku_fed.router.planning.graph import Hop
from renku_fed.router.planning.operation import OpField, OpItem
from renku_fed.router.planning.positions import Position


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one field is fetched: by `graph`, after `hops`, or through `@requires` inputs.

    With `requirement`, the inputs (`representation`: re-entry key plus required fields) are
    planned at the current position first, then `graph` is entered as `entity_type`.
    """

    field: OpField
    graph: str
    hops: tuple[Hop, ...] = ()
    requirement: SelectionPlan | None = None
    representation: tuple[OpItem, ...] = ()
    entity_type: str | None = None
    children: SelectionPlan | None = None
    list_depth: int = 0
    graph_type: str = ""


@dataclass(frozen=True, slots=True)
class FragmentPlan:
    """Selections that apply only to objects of the concrete type `type_name`."""

    type_name: str
    body: SelectionPlan


@dataclass(frozen=True, slots=True)
class JumpPlan:
    """An entity move at the current position, then `body` in the subgraph entered."""

    hops: tuple[Hop, ...]
    body: SelectionPlan


PlanItem: TypeAlias = FieldPlan | FragmentPlan | JumpPlan


@dataclass(frozen=True, slots=True)
class SelectionPlan:
    """The chosen plan of a selection set at one position, with its total cost."""

    position: Position
    items: tuple[PlanItem, ...]
    cost: int
