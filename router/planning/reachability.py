"""What a position's subgraph can serve and how the plan can move from it to another subgraph.

Queries over the query graph under one set of override labels, with no cost or memo state: a
field resolved in place (provided children included), where a field's selections are planned,
which subgraphs declare a field, and the key moves (or re-entry with fields supplied here) into
another subgraph.
"""

from __future__ import annotations

from dataclasses import replace

from renku_fed.router.planning.graph import Hop, QueryGraph, field_named_type, provided_children
from renku_fed.router.planning.operation import OpFragment, OpItem, parse_selection
from renku_fed.router.planning.positions import Position, position_for
from renku_fed.router.supergraph.model import FieldInGraph, TypeKind


class Reachability:
    """Field resolution and entity moves at a position, under the override labels `labels`."""

    def __init__(self, graph: QueryGraph, labels: frozenset[str]) -> None:
        self.graph = graph
        self.model = graph.model
        self.labels = labels

    def _safe_on_interface(self, position: Position, field: str) -> bool:
        """Whether the subgraph resolves `field` on the abstract type for every runtime type."""
        if self.model.field(position.type_name, field) is None:
            return False
        return all(
            self._direct(position.at(t), field) is not None
            for t in (position.type_name, *position.possible)
        )

    def _direct(
        self, position: Position, field: str
    ) -> tuple[FieldInGraph, tuple[OpItem, ...]] | None:
        """The declaration and provided children when the position's subgraph has the field."""
        if position.graph is None:
            return None
        declared = self.graph.field_in(position.type_name, field, position.graph)
        provided = provided_children(position.provided, self.model, position.type_name, field)
        if provided is not None:
            return None if declared is None else (declared, provided)
        if declared is None:
            return None
        if not declared.resolvable(self.labels) or declared.requires or declared.from_context:
            return None
        return declared, ()

    def _child_position(
        self,
        parent: Position,
        parent_type: str,
        field: str,
        declared: FieldInGraph,
        provided: tuple[OpItem, ...],
    ) -> Position | None:
        """Where a field's selections are planned, or None for a leaf field.

        `peers` are the subgraphs that could equally have returned the value on this path. A
        union there only yields the members every peer knows, so the response has the same
        shape whichever subgraph the plan uses (the other members get `__typename` only).
        """
        info = self.model.field(parent_type, field)
        if info is None or not self.model.is_composite(info.named_type):
            return None
        if not provided and declared.provides:
            provided = parse_selection(declared.provides)
        graph = declared.graph
        resolvers = {d.graph for d in self.graph.output_graphs(parent_type, field, self.labels)}
        reachable = parent.peers | set(self.graph.routes.get((parent_type, graph), {}))
        peers = frozenset((resolvers & reachable) | {graph})
        position = position_for(
            self.model, info.named_type, graph, field_named_type(self.model, declared), provided
        )
        narrowed = position.possible
        if self.model.types[info.named_type].kind is TypeKind.UNION:
            for peer in peers - {graph}:
                other = info.graphs.get(peer)
                peer_type = (
                    info.named_type if other is None else field_named_type(self.model, other)
                )
                narrowed &= self.model.possible_types_in(peer_type, peer)
        return replace(position, possible=narrowed, peers=peers)

    def _declarations(self, position: Position, field: str) -> list[tuple[FieldInGraph, str]]:
        """(declaration, entity type) pairs of subgraphs that may return the field."""
        found = [
            (d, position.type_name)
            for d in self.graph.output_graphs(position.type_name, field, self.labels)
        ]
        info = self.model.types.get(position.type_name)
        if position.graph is None or info is None or info.kind is not TypeKind.OBJECT:
            return found
        for interface in self.graph.interfaces(position.type_name):
            for graph in sorted(self.model.types[interface].interface_object_graphs):
                declared = self.graph.field_in(interface, field, graph)
                if declared is not None and declared.resolvable(self.labels):
                    found.append((declared, interface))
        return found

    def _hops(self, position: Position, target_graph: str, target: str) -> tuple[Hop, ...] | None:
        if position.graph is None:
            return ()
        if target == position.type_name:
            route = self.graph.route(target, position.graph, target_graph)
            if route is not None or not position.provided:
                return route
        for key in self.graph.re_entry_keys(target, target_graph):
            if self._supplies(position, key.items):
                as_type = None if target == position.type_name else target
                return (Hop(target_graph, key.key, key.items, as_type=as_type),)
        return None

    def _supplies(self, position: Position, items: tuple[OpItem, ...]) -> bool:
        """Whether the position's subgraph returns these key fields here (provided included)."""
        graph = position.graph
        for item in items:
            if isinstance(item, OpFragment):
                if not self._supplies(position.at(item.type_condition), item.items):
                    return False
                continue
            info = self.model.field(position.type_name, item.name)
            declared = self.graph.field_in(position.type_name, item.name, graph or "")
            provided = provided_children(
                position.provided, self.model, position.type_name, item.name
            )
            if info is None or graph is None:
                return False
            if provided is None and (declared is None or declared.external):
                return False
            if item.items:
                child = self._child_position(
                    position,
                    position.type_name,
                    item.name,
                    declared or FieldInGraph(graph, info.type),
                    provided or (),
                )
                if child is None or not self._supplies(child, item.items):
                    return False
        return True
