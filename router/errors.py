"""The router's error codes: every `extensions.code` the router itself writes, in one enum.

A code's status is that of a response refusing the whole request with it (under
`application/graphql-response+json`; the HTTP layer answers 200 instead under
`application/json` for a well-formed request, see `router/http/app.py`). Codes that stand next
to data, such as a failed subgraph call, carry 200. The README's "Errors" section lists them all,
and `tests/test_error_catalogue.py` checks that it does.
"""

from __future__ import annotations

from http import HTTPStatus

from renku_fed.identity.errors import ErrorCode as IdentityErrorCode
from renku_fed.identity.errors import HttpErrorCode

_OK, _BAD = HTTPStatus.OK, HTTPStatus.BAD_REQUEST


class ErrorCode(HttpErrorCode):
    """Every code the router answers with; the bearer-token codes are identity's own."""

    # The request itself
    BAD_REQUEST = (
        "BAD_REQUEST",
        _BAD,
        "The HTTP request is malformed (not JSON, no `query`, wrong media type or too large, "
        "or a cross-site request with a session cookie); fix the request.",
    )
    METHOD_NOT_ALLOWED = (
        "METHOD_NOT_ALLOWED",
        HTTPStatus.METHOD_NOT_ALLOWED,
        "A mutation was sent with GET; send it with POST.",
    )
    SERVICE_UNAVAILABLE = (
        "SERVICE_UNAVAILABLE",
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The router has no supergraph yet (still starting); retry in a moment.",
    )
    INTERNAL_SERVER_ERROR = (
        "INTERNAL_SERVER_ERROR",
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "The router failed unexpectedly; the failure is logged with the request id.",
    )
    # Who is calling
    UNAUTHENTICATED = IdentityErrorCode.UNAUTHENTICATED.definition
    IDENTITY_PROVIDER_UNAVAILABLE = IdentityErrorCode.IDENTITY_PROVIDER_UNAVAILABLE.definition
    SESSION_STORE_UNAVAILABLE = (
        "SESSION_STORE_UNAVAILABLE",
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The browser-session store (Redis) cannot be reached; retry later.",
    )
    RATE_LIMITED = (
        "RATE_LIMITED",
        HTTPStatus.TOO_MANY_REQUESTS,
        "The caller sent more requests than `limits.rate_*` allow; retry after `Retry-After`.",
    )
    SUBSCRIPTION_LIMIT_EXCEEDED = (
        "SUBSCRIPTION_LIMIT_EXCEEDED",
        HTTPStatus.TOO_MANY_REQUESTS,
        "The client holds `subscriptions.max_per_client` subscriptions already; complete one "
        "first.",
    )
    # The document
    GRAPHQL_PARSE_FAILED = (
        "GRAPHQL_PARSE_FAILED",
        _BAD,
        "The query is not valid GraphQL syntax; fix it at the error's location.",
    )
    GRAPHQL_VALIDATION_FAILED = (
        "GRAPHQL_VALIDATION_FAILED",
        _BAD,
        "The query does not fit the supergraph's schema; fix it as the message says.",
    )
    OPERATION_RESOLUTION_FAILURE = (
        "OPERATION_RESOLUTION_FAILURE",
        _BAD,
        "`operationName` names no operation of the document, or several need one; name one.",
    )
    OPERATION_NOT_SUPPORTED = (
        "OPERATION_NOT_SUPPORTED",
        _BAD,
        "The operation is a subscription, which the router does not serve.",
    )
    BAD_USER_INPUT = (
        "BAD_USER_INPUT",
        _BAD,
        "A variable is missing or does not fit its type; send variables that fit.",
    )
    PERSISTED_QUERY_NOT_FOUND = (
        "PERSISTED_QUERY_NOT_FOUND",
        _OK,
        "The hash of an automatic persisted query is not cached; resend with the query text.",
    )
    PERSISTED_QUERY_HASH_MISMATCH = (
        "PERSISTED_QUERY_HASH_MISMATCH",
        _BAD,
        "`persistedQuery.sha256Hash` is not the hash of the query sent; fix the hash.",
    )
    PERSISTED_QUERY_NOT_IN_SAFELIST = (
        "PERSISTED_QUERY_NOT_IN_SAFELIST",
        _BAD,
        "The operation is not in `limits.safelist_manifest`; add it to the manifest.",
    )
    # Protection limits (router/limits/)
    MAX_TOKENS_EXCEEDED = (
        "MAX_TOKENS_EXCEEDED",
        _BAD,
        "The document has more lexical tokens than `limits.max_tokens`; shorten it.",
    )
    MAX_DEPTH_EXCEEDED = (
        "MAX_DEPTH_EXCEEDED",
        _BAD,
        "Fields are nested deeper than `limits.max_depth`; ask for less at once.",
    )
    MAX_ALIASES_EXCEEDED = (
        "MAX_ALIASES_EXCEEDED",
        _BAD,
        "The operation has more aliases than `limits.max_aliases`; use fewer.",
    )
    MAX_ROOT_FIELDS_EXCEEDED = (
        "MAX_ROOT_FIELDS_EXCEEDED",
        _BAD,
        "The operation has more root fields than `limits.max_root_fields`; split it.",
    )
    MAX_FIELDS_EXCEEDED = (
        "MAX_FIELDS_EXCEEDED",
        _BAD,
        "The operation selects more fields than `limits.max_fields`; split it.",
    )
    COST_ESTIMATED_TOO_EXPENSIVE = (
        "COST_ESTIMATED_TOO_EXPENSIVE",
        _BAD,
        "The estimated cost is above `limits.max_cost`; ask for smaller pages or fewer fields.",
    )
    # Authorization, planning and execution
    UNAUTHORIZED_FIELD_OR_TYPE = (
        "UNAUTHORIZED_FIELD_OR_TYPE",
        HTTPStatus.FORBIDDEN,
        "The caller may not see a field (`@authenticated`, `@requiresScopes`, `@policy`); it is "
        "null, or with `authorization.reject_unauthorized` the whole request is refused.",
    )
    QUERY_PLANNING_FAILED = (
        "QUERY_PLANNING_FAILED",
        _OK,
        "The router cannot plan the operation over the supergraph; report it with the query.",
    )
    SUBGRAPH_UNKNOWN = (
        "SUBGRAPH_UNKNOWN",
        _OK,
        "The plan names a subgraph with no known URL; check the supergraph's subgraph URLs.",
    )
    SUBGRAPH_TIMEOUT = (
        "SUBGRAPH_TIMEOUT",
        _OK,
        "A subgraph did not answer within its timeout; its fields are null. Retry later.",
    )
    SUBGRAPH_UNAVAILABLE = (
        "SUBGRAPH_UNAVAILABLE",
        _OK,
        "A subgraph could not be reached; its fields are null. Retry later.",
    )
    SUBGRAPH_OVERLOADED = (
        "SUBGRAPH_OVERLOADED",
        _OK,
        "A subgraph had `traffic_shaping` max_concurrency requests in flight and no slot freed "
        "within queue_timeout_seconds; its fields are null. Retry later.",
    )
    SUBGRAPH_INVALID_RESPONSE = (
        "SUBGRAPH_INVALID_RESPONSE",
        _OK,
        "A subgraph answered with something that is not a GraphQL response; see its logs.",
    )
    SUBGRAPH_HTTP_ERROR = (
        "SUBGRAPH_HTTP_ERROR",
        _OK,
        "A subgraph answered with an HTTP error status and no GraphQL body; see its logs.",
    )
    # The code Apollo Router gives a subgraph value that does not fit the supergraph's type.
    RESPONSE_VALIDATION_FAILED = (
        "RESPONSE_VALIDATION_FAILED",
        _OK,
        "A subgraph's value does not fit the supergraph's type; it is null. Fix the subgraph.",
    )
