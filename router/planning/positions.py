"""Positions in a subgraph response and how a selection splits by runtime type there."""

from __future__ import annotations

from dataclasses import dataclass

from renku_fed.router.planning.operation import OpField, OpFragment, OpItem, merge_items
from renku_fed.router.supergraph.model import SupergraphModel


@dataclass(frozen=True, slots=True)
class Position:
    """Where a selection is planned: its type, subgraph (None at the root) and possible types.

    `abstract` positions return objects of several types (`possible`), so selections split by
    type there; an interface-object position sees an interface as one object type.
    """

    type_name: str
    graph: str | None
    possible: frozenset[str]
    provided: tuple[OpItem, ...] = ()
    abstract: bool = False
    peers: frozenset[str] = frozenset()

    def at(self, type_name: str) -> Position:
        """The position of the objects of the concrete type `type_name` found here."""
        return Position(
            type_name, self.graph, frozenset({type_name}), self.provided, peers=self.peers
        )


def position_for(
    model: SupergraphModel,
    type_name: str,
    graph: str,
    graph_type: str | None = None,
    provided: tuple[OpItem, ...] = (),
) -> Position:
    """The position of a `type_name` value returned by `graph` (declared there as `graph_type`)."""
    info = model.types[type_name]
    if graph in info.interface_object_graphs:
        return Position(type_name, graph, frozenset({type_name}), provided)
    possible = model.possible_types_in(graph_type or type_name, graph) & (
        model.possible_types(type_name)
    )
    return Position(type_name, graph, possible, provided, model.is_abstract(type_name))


def is_interface_object(model: SupergraphModel, position: Position) -> bool:
    """Whether the position's subgraph models its interface type as an object."""
    info = model.types.get(position.type_name)
    return info is not None and position.graph in info.interface_object_graphs


def flatten(model: SupergraphModel, type_name: str, items: tuple[OpItem, ...]) -> list[OpField]:
    """Fields that apply to objects of the concrete `type_name` (matching fragments inlined)."""
    fields: list[OpItem] = []
    for item in items:
        if isinstance(item, OpField):
            fields.append(item)
        elif item.type_condition == type_name or type_name in model.possible_types(
            item.type_condition
        ):
            fields.extend(flatten(model, type_name, item.items))
    return [f for f in merge_items(fields) if isinstance(f, OpField)]


def split_interface_object(
    model: SupergraphModel, position: Position, items: tuple[OpItem, ...]
) -> tuple[list[OpField], list[OpItem]]:
    """Split an interface-object selection into what the subgraph serves and type-dependent
    parts (`__typename`, fragments on implementations) that need the real runtime type.
    """
    own: list[OpField] = []
    typed: list[OpItem] = []
    everything = model.possible_types(position.type_name)
    for item in items:
        if isinstance(item, OpField):
            (typed if item.name == "__typename" else own).append(item)
        elif _applies_whole(model, position.type_name, everything, item):
            inner_own, inner_typed = split_interface_object(model, position, item.items)
            own.extend(inner_own)
            typed.extend(inner_typed)
        else:
            typed.append(item)
    return own, typed


def split_abstract(
    model: SupergraphModel,
    position: Position,
    items: tuple[OpItem, ...],
    shared_field: set[str],
) -> tuple[list[OpField], dict[str, list[OpItem]]]:
    """Split a selection at an abstract position into fields kept on the abstract type (those
    in `shared_field`, plus `__typename`) and per-concrete-type buckets.
    """
    shared: list[OpField] = []
    buckets: dict[str, list[OpItem]] = {}
    for item in items:
        if isinstance(item, OpField):
            if item.name == "__typename" or item.name in shared_field:
                shared.append(item)
            else:
                for type_name in sorted(position.possible):
                    buckets.setdefault(type_name, []).append(item)
            continue
        covered = model.possible_types(item.type_condition)
        if _applies_whole(model, position.type_name, position.possible, item):
            inner_shared, inner_buckets = split_abstract(model, position, item.items, shared_field)
            shared.extend(inner_shared)
            for type_name, bucket in inner_buckets.items():
                buckets.setdefault(type_name, []).extend(bucket)
            continue
        for type_name in sorted(position.possible & covered):
            buckets.setdefault(type_name, []).append(item)
    return shared, buckets


def _applies_whole(
    model: SupergraphModel, type_name: str, possible: frozenset[str], fragment: OpFragment
) -> bool:
    """Whether a fragment applies to every object at the position and selects only fields the
    position's own type has, so its selections can be planned on that type directly.
    """
    if fragment.type_condition == type_name:
        return True
    condition = fragment.type_condition
    if not model.is_abstract(condition) or not possible <= model.possible_types(condition):
        return False
    fields = [f for f in fragment.items if isinstance(f, OpField)]
    return all(f.name == "__typename" or model.field(type_name, f.name) for f in fields) and all(
        _applies_whole(model, type_name, possible, f)
        for f in fragment.items
        if isinstance(f, OpFragment)
    )


def field_names(items: tuple[OpItem, ...]) -> set[str]:
    """Names of every field selected at this level (through fragments)."""
    names: set[str] = set()
    for item in items:
        if isinstance(item, OpField):
            names.add(item.name)
        else:
            names |= field_names(item.items)
    return names
