"""One operation on its way through the gateway: what is known of it once parsed and admitted,
and the checks and answers the query and streaming entry points share."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType

from renku_fed.observability.request_id import HEADER as REQUEST_ID_HEADER
from renku_fed.observability.request_id import current_request_id
from renku_fed.router.authorization import Decision, OperationAuthorization
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution import OperationProjector
from renku_fed.router.execution.incremental import IncrementalResponse, PartProjectors
from renku_fed.router.limits import LimitExceeded
from renku_fed.router.limits.operation_limits import OperationAnalysis
from renku_fed.router.planning import PlanningError, QueryPlan
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse

# The gateway's logger: a failed request is logged under the name it always had.
log = logging.getLogger("renku_fed.router.gateway")

Answer = TypeVar("Answer", bound=GraphQLResponse | IncrementalResponse)

_FORWARDED_HEADERS = ("authorization",)


@dataclass(frozen=True, slots=True)
class Operation:
    """Everything known of one operation of one document once it was parsed and validated."""

    document: DocumentNode
    definition: OperationDefinitionNode
    name: str | None
    projector: OperationProjector
    authorization: OperationAuthorization | None
    limits: OperationAnalysis
    plans: dict[frozenset[str], QueryPlan]
    """Plans of the unfiltered document by override labels."""
    deferred: dict[tuple[bool, ...], PartProjectors] = field(default_factory=dict)
    """Projectors of the primary and each deferred part, by the `@defer(if:)` variable values."""


@dataclass(frozen=True, slots=True)
class Admitted:
    """An operation admitted for one caller: its coerced variables and the caller's view."""

    operation: Operation
    variables: dict[str, Any]
    decision: Decision | None

    @property
    def removed(self) -> frozenset[int]:
        """The fields the caller may not see, by node."""
        return frozenset() if self.decision is None else self.decision.removed


def select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """The operation the request names, or the document's only one; refused otherwise."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == operation_name:
                return operation
        raise GatewayRequestError(
            GraphQLResponse.request_error(
                f'Unknown operation named "{operation_name}".',
                ErrorCode.OPERATION_RESOLUTION_FAILURE,
            )
        )
    if len(operations) == 1:
        return operations[0]
    names = ", ".join(o.name.value for o in operations if o.name is not None)
    raise GatewayRequestError(
        GraphQLResponse.request_error(
            f"The document holds several operations; choose one with `operationName` ({names}).",
            ErrorCode.OPERATION_RESOLUTION_FAILURE,
        )
    )


async def answered(request: GraphQLRequest, answer: Awaitable[Answer]) -> Answer | GraphQLResponse:
    """The answer, or the refusal it raised; an unexpected failure logged and answered as one."""
    try:
        return await answer
    except GatewayRequestError as exc:
        return exc.response
    except Exception:
        log.exception("request failed", extra={"operation": request.operation_name})
        return GraphQLResponse.request_error(
            "Internal server error; the failure has been logged.",
            ErrorCode.INTERNAL_SERVER_ERROR,
            operation_name=request.operation_name,
        )


def planning_failed(exc: PlanningError, operation_name: str | None) -> GraphQLResponse:
    """The answer to an operation the planner could not plan."""
    error = {"message": str(exc), "extensions": {"code": ErrorCode.QUERY_PLANNING_FAILED}}
    return GraphQLResponse(None, [error], True, 200, operation_name)


def check_kind(operation: Operation, read_only: bool) -> None:
    """Refuse a subscription (streamed elsewhere), and all but a query with GET (`read_only`)."""
    kind = operation.definition.operation
    if read_only and kind is not OperationType.QUERY:
        raise GatewayRequestError(
            GraphQLResponse.request_error(
                f"Only queries may be sent with GET; send this {kind.value} with POST.",
                ErrorCode.METHOD_NOT_ALLOWED,
                operation_name=operation.name,
            )
        )
    if kind is OperationType.SUBSCRIPTION:
        raise GatewayRequestError(
            GraphQLResponse.request_error(
                "Subscriptions are streamed: open a graphql-transport-ws WebSocket at this path, "
                'or POST with `Accept: multipart/mixed;subscriptionSpec="1.0"`.',
                ErrorCode.OPERATION_NOT_SUPPORTED,
                operation_name=operation.name,
            )
        )


def refused(
    exceeded: Sequence[LimitExceeded], definition: OperationDefinitionNode
) -> GraphQLResponse:
    """The answer to an operation over its limits."""
    name = definition.name.value if definition.name else None
    return GraphQLResponse(None, [e.error() for e in exceeded], False, 400, name)


def coded(error: GraphQLError, code: ErrorCode) -> dict[str, Any]:
    """A GraphQL error as the client sees it, with `code` in its extensions."""
    formatted: dict[str, Any] = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def forwarded(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers a subgraph call carries: the token and the request id."""
    forwarded = {
        name.lower(): value for name, value in headers.items() if name.lower() in _FORWARDED_HEADERS
    }
    request_id = current_request_id()
    if request_id is not None:
        forwarded[REQUEST_ID_HEADER] = request_id
    return forwarded
