"""The request pipeline: parse, validate, choose the operation, coerce variables, plan, execute.

The streaming entry points (`@defer` answered part by part, subscriptions) are in `streaming.py`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from cachetools import LRUCache
from graphql import (
    DocumentNode,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.observability import metrics
from renku_fed.observability.tracing import span
from renku_fed.router.authorization import (
    Authorizer,
    Decision,
    unauthorized_error,
)
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution import Executor, OperationProjector, SubgraphTransport, TypeIndex
from renku_fed.router.execution.response_policy import ResponseValidation, completion_extensions
from renku_fed.router.limits import OperationLimits, Safelist
from renku_fed.router.operations import (
    Admitted,
    Operation,
    answered,
    check_kind,
    coded,
    forwarded,
    planning_failed,
    refused,
    select_operation,
)
from renku_fed.router.persisted_queries import PersistedQueries
from renku_fed.router.planning import PlanningError, QueryPlan, QueryPlanner
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph

log = logging.getLogger(__name__)

# Override-label sets an operation keeps plans for (one plan serves every @skip/@include value);
# more are planned through the planner's own cache.
_PLANS_PER_OPERATION = 16


@dataclass(frozen=True, slots=True)
class _Document:
    document: DocumentNode | None
    errors: list[dict[str, Any]]


class Gateway:
    """Answers GraphQL requests over one supergraph: the router without its HTTP layer."""

    def __init__(
        self,
        supergraph: Supergraph,
        settings: RouterSettings,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.types = TypeIndex(self.schema)
        self.planner = QueryPlanner(supergraph, cache_size=settings.plan_cache_size)
        self._authorizer = Authorizer.of(supergraph, settings.authorization)
        self.report_unauthorized = self._authorizer is None or self._authorizer.emit_errors
        """Whether a field removed for the caller is reported as an error."""
        self._transport = SubgraphTransport(
            {name: info.url for name, info in supergraph.subgraphs.items()},
            timeout_seconds=settings.subgraph_timeout_seconds,
            transport=transport,
            deduplicate=settings.deduplicate_subgraph_queries,
            shaping=settings.traffic_shaping,
        )
        self.executor = Executor(
            self.schema,
            self._transport,
            self.types,
            mask_subgraph_errors=settings.mask_subgraph_errors,
        )
        self._rules = (
            specified_rules
            if settings.introspection
            else (*specified_rules, NoSchemaIntrospectionCustomRule)
        )
        self._limits = OperationLimits(settings.limits, supergraph, settings.plan_cache_size)
        self.validation = settings.response_validation
        self.mask_errors = settings.mask_subgraph_errors
        manifest = settings.limits.safelist_manifest
        self._persisted = PersistedQueries(
            Safelist.load(manifest) if manifest is not None else None, settings.plan_cache_size
        )
        self._documents: LRUCache[str, _Document] = LRUCache(settings.plan_cache_size)
        self._operations: LRUCache[tuple[str, str | None], Operation] = LRUCache(
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
        return await answered(request, self._execute(request, headers, read_only, identity))

    async def _execute(
        self,
        request: GraphQLRequest,
        headers: Mapping[str, str],
        read_only: bool,
        identity: Identity,
    ) -> GraphQLResponse:
        admitted = await self.admit(request, identity, partial(check_kind, read_only=read_only))
        try:
            plan = self.plan_for(admitted)
        except PlanningError as exc:
            return planning_failed(exc, admitted.operation.name)
        return await self.run(admitted, plan, headers, request.variables)

    async def admit(
        self, request: GraphQLRequest, identity: Identity, check: Callable[[Operation], None]
    ) -> Admitted:
        """The request's operation, if `check` lets its kind through, with its variables and the
        caller's view; GatewayRequestError when refused."""
        query = self._persisted.query(request)
        if not isinstance(query, str) or not query.strip():
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "The request has no GraphQL `query`.", ErrorCode.BAD_REQUEST
                )
            )
        # Some clients send an empty operationName for documents with one anonymous operation.
        operation = self._operation(query, request.operation_name or None)
        check(operation)
        if not isinstance(request.variables, dict | None):
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "`variables` must be a JSON object.", ErrorCode.BAD_REQUEST
                )
            )
        variables = self._coerce(operation, request.variables or {})
        exceeded = self._limits.check(operation.limits, variables)
        if exceeded:
            raise GatewayRequestError(refused(exceeded, operation.limits.definition))
        decision = await self._authorize(operation, identity)
        return Admitted(operation, variables, decision)

    async def run(
        self,
        admitted: Admitted,
        plan: QueryPlan | None,
        headers: Mapping[str, str],
        sent_variables: dict[str, Any] | None,
    ) -> GraphQLResponse:
        """Execute the plan (none: the caller may see nothing) and answer one response."""
        variables = admitted.variables
        data, errors = admitted.operation.projector.introspect(variables, sent_variables)
        failed_paths: Sequence[tuple[str | int, ...]] = ()
        if plan is not None:
            result = await self.executor.execute(plan, variables, forwarded(headers), data)
            data, errors, failed_paths = result.data, [*result.errors, *errors], result.failed_paths
        return self.respond(admitted, data, errors, failed_paths)

    def respond(
        self,
        admitted: Admitted,
        data: dict[str, Any],
        errors: list[dict[str, Any]],
        failed_paths: Sequence[tuple[str | int, ...]],
    ) -> GraphQLResponse:
        """The response: `data` shaped to the client's selection, nulls propagated."""
        problems = errors if self.validation is ResponseValidation.STRICT else []
        projected = admitted.operation.projector.project(
            data,
            errors,
            admitted.variables,
            failed_paths,
            admitted.removed,
            self.report_unauthorized,
            problems,
        )
        extensions = completion_extensions(self.validation, errors, problems)
        name = admitted.operation.name
        return GraphQLResponse(projected, errors, True, 200, name, extensions)

    def plan(self, query: str, operation_name: str | None = None) -> QueryPlan:
        """The query plan of an operation; GatewayRequestError or PlanningError otherwise."""
        operation = self._operation(query, operation_name)
        coerced = self._coerce(operation, {})
        return self.planner.plan(
            operation.document, operation.name, coerced, self._override_labels()
        )

    async def _authorize(self, operation: Operation, identity: Identity) -> Decision | None:
        """The caller's view of the operation; None when no authorization rule applies to it."""
        if self._authorizer is None or operation.authorization is None:
            return None
        decision = await self._authorizer.decide(operation.authorization, identity)
        if decision.removed and self._authorizer.reject_unauthorized:
            errors = [unauthorized_error(list(path)) for path in decision.paths]
            raise GatewayRequestError(GraphQLResponse(None, errors, False, 403, operation.name))
        return decision

    def plan_for(self, admitted: Admitted) -> QueryPlan | None:
        """The plan of the caller's view (None: nothing to fetch), an unfiltered one from the
        operation's own cache; PlanningError if it cannot be planned."""
        operation, decision, variables = admitted.operation, admitted.decision, admitted.variables
        labels = self._override_labels()
        if decision is not None:
            document = decision.document
            if document is None:
                return None
            with span("plan", operation=operation.name or ""):
                return self.planner.plan(document, operation.name, variables, labels)
        key = labels
        plan = operation.plans.get(key)
        if plan is not None:
            metrics.PLAN_HIT.inc()
        else:
            metrics.PLAN_MISS.inc()
            with span("plan", operation=operation.name or ""):
                plan = self.planner.plan(operation.document, operation.name, variables, labels)
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
            return _Document(None, [coded(exc, ErrorCode.GRAPHQL_PARSE_FAILED)])
        errors = validate(self.schema, document, self._rules)
        if errors:
            return _Document(None, [coded(e, ErrorCode.GRAPHQL_VALIDATION_FAILED) for e in errors])
        return _Document(document, [])

    def _operation(self, query: str, operation_name: str | None) -> Operation:
        key = (query, operation_name)
        cached = self._operations.get(key)
        if cached is not None:
            metrics.OPERATION_HIT.inc()
            return cached
        metrics.OPERATION_MISS.inc()
        parsed = document = self._document(query)
        definition = select_operation(document, operation_name)
        limits = self._limits.analyse(query, document, definition)
        if limits.exceeded:
            # Refused before authorization and projection do any work for it.
            raise GatewayRequestError(refused(limits.exceeded, definition))
        authorization = (
            None if self._authorizer is None else self._authorizer.operation(document, definition)
        )
        if authorization is not None:
            # Projected with fragments inlined, so each removed field is known by its node.
            document, definition = authorization.document, authorization.definition
        projector = OperationProjector(self.schema, document, definition, self.types)
        name = definition.name.value if definition.name else None
        operation = Operation(
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

    def _coerce(self, operation: Operation, variables: dict[str, Any]) -> dict[str, Any]:
        definitions = operation.definition.variable_definitions or ()
        if not definitions:
            return {}
        result = get_variable_values(self.schema, definitions, variables)
        if isinstance(result, list):
            raise GatewayRequestError(
                GraphQLResponse(
                    None,
                    [coded(e, ErrorCode.BAD_USER_INPUT) for e in result],
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
