"""Authorization directives: fields a caller may not see are removed before planning."""

from router.authorization.authorizer import Authorizer, unauthorized_error
from router.authorization.filter import Decision, OperationAuthorization
from router.authorization.rules import AuthorizationRules, Grant, Requirement
from router.authorization.settings import AuthorizationSettings, PolicyEvaluator

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
