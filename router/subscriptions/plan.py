"""A subscription's plan: the primary fetch that opens the event stream, and the rest per event.

The query planner plans a subscription as it plans a query: its one root field comes from one
subgraph (the primary fetch) and the fields other subgraphs resolve are entity fetches after
it. Apollo's plans print this as `Subscription { Primary, Rest }`; `split` cuts the query plan
the same way, and the executor runs the rest on every event's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from renku_fed.router.planning import PlanningError, QueryPlan
from renku_fed.router.planning.nodes import FetchNode, SequenceNode
from renku_fed.router.request import GraphQLResponse


@dataclass(frozen=True, slots=True)
class SubscriptionPlan:
    """The primary fetch, sent to its subgraph once, and the plan run on each event."""

    primary: FetchNode
    rest: QueryPlan


def split(plan: QueryPlan) -> SubscriptionPlan:
    """Cut a subscription's query plan after its root fetch; PlanningError for other shapes."""
    node = plan.node
    if isinstance(node, FetchNode) and node.requires is None:
        return SubscriptionPlan(node, QueryPlan(None))
    if isinstance(node, SequenceNode) and node.nodes:
        first, *rest = node.nodes
        if isinstance(first, FetchNode) and first.requires is None:
            following = rest[0] if len(rest) == 1 else SequenceNode(tuple(rest))
            return SubscriptionPlan(first, QueryPlan(following))
    raise PlanningError("a subscription's plan must start with one fetch of its root field")


Completer = Callable[[dict[str, Any], Mapping[str, str]], Awaitable[GraphQLResponse]]
"""Turns one event's payload (data, errors) into the client's response, given its headers."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription the gateway admitted: where its events come from and how each completes."""

    plan: SubscriptionPlan
    variables: dict[str, Any]
    operation_name: str | None
    complete: Completer

    @property
    def service(self) -> str:
        """The subgraph that sends the events."""
        return self.plan.primary.service

    def upstream_variables(self) -> dict[str, Any]:
        """The primary fetch's variables, from the client's."""
        used = self.plan.primary.variable_usages
        return {name: self.variables[name] for name in used if name in self.variables}
