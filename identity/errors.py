"""The error codes of the shared bearer-token check, and the shape of a code catalogue."""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Self


class HttpErrorCode(StrEnum):
    """A GraphQL `extensions.code`, with the HTTP status of a request it refuses and its meaning.

    A member is written `NAME = "NAME", HTTPStatus.X, "when it happens; what to do"`.
    """

    status: HTTPStatus
    description: str

    def __new__(cls, value: str, status: HTTPStatus, description: str) -> Self:
        """A member whose value is the code itself, with its status and description."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        member.description = description
        return member

    @property
    def definition(self) -> tuple[str, HTTPStatus, str]:
        """Value, status and description, for another catalogue that shares this code."""
        return (self.value, self.status, self.description)


class ErrorCode(HttpErrorCode):
    """Codes of a request the bearer-token check refuses, in the router and every subgraph."""

    UNAUTHENTICATED = (
        "UNAUTHENTICATED",
        HTTPStatus.UNAUTHORIZED,
        "The bearer token (or session) is invalid or expired; get a new token or sign in again.",
    )
    IDENTITY_PROVIDER_UNAVAILABLE = (
        "IDENTITY_PROVIDER_UNAVAILABLE",
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The token could not be checked: the issuer cannot be reached; retry later.",
    )
