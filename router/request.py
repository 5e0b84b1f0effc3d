"""A GraphQL request as the gateway takes it, and the response it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from renku_fed.router.errors import ErrorCode


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """One GraphQL request as a client sent it."""

    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None


@dataclass(slots=True)
class GraphQLResponse:
    """A GraphQL response; `status` is its HTTP status under `application/graphql-response+json`.

    `has_data` is False for request errors (nothing was executed), whose body has no `data`.
    """

    data: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    has_data: bool = True
    status: int = 200
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON body: `data` (when executed), `errors` and `extensions` (when any)."""
        body: dict[str, Any] = {}
        if self.has_data:
            body["data"] = self.data
        if self.errors:
            body["errors"] = self.errors
        if self.extensions:
            body["extensions"] = self.extensions
        return body

    @classmethod
    def request_error(
        cls,
        message: str,
        code: ErrorCode,
        status: int | None = None,
        *,
        operation_name: str | None = None,
    ) -> GraphQLResponse:
        """A response for a request that could not be executed at all (status: the code's)."""
        error = {"message": message, "extensions": {"code": code}}
        return cls(None, [error], False, code.status if status is None else status, operation_name)


class GatewayRequestError(Exception):
    """A request refused before planning; `response` is what the client should get."""

    def __init__(self, response: GraphQLResponse) -> None:
        super().__init__("; ".join(str(e["message"]) for e in response.errors))
        self.response = response
