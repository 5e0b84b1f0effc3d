"""The query graph: per-subgraph field edges and entity (key) moves, precomputed at load."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from graphql import GraphQLObjectType

from renku_fed.router.planning.operation import OpField, OpFragment, OpItem, parse_selection
from renku_fed.router.supergraph.model import FieldInGraph, SupergraphModel

HOP_COST = 1000


@dataclass(frozen=True, slots=True)
class Hop:
    """An entity move into `graph` through the key `key` (its field set text).

    `as_type` names the interface when the move enters an interface object (or an entity
    interface) from one of its implementations.
    """

    graph: str
    key: str
    items: tuple[OpItem, ...]
    as_type: str | None = None

    @property
    def cost(self) -> int:
        """Edge cost: a new fetch plus the size of the key."""
        return HOP_COST + len(self.items)


class QueryGraph:
    """Indexes of what each subgraph resolves, and the cheapest key routes between subgraphs."""

    def __init__(self, model: SupergraphModel) -> None:
        self.model = model
        self.keys: dict[tuple[str, str], tuple[Hop, ...]] = {}
        self._by_type: dict[str, list[Hop]] = {}
        for info in model.types.values():
            for key in info.keys:
                if key.resolvable:
                    hop = Hop(key.graph, key.fields, parse_selection(key.fields))
                    self.keys[(info.name, key.graph)] = (
                        *self.keys.get((info.name, key.graph), ()),
                        hop,
                    )
                    self._by_type.setdefault(info.name, []).append(hop)
        self._interfaces = {
            name: tuple(i.name for i in gtype.interfaces)
            for name, gtype in model.schema.type_map.items()
            if isinstance(gtype, GraphQLObjectType)
        }
        self.routes: dict[tuple[str, str], dict[str, tuple[Hop, ...]]] = {
            (info.name, graph): self._routes(info.name, graph)
            for info in model.types.values()
            if info.keys
            for graph in info.graphs
        }

    def field_in(self, type_name: str, field: str, graph: str) -> FieldInGraph | None:
        """The declaration of `type_name.field` in `graph`, if any."""
        info = self.model.field(type_name, field)
        return None if info is None else info.graphs.get(graph)

    def output_graphs(
        self, type_name: str, field: str, labels: frozenset[str]
    ) -> tuple[FieldInGraph, ...]:
        """Declarations of subgraphs that may return `type_name.field` under these labels."""
        info = self.model.field(type_name, field)
        if info is None:
            return ()
        return tuple(f for f in info.graphs.values() if f.resolvable(labels))

    def can_supply(self, type_name: str, items: tuple[OpItem, ...], graph: str) -> bool:
        """Whether `graph` can produce the field set `items` on `type_name` by itself."""
        for item in items:
            if isinstance(item, OpFragment):
                if not self.can_supply(item.type_condition, item.items, graph):
                    return False
                continue
            if item.name == "__typename":
                continue
            declared = self.field_in(type_name, item.name, graph)
            if declared is None or declared.external:
                return False
            field = self.model.field(type_name, item.name)
            if item.items and (
                field is None or not self.can_supply(field.named_type, item.items, graph)
            ):
                return False
        return True

    def _routes(self, type_name: str, start: str) -> dict[str, tuple[Hop, ...]]:
        """Shortest key routes from `start` to every subgraph that can be entered for the type."""
        found: dict[str, tuple[Hop, ...]] = {start: ()}
        candidates = sorted(self._by_type.get(type_name, ()), key=lambda h: h.cost)
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for hop in candidates:
                if hop.graph in found or not self.can_supply(type_name, hop.items, current):
                    continue
                found[hop.graph] = (*found[current], hop)
                queue.append(hop.graph)
        del found[start]
        return found

    def route(self, type_name: str, source: str, target: str) -> tuple[Hop, ...] | None:
        """The cheapest chain of key moves from `source` to `target` for an entity type."""
        return self.routes.get((type_name, source), {}).get(target)

    def re_entry_keys(self, type_name: str, graph: str) -> tuple[Hop, ...]:
        """Resolvable keys of `type_name` in `graph` (to send `@requires` inputs back)."""
        return self.keys.get((type_name, graph), ())

    def interfaces(self, type_name: str) -> tuple[str, ...]:
        """Interfaces the object type `type_name` implements in the supergraph."""
        return self._interfaces.get(type_name, ())


def field_named_type(model: SupergraphModel, declared: FieldInGraph) -> str:
    """The named type of a field as its subgraph declares it (`join__field(type:)`)."""
    return declared.type.replace("[", "").replace("]", "").replace("!", "")


def provided_children(
    provided: tuple[OpItem, ...], model: SupergraphModel, type_name: str, field: str
) -> tuple[OpItem, ...] | None:
    """The provided sub-selection of `field` at a `type_name` position, or None if not provided."""
    found: list[OpItem] = []
    hit = False
    for item in provided:
        if isinstance(item, OpField) and item.name == field:
            hit = True
            found.extend(item.items)
        elif isinstance(item, OpFragment) and type_name in model.possible_types(
            item.type_condition
        ):
            inner = provided_children(item.items, model, type_name, field)
            if inner is not None:
                hit = True
                found.extend(inner)
    return tuple(found) if hit else None
