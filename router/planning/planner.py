"""The query planner: operation in, cached `QueryPlan` out.

Stages (router/planning/README.md): `operation` normalizes the client operation; `decide`
chooses, per field, the subgraph and entity moves with the lowest cost over the precomputed
`graph`; `fetch_graph` turns the choice into fetch steps with their dependencies; `optimize`
merges steps; `emit` writes plan nodes and subgraph operations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import partial

from cachetools import LRUCache
from graphql import DocumentNode, print_ast

from renku_fed.router.planning.chosen_plan import FieldPlan
from renku_fed.router.planning.conditions import settle_conditions
from renku_fed.router.planning.context import ContextArguments
from renku_fed.router.planning.decide import Decider
from renku_fed.router.planning.defer import has_defer, plan_with_defer
from renku_fed.router.planning.emit import emit_plan
from renku_fed.router.planning.errors import PlanningError
from renku_fed.router.planning.fetch_graph import FetchGraph
from renku_fed.router.planning.graph import QueryGraph
from renku_fed.router.planning.nodes import QueryPlan
from renku_fed.router.planning.operation import Operation, normalize, select_operation
from renku_fed.router.planning.optimize import batch_siblings, merge_leaf_siblings
from renku_fed.router.supergraph import Supergraph

_CacheKey = tuple[str, str | None, str, frozenset[str]]


class QueryPlanner:
    """Plans operations against one supergraph, caching plans in a bounded LRU.

    `@skip`/`@include` on variables become `ConditionNode`s or stay in subgraph operations, so
    one plan serves every variable value and the cache key holds none. Progressive override
    labels are active when the caller passes them in `override_labels`; for `percent(p)` labels
    the caller makes the random draw and passes the label string (for example "percent(25)")
    when it falls below p.
    """

    def __init__(self, supergraph: Supergraph, cache_size: int = 1000) -> None:
        self.supergraph = supergraph
        self.graph = QueryGraph(supergraph.model)
        self.cache_size = cache_size
        self._cache: LRUCache[_CacheKey, QueryPlan] = LRUCache(cache_size)

    def plan(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, object] | None = None,
        override_labels: frozenset[str] = frozenset(),
    ) -> QueryPlan:
        """The plan of the (already validated) operation, the same for any `variables`;
        raises `PlanningError`.
        """
        labels = override_labels & self.supergraph.model.override_labels
        key: _CacheKey = (_document_hash(document), operation_name, self.supergraph.version, labels)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        definition = select_operation(document, operation_name)
        if has_defer(document):
            plan_operation = partial(self._plan, labels=labels)
            plan = plan_with_defer(self.graph, labels, document, definition, plan_operation)
        else:
            plan = self._plan(normalize(definition, document), labels)
        self._cache[key] = plan
        return plan

    def _plan(self, operation: Operation, labels: frozenset[str]) -> QueryPlan:
        root_type = self.supergraph.model.root_types.get(operation.kind)
        if root_type is None:
            raise PlanningError(f"the supergraph has no {operation.kind} type")
        contexts = ContextArguments(self.supergraph.model)
        operation = contexts.rewrite(operation, root_type)
        decider = Decider(self.graph, labels)
        fetch_graph = FetchGraph(self.supergraph.model)
        root = decider.root(root_type)
        if operation.kind == "mutation":
            previous: str | None = None
            for item in operation.items:
                plan = decider.require(root, (item,))
                graphs = {p.graph for p in plan.items if isinstance(p, FieldPlan)}
                if previous is None or graphs != {previous}:
                    fetch_graph.stage += 1
                previous = next(iter(graphs)) if len(graphs) == 1 else None
                fetch_graph.build_root(plan)
        else:
            plan = decider.require(root, operation.items)
            fetch_graph.build_root(plan)
        merge_leaf_siblings(fetch_graph)
        settle_conditions(fetch_graph)
        batch_siblings(fetch_graph)
        return contexts.attach(emit_plan(fetch_graph, operation))


def _document_hash(document: DocumentNode) -> str:
    source = document.loc.source.body if document.loc is not None else print_ast(document)
    return hashlib.sha256(source.encode()).hexdigest()
