"""Error codes and the typed user errors every mutation payload carries."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLError


@strawberry.enum(description="What kind of problem an error reports.")
class ErrorCode(Enum):
    """Machine-readable error codes, the same in every subgraph."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    CONFLICT = "CONFLICT"
    UNAVAILABLE = "UNAVAILABLE"


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
