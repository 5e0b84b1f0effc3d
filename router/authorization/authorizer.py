"""Enforcing `@authenticated`, `@requiresScopes` and `@policy` on the requests of a supergraph."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from renku_fed.identity.tokens import Identity
from renku_fed.router.authorization.filter import Decision, OperationAuthorization
from renku_fed.router.authorization.rules import AuthorizationRules, Grant
from renku_fed.router.authorization.settings import AuthorizationSettings
from renku_fed.router.errors import ErrorCode
from renku_fed.router.supergraph import Supergraph

log = logging.getLogger(__name__)

UNAUTHORIZED_MESSAGE = "Unauthorized field or type"


class Authorizer:
    """The supergraph's authorization rules, applied to operations as callers send them."""

    def __init__(
        self, rules: AuthorizationRules, schema: GraphQLSchema, settings: AuthorizationSettings
    ) -> None:
        self._rules = rules
        self._schema = schema
        self._evaluator = settings.policy_evaluator
        self.reject_unauthorized = settings.reject_unauthorized
        self.emit_errors = settings.emit_errors
        if self._evaluator is None and any(r.policies for r in rules.fields.values()):
            log.warning(
                "the supergraph uses @policy but no policy_evaluator is configured: "
                "every field with a policy is refused"
            )

    @classmethod
    def of(cls, supergraph: Supergraph, settings: AuthorizationSettings) -> Authorizer | None:
        """The authorizer of a supergraph; None when it is off or the supergraph has no rules."""
        if not settings.enabled:
            return None
        rules = AuthorizationRules.of(supergraph)
        return None if rules is None else cls(rules, supergraph.api_schema, settings)

    def operation(
        self, document: DocumentNode, definition: OperationDefinitionNode
    ) -> OperationAuthorization | None:
        """The operation prepared for filtering; None when no rule applies to it."""
        prepared = OperationAuthorization(self._rules, self._schema, document, definition)
        return prepared if prepared.required else None

    async def decide(self, operation: OperationAuthorization, identity: Identity) -> Decision:
        """What this caller may run of the operation; evaluates the policies it mentions once."""
        policies: frozenset[str] = frozenset()
        if operation.policies and self._evaluator is not None:
            passed: Any = self._evaluator(identity, set(operation.policies))
            if inspect.isawaitable(passed):
                passed = await passed
            policies = frozenset(passed) & operation.policies
        grant = Grant(identity.is_authenticated, identity.scopes, policies)
        return operation.decide(grant)


def unauthorized_error(path: list[str | int] | None) -> dict[str, Any]:
    """The error of a field removed for the caller, as Apollo Router words it."""
    error: dict[str, Any] = {"message": UNAUTHORIZED_MESSAGE}
    if path is not None:
        error["path"] = path
    error["extensions"] = {"code": ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE}
    return error
