"""The streaming entry points of a gateway: `@defer` answered part by part, and subscriptions
admitted, planned and completed event by event (ARCHITECTURE.md, "The path of one request")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from graphql import OperationType

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.router.authorization import unauthorized_error
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution.errors import redacted, root_errors
from renku_fed.router.execution.incremental import (
    Delivery,
    IncrementalResponse,
    PartProjectors,
    Projection,
    active_defer,
)
from renku_fed.router.gateway import Gateway
from renku_fed.router.operations import (
    Admitted,
    Operation,
    answered,
    check_kind,
    forwarded,
    planning_failed,
)
from renku_fed.router.planning import PlanningError
from renku_fed.router.planning.defer_parts import defer_values, deferred_documents
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse
from renku_fed.router.subscriptions.plan import Subscription, SubscriptionPlan
from renku_fed.router.subscriptions.plan import split as split_subscription


async def execute_incremental(
    gateway: Gateway,
    request: GraphQLRequest,
    headers: Mapping[str, str],
    *,
    read_only: bool = False,
    identity: Identity = ANONYMOUS,
) -> GraphQLResponse | IncrementalResponse:
    """As `Gateway.execute`, but an operation with active `@defer` fragments answers its primary
    part first and the deferred parts as they complete. Never raises."""
    deferred = _deferred(gateway, request, headers, read_only, identity)
    return await answered(request, deferred)


async def _deferred(
    gateway: Gateway,
    request: GraphQLRequest,
    headers: Mapping[str, str],
    read_only: bool,
    identity: Identity,
) -> GraphQLResponse | IncrementalResponse:
    admitted = await gateway.admit(request, identity, partial(check_kind, read_only=read_only))
    try:
        plan = gateway.plan_for(admitted)
    except PlanningError as exc:
        return planning_failed(exc, admitted.operation.name)
    defer = active_defer(plan.node, admitted.variables) if plan is not None else None
    if plan is None or defer is None:
        return await gateway.run(admitted, plan, headers, request.variables)
    data, errors = admitted.operation.projector.introspect(admitted.variables, request.variables)
    projection = _projection(gateway, admitted)
    delivery = Delivery(
        gateway.executor, gateway.types, plan, defer, projection, forwarded(headers)
    )
    initial = await delivery.primary(data, errors)
    name = admitted.operation.name
    response = GraphQLResponse(initial.data, initial.errors, True, 200, name, initial.extensions)
    return IncrementalResponse(response, delivery.subsequent(), delivery.cancel)


def _projection(gateway: Gateway, admitted: Admitted) -> Projection:
    """How a deferred operation's parts are shaped for the client, for these variables."""
    operation, variables = admitted.operation, admitted.variables
    values = defer_values(operation.document, variables)
    projectors = operation.deferred.get(values)
    if projectors is None:
        pairs: list[tuple[int, int]] = []
        primary, parts = deferred_documents(
            gateway.planner.graph, operation.document, operation.definition, values, pairs
        )
        projectors = operation.deferred[values] = PartProjectors.of(
            gateway.schema, gateway.types, primary, parts, pairs
        )
    return Projection(
        projectors.primary,
        projectors.parts,
        variables,
        projectors.removed(admitted.removed),
        gateway.report_unauthorized,
        gateway.validation,
    )


async def subscribe(gateway: Gateway, request: GraphQLRequest, identity: Identity) -> Subscription:
    """Admit a subscription as a query is admitted, and plan it; GatewayRequestError if not."""
    admitted = await gateway.admit(request, identity, _only_subscriptions)
    name = admitted.operation.name
    try:
        plan = gateway.plan_for(admitted)
    except PlanningError as exc:
        raise GatewayRequestError(
            GraphQLResponse.request_error(str(exc), ErrorCode.QUERY_PLANNING_FAILED)
        ) from exc
    if plan is None:
        raise GatewayRequestError(GraphQLResponse(None, [unauthorized_error([])], False, 403, name))
    split_plan = split_subscription(plan)
    complete = partial(_complete_event, gateway, admitted, split_plan)
    return Subscription(split_plan, admitted.variables, name, complete)


def subgraph_errors(
    gateway: Gateway, errors: list[dict[str, Any]], service: str
) -> list[dict[str, Any]]:
    """A subscription's errors from its subgraph as the client sees them (masked if set)."""
    return root_errors(redacted(errors) if gateway.mask_errors else errors, service)


async def _complete_event(
    gateway: Gateway,
    admitted: Admitted,
    plan: SubscriptionPlan,
    payload: dict[str, Any],
    headers: Mapping[str, str],
) -> GraphQLResponse:
    """One event of a subscription: the rest of its plan run on the event's data."""
    data = payload.get("data")
    data = data if isinstance(data, dict) else {}
    errors = subgraph_errors(gateway, payload.get("errors") or [], plan.primary.service)
    failed_paths: Sequence[tuple[str | int, ...]] = ()
    if plan.rest.node is not None:
        variables, sent = admitted.variables, forwarded(headers)
        result = await gateway.executor.execute(plan.rest, variables, sent, data)
        data, errors, failed_paths = result.data, [*errors, *result.errors], result.failed_paths
    return gateway.respond(admitted, data, errors, failed_paths)


def _only_subscriptions(operation: Operation) -> None:
    if operation.definition.operation is not OperationType.SUBSCRIPTION:
        raise GatewayRequestError(
            GraphQLResponse.request_error(
                "Only subscriptions are streamed; send queries and mutations as requests.",
                ErrorCode.BAD_REQUEST,
                operation_name=operation.name,
            )
        )
