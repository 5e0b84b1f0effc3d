"""Authorization directives: fields a caller may not see are removed before planning."""

from renku_fed.router.authorization.authorizer import Authorizer, unauthorized_error
from renku_fed.router.authorization.filter import Decision, OperationAuthorization
from renku_fed.router.authorization.rules import AuthorizationRules, Grant, Requirement
from renku_fed.router.authorization.settings import AuthorizationSettings, PolicyEvaluator

__all__ = [
    "AuthorizationRules",
    "AuthorizationSettings",
    "Authorizer",
    "Decision",
    "Grant",
    "OperationAuthorization",
    "PolicyEvaluator",
    "Requirement",
    "unauthorized_error",
]
