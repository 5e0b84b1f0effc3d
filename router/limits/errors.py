"""The error a request gets when it goes beyond one of the configured limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from renku_fed.router.errors import ErrorCode


@dataclass(frozen=True, slots=True)
class LimitExceeded:
    """One limit a request goes beyond: its error code, setting name, maximum and measure."""

    code: ErrorCode
    limit: str
    maximum: int | float
    message: str
    measured: int | None = None

    def error(self) -> dict[str, Any]:
        """The GraphQL error, with the limit and its maximum in `extensions`."""
        extensions: dict[str, Any] = {
            "code": self.code,
            "limit": self.limit,
            "maximum": self.maximum,
        }
        if self.measured is not None:
            extensions["measured"] = self.measured
        return {"message": self.message, "extensions": extensions}
