"""Error codes and the typed user errors every mutation payload carries."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

import strawberry
from graphql import GraphQLError

from renku_fed.identity.errors import ErrorCode as IdentityErrorCode
from renku_fed.identity.tokens import Identity


@strawberry.enum(description="What kind of problem an error reports.")
class ErrorCode(StrEnum):
    """Machine-readable error codes, the same in every subgraph, each with when and what to do.

    The descriptions are for the README's "Errors" section, not the GraphQL schema.
    """

    description: str

    def __new__(cls, value: str, description: str) -> Self:
        """A member whose value is the code itself, with its description."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    BAD_USER_INPUT = (
        "BAD_USER_INPUT",
        "An argument or input field is invalid (`field` names it); correct it and resend.",
    )
    NOT_FOUND = (
        "NOT_FOUND",
        "What the operation names does not exist, or the caller may not see it; check the id.",
    )
    FORBIDDEN = (
        "FORBIDDEN",
        "The caller may see it but not do this (a role is missing); ask an owner for the role.",
    )
    UNAUTHENTICATED = (
        IdentityErrorCode.UNAUTHENTICATED.value,
        "The operation needs a signed-in caller and none is; send a bearer token.",
    )
    CONFLICT = (
        "CONFLICT",
        "The change clashes with what exists (a taken slug, a stale `etag`); reload and retry.",
    )
    UNAVAILABLE = (
        "UNAVAILABLE",
        "A backend the subgraph needs (GitLab, Keycloak, Jupyter...) failed; retry later.",
    )


class DomainError(Exception):
    """A rule of the domain was broken; backends raise it, schemas turn it into a user error."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def extensions(self) -> dict[str, object]:
        """`code` and `field`; graphql-core copies them when a resolver raises this error."""
        extensions: dict[str, object] = {"code": self.code.value}
        if self.field is not None:
            extensions["field"] = self.field
        return extensions

    def to_graphql(self) -> GraphQLError:
        """This error as a GraphQL error with `extensions.code`."""
        return GraphQLError(self.message, extensions=self.extensions)


@strawberry.federation.type(shareable=True, description="A problem with a mutation's input.")
class UserError:
    """A user error in a mutation payload: what went wrong, where, and its code."""

    code: ErrorCode
    message: str
    field: str | None = None

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        """The user error for a domain error."""
        return cls(code=error.code, message=error.message, field=error.field)


def require_sign_in(caller: Identity, action: str) -> None:
    """UNAUTHENTICATED for an anonymous caller, saying what they tried to do."""
    if not caller.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED, f"Sign in to {action}: send a bearer token.")
