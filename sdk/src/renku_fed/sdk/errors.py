"""Typed exceptions for what the platform refuses, carrying its GraphQL error codes and paths."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOGIN_HINT = "run `renku-fed login` to sign in again"


@dataclass(frozen=True)
class ErrorDetail:
    """One GraphQL error (or a mutation's user error): its code, message, path and input field."""

    code: str
    message: str
    path: tuple[str | int, ...] = ()
    field: str | None = None

    @classmethod
    def from_graphql(cls, error: Mapping[str, Any]) -> ErrorDetail:
        """Read an entry of a response's `errors` list."""
        extensions = error.get("extensions") or {}
        return cls(
            code=str(extensions.get("code", "INTERNAL_SERVER_ERROR")),
            message=str(error.get("message", "")),
            path=tuple(error.get("path") or ()),
        )


class RenkuError(Exception):
    """Base of every SDK error; `errors` lists each GraphQL error with its code and path."""

    def __init__(self, message: str, errors: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the errors, in order."""
        return tuple(e.code for e in self.errors)

    @property
    def paths(self) -> tuple[tuple[str | int, ...], ...]:
        """The response paths of the errors, in order."""
        return tuple(e.path for e in self.errors)


class NotFound(RenkuError):
    """What the operation names does not exist, or the caller may not see it."""


class PermissionDenied(RenkuError):
    """The caller may see it but lacks the role (or scope) for this."""


class Conflict(RenkuError):
    """The change clashes with what exists: a taken slug, a stale etag."""


class ValidationError(RenkuError):
    """The operation or its input does not fit the schema or the platform's rules."""


class Unauthenticated(RenkuError):
    """No valid token: it is missing, expired or revoked (the message says to log in)."""


class RateLimited(RenkuError):
    """Too many requests; `retry_after` says how many seconds to wait."""

    def __init__(
        self, message: str, errors: Sequence[ErrorDetail] = (), retry_after: float | None = None
    ) -> None:
        super().__init__(message, errors)
        self.retry_after = retry_after


class ServerError(RenkuError):
    """The platform failed or could not be reached (after retries, for queries)."""


class ConfigurationError(RenkuError):
    """The client lacks what it needs to connect, such as the platform's URL."""


_BY_CODE: dict[str, type[RenkuError]] = {
    "NOT_FOUND": NotFound,
    "FORBIDDEN": PermissionDenied,
    "UNAUTHORIZED_FIELD_OR_TYPE": PermissionDenied,
    "CONFLICT": Conflict,
    "UNAUTHENTICATED": Unauthenticated,
    "RATE_LIMITED": RateLimited,
    "BAD_USER_INPUT": ValidationError,
    "BAD_REQUEST": ValidationError,
    "GRAPHQL_PARSE_FAILED": ValidationError,
    "GRAPHQL_VALIDATION_FAILED": ValidationError,
    "OPERATION_RESOLUTION_FAILURE": ValidationError,
    "PERSISTED_QUERY_NOT_IN_SAFELIST": ValidationError,
    "MAX_TOKENS_EXCEEDED": ValidationError,
    "MAX_DEPTH_EXCEEDED": ValidationError,
    "MAX_ALIASES_EXCEEDED": ValidationError,
    "MAX_ROOT_FIELDS_EXCEEDED": ValidationError,
    "MAX_FIELDS_EXCEEDED": ValidationError,
    "COST_ESTIMATED_TOO_EXPENSIVE": ValidationError,
}


def error_for(errors: Sequence[ErrorDetail], retry_after: float | None = None) -> RenkuError:
    """The exception for a list of errors, typed by the first error's code."""
    first = errors[0] if errors else ErrorDetail("INTERNAL_SERVER_ERROR", "no error given")
    kind = _BY_CODE.get(first.code, ServerError)
    message = "; ".join(_describe(e) for e in errors) or first.message
    if kind is Unauthenticated:
        message = f"{message} ({LOGIN_HINT})"
    if kind is RateLimited:
        return RateLimited(message, errors, retry_after)
    return kind(message, errors)


def _describe(error: ErrorDetail) -> str:
    where = ".".join(str(p) for p in error.path)
    if error.field:
        where = f"{where}, input field {error.field}" if where else f"input field {error.field}"
    return f"{error.code}: {error.message}" + (f" (at {where})" if where else "")
