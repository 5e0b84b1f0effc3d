"""The request pipeline: parse, validate, choose the operation, coerce variables, plan, execute."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
from cachetools import LRUCache
from graphql import (
    DocumentNode,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.observability import metrics
from renku_fed.observability.request_id import HEADER as REQUEST_ID_HEADER
from renku_fed.observability.request_id import current_request_id
from renku_fed.observability.tracing import span
from renku_fed.router.authorization import (
    Authorizer,
    Decision,
    OperationAuthorization,
    unauthorized_error,
)
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution import Executor, OperationProjector, SubgraphTransport, TypeIndex
from renku_fed.router.execution.errors import redacted, root_errors
from renku_fed.router.execution.incremental import (
    Delivery,
    IncrementalResponse,
    PartProjectors,
    Projection,
    active_defer,
)
from renku_fed.router.execution.response_policy import ResponseValidation, completion_extensions
from renku_fed.router.limits import LimitExceeded, OperationLimits, Safelist
from renku_fed.router.limits.operation_limits import OperationAnalysis
from renku_fed.router.persisted_queries import PersistedQueries
from renku_fed.router.planning import PlanningError, QueryPlan, QueryPlanner
from renku_fed.router.planning.defer_parts import defer_values, deferred_documents
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse
from renku_fed.router.settings import RouterSettings
from renku_fed.router.subscriptions.plan import Subscription, SubscriptionPlan
from renku_fed.router.subscriptions.plan import split as split_subscription
from renku_fed.router.supergraph import Supergraph

log = logging.getLogger(__name__)

_FORWARDED_HEADERS = ("authorization",)
# Override-label sets an operation keeps plans for (one plan serves every @skip/@include value);
# more are planned through the planner's own cache.
_PLANS_PER_OPERATION = 16


@dataclass(frozen=True, slots=True)
class _Document:
    document: DocumentNode | None
    errors: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Operation:
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


class Gateway:
    """Answers GraphQL requests over one supergraph: the router without its HTTP layer."""

    def __init__(
        self,
        supergraph: Supergraph,
        settings: RouterSettings,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.supergraph = supergraph
        self._schema = supergraph.api_schema
        self._types = TypeIndex(self._schema)
        self._planner = QueryPlanner(supergraph, cache_size=settings.plan_cache_size)
        self._authorizer = Authorizer.of(supergraph, settings.authorization)
        self._transport = SubgraphTransport(
            {name: info.url for name, info in supergraph.subgraphs.items()},
            timeout_seconds=settings.subgraph_timeout_seconds,
            transport=transport,
            deduplicate=settings.deduplicate_subgraph_queries,
            shaping=settings.traffic_shaping,
        )
        self._executor = Executor(
            self._schema,
            self._transport,
            self._types,
            mask_subgraph_errors=settings.mask_subgraph_errors,
        )
        self._rules = (
            specified_rules
            if settings.introspection
            else (*specified_rules, NoSchemaIntrospectionCustomRule)
        )
        self._limits = OperationLimits(settings.limits, supergraph, settings.plan_cache_size)
        self._validation = settings.response_validation
        self._mask_errors = settings.mask_subgraph_errors
        manifest = settings.limits.safelist_manifest
        self._persisted = PersistedQueries(
            Safelist.load(manifest) if manifest is not None else None, settings.plan_cache_size
        )
        self._documents: LRUCache[str, _Document] = LRUCache(settings.plan_cache_size)
        self._operations: LRUCache[tuple[str, str | None], _Operation] = LRUCache(
            settings.plan_cache_size
        )
        self._percent_labels = tuple(
            (label, float(label[len("percent(") : -1]))
            for label in supergraph.model.override_labels
            if label.startswith("percent(") and label.endswith(")")
        )

    async def aclose(self) -> None:
        """Close the connections to the subgraphs."""
        await self._transport.aclose()

    async def execute(
        self,
        request: GraphQLRequest,
        headers: Mapping[str, str],
        *,
        read_only: bool = False,
        identity: Identity = ANONYMOUS,
    ) -> GraphQLResponse:
        """Run one request; `read_only` (a GET) refuses mutations. Never raises.

        `identity` is the verified caller, whom the supergraph's authorization directives judge.
        """
        try:
            result = await self._execute(request, headers, read_only, identity)
            # without `incremental`, deferred parts are merged into the one response
            assert isinstance(result, GraphQLResponse)
            return result
        except GatewayRequestError as exc:
            return exc.response
        except Exception:
            log.exception("request failed", extra={"operation": request.operation_name})
            return GraphQLResponse.request_error(
                "Internal server error; the failure has been logged.",
                ErrorCode.INTERNAL_SERVER_ERROR,
                operation_name=request.operation_name,
            )

    async def execute_incremental(
        self,
        request: GraphQLRequest,
        headers: Mapping[str, str],
        *,
        read_only: bool = False,
        identity: Identity = ANONYMOUS,
    ) -> GraphQLResponse | IncrementalResponse:
        """As `execute`, but an operation with active `@defer` fragments answers its primary
        part first and the deferred parts as they complete.
        """
        try:
            return await self._execute(request, headers, read_only, identity, incremental=True)
        except GatewayRequestError as exc:
            return exc.response
        except Exception:
            log.exception("request failed", extra={"operation": request.operation_name})
            return GraphQLResponse.request_error(
                "Internal server error; the failure has been logged.",
                ErrorCode.INTERNAL_SERVER_ERROR,
                operation_name=request.operation_name,
            )

    def plan(self, query: str, operation_name: str | None = None) -> QueryPlan:
        """The query plan of an operation; GatewayRequestError or PlanningError otherwise."""
        operation = self._operation(query, operation_name)
        coerced = self._coerce(operation, {})
        return self._planner.plan(
            operation.document, operation.name, coerced, self._override_labels()
        )

    async def _execute(
        self,
        request: GraphQLRequest,
        headers: Mapping[str, str],
        read_only: bool,
        identity: Identity,
        incremental: bool = False,
    ) -> GraphQLResponse | IncrementalResponse:
        query = self._persisted.query(request)
        if not isinstance(query, str) or not query.strip():
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "The request has no GraphQL `query`.", ErrorCode.BAD_REQUEST
                )
            )
        # Some clients send an empty operationName for documents with one anonymous operation.
        operation = self._operation(query, request.operation_name or None)
        _check_kind(operation, read_only)
        if not isinstance(request.variables, dict | None):
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "`variables` must be a JSON object.", ErrorCode.BAD_REQUEST
                )
            )
        variables = self._coerce(operation, request.variables or {})
        exceeded = self._limits.check(operation.limits, variables)
        if exceeded:
            raise GatewayRequestError(_refused(exceeded, operation.limits.definition))
        decision = await self._authorize(operation, identity)
        plan = None
        try:
            plan = self._plan(operation, decision, variables)
        except PlanningError as exc:
            error = {"message": str(exc), "extensions": {"code": ErrorCode.QUERY_PLANNING_FAILED}}
            return GraphQLResponse(None, [error], True, 200, operation.name)
        projector = operation.projector
        data, errors = projector.introspect(variables, request.variables)
        failed_paths: Sequence[tuple[str | int, ...]] = ()
        defer = active_defer(plan.node, variables) if incremental and plan is not None else None
        if plan is not None and defer is not None:
            projection = self._projection(operation, decision, variables)
            delivery = Delivery(
                self._executor, self._types, plan, defer, projection, _forwarded(headers)
            )
            initial = await delivery.primary(data, errors)
            response = GraphQLResponse(
                initial.data, initial.errors, True, 200, operation.name, initial.extensions
            )
            return IncrementalResponse(response, delivery.subsequent(), delivery.cancel)
        if plan is not None:
            result = await self._executor.execute(plan, variables, _forwarded(headers), data)
            data, errors, failed_paths = result.data, [*result.errors, *errors], result.failed_paths
        removed = frozenset[int]() if decision is None else decision.removed
        report = self._authorizer is None or self._authorizer.emit_errors
        problems = errors if self._validation is ResponseValidation.STRICT else []
        projected = projector.project(
            data, errors, variables, failed_paths, removed, report, problems
        )
        extensions = completion_extensions(self._validation, errors, problems)
        return GraphQLResponse(projected, errors, True, 200, operation.name, extensions)

    async def subscription(self, request: GraphQLRequest, identity: Identity) -> Subscription:
        """Admit a subscription as a query is admitted, and plan it; GatewayRequestError if not."""
        query = self._persisted.query(request)
        if not isinstance(query, str) or not query.strip():
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "The request has no GraphQL `query`.", ErrorCode.BAD_REQUEST
                )
            )
        operation = self._operation(query, request.operation_name or None)
        if operation.definition.operation is not OperationType.SUBSCRIPTION:
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "Only subscriptions are streamed; send queries and mutations as requests.",
                    ErrorCode.BAD_REQUEST,
                    operation_name=operation.name,
                )
            )
        variables = self._coerce(operation, request.variables or {})
        exceeded = self._limits.check(operation.limits, variables)
        if exceeded:
            raise GatewayRequestError(_refused(exceeded, operation.limits.definition))
        decision = await self._authorize(operation, identity)
        try:
            plan = self._plan(operation, decision, variables)
        except PlanningError as exc:
            raise GatewayRequestError(
                GraphQLResponse.request_error(str(exc), ErrorCode.QUERY_PLANNING_FAILED)
            ) from exc
        if plan is None:
            raise GatewayRequestError(
                GraphQLResponse(None, [unauthorized_error([])], False, 403, operation.name)
            )
        removed = frozenset[int]() if decision is None else decision.removed
        split_plan = split_subscription(plan)
        complete = partial(self._complete_event, operation, split_plan, variables, removed)
        return Subscription(split_plan, variables, operation.name, complete)

    def subgraph_errors(self, errors: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
        """A subscription's errors from its subgraph as the client sees them (masked if set)."""
        return root_errors(redacted(errors) if self._mask_errors else errors, service)

    async def _complete_event(
        self,
        operation: _Operation,
        plan: SubscriptionPlan,
        variables: dict[str, Any],
        removed: frozenset[int],
        payload: dict[str, Any],
        headers: Mapping[str, str],
    ) -> GraphQLResponse:
        """One event of a subscription: the rest of its plan run on the event's data."""
        data = payload.get("data")
        data = data if isinstance(data, dict) else {}
        errors = self.subgraph_errors(payload.get("errors") or [], plan.primary.service)
        failed_paths: Sequence[tuple[str | int, ...]] = ()
        if plan.rest.node is not None:
            result = await self._executor.execute(plan.rest, variables, _forwarded(headers), data)
            data, errors, failed_paths = result.data, [*errors, *result.errors], result.failed_paths
        report = self._authorizer is None or self._authorizer.emit_errors
        problems = errors if self._validation is ResponseValidation.STRICT else []
        projected = operation.projector.project(
            data, errors, variables, failed_paths, removed, report, problems
        )
        extensions = completion_extensions(self._validation, errors, problems)
        return GraphQLResponse(projected, errors, True, 200, operation.name, extensions)

    def _projection(
        self, operation: _Operation, decision: Decision | None, variables: dict[str, Any]
    ) -> Projection:
        """How a deferred operation's parts are shaped for the client, for these variables."""
        values = defer_values(operation.document, variables)
        projectors = operation.deferred.get(values)
        if projectors is None:
            pairs: list[tuple[int, int]] = []
            primary, parts = deferred_documents(
                self._planner.graph, operation.document, operation.definition, values, pairs
            )
            projectors = operation.deferred[values] = PartProjectors.of(
                self._schema, self._types, primary, parts, pairs
            )
        return Projection(
            projectors.primary,
            projectors.parts,
            variables,
            projectors.removed(frozenset() if decision is None else decision.removed),
            self._authorizer is None or self._authorizer.emit_errors,
            self._validation,
        )

    async def _authorize(self, operation: _Operation, identity: Identity) -> Decision | None:
        """The caller's view of the operation; None when no authorization rule applies to it."""
        if self._authorizer is None or operation.authorization is None:
            return None
        decision = await self._authorizer.decide(operation.authorization, identity)
        if decision.removed and self._authorizer.reject_unauthorized:
            errors = [unauthorized_error(list(path)) for path in decision.paths]
            raise GatewayRequestError(GraphQLResponse(None, errors, False, 403, operation.name))
        return decision

    def _plan(
        self, operation: _Operation, decision: Decision | None, variables: dict[str, Any]
    ) -> QueryPlan | None:
        """The plan of the caller's view; an unfiltered one from the operation's own cache."""
        labels = self._override_labels()
        if decision is not None:
            document = decision.document
            if document is None:
                return None
            with span("plan", operation=operation.name or ""):
                return self._planner.plan(document, operation.name, variables, labels)
        key = labels
        plan = operation.plans.get(key)
        if plan is not None:
            metrics.PLAN_HIT.inc()
        else:
            metrics.PLAN_MISS.inc()
            with span("plan", operation=operation.name or ""):
                plan = self._planner.plan(operation.document, operation.name, variables, labels)
            if len(operation.plans) < _PLANS_PER_OPERATION:
                operation.plans[key] = plan
        return plan

    def _document(self, query: str) -> DocumentNode:
        cached = self._documents.get(query)
        if cached is None:
            with span("parse"):
                cached = self._documents[query] = self._parse_and_validate(query)
        if cached.document is None:
            raise GatewayRequestError(GraphQLResponse(None, cached.errors, False, 400))
        return cached.document

    def _parse_and_validate(self, query: str) -> _Document:
        try:
            document = self._limits.parse(query)
        except GraphQLError as exc:
            too_long = self._limits.token_error(exc)
            if too_long is not None:
                return _Document(None, [too_long.error()])
            return _Document(None, [_coded(exc, ErrorCode.GRAPHQL_PARSE_FAILED)])
        errors = validate(self._schema, document, self._rules)
        if errors:
            return _Document(None, [_coded(e, ErrorCode.GRAPHQL_VALIDATION_FAILED) for e in errors])
        return _Document(document, [])

    def _operation(self, query: str, operation_name: str | None) -> _Operation:
        key = (query, operation_name)
        cached = self._operations.get(key)
        if cached is not None:
            metrics.OPERATION_HIT.inc()
            return cached
        metrics.OPERATION_MISS.inc()
        parsed = document = self._document(query)
        definition = _select_operation(document, operation_name)
        limits = self._limits.analyse(query, document, definition)
        if limits.exceeded:
            # Refused before authorization and projection do any work for it.
            raise GatewayRequestError(_refused(limits.exceeded, definition))
        authorization = (
            None if self._authorizer is None else self._authorizer.operation(document, definition)
        )
        if authorization is not None:
            # Projected with fragments inlined, so each removed field is known by its node.
            document, definition = authorization.document, authorization.definition
        projector = OperationProjector(self._schema, document, definition, self._types)
        name = definition.name.value if definition.name else None
        operation = _Operation(
            parsed,
            definition,
            name,
            projector,
            authorization,
            limits,
            {},
        )
        self._operations[key] = operation
        return operation

    def _coerce(self, operation: _Operation, variables: dict[str, Any]) -> dict[str, Any]:
        definitions = operation.definition.variable_definitions or ()
        if not definitions:
            return {}
        result = get_variable_values(self._schema, definitions, variables)
        if isinstance(result, list):
            raise GatewayRequestError(
                GraphQLResponse(
                    None,
                    [_coded(e, ErrorCode.BAD_USER_INPUT) for e in result],
                    False,
                    400,
                    operation.name,
                )
            )
        return result.coerced

    def _override_labels(self) -> frozenset[str]:
        if not self._percent_labels:
            return frozenset()
        draw = random.uniform(0, 100)
        return frozenset(label for label, percent in self._percent_labels if draw < percent)


def _select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode:
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


def _check_kind(operation: _Operation, read_only: bool) -> None:
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


def _refused(
    exceeded: Sequence[LimitExceeded], definition: OperationDefinitionNode
) -> GraphQLResponse:
    name = definition.name.value if definition.name else None
    return GraphQLResponse(None, [e.error() for e in exceeded], False, 400, name)


def _coded(error: GraphQLError, code: ErrorCode) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _forwarded(headers: Mapping[str, str]) -> dict[str, str]:
    forwarded = {
        name.lower(): value for name, value in headers.items() if name.lower() in _FORWARDED_HEADERS
    }
    request_id = current_request_id()
    if request_id is not None:
        forwarded[REQUEST_ID_HEADER] = request_id
    return forwarded
