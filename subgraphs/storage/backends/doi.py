"""DOI metadata from DataCite's REST API (`GET <resolver>/<doi>`), as Zenodo deposits have it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Deposit:
    """What a DOI's record says of its deposit."""

    doi: str
    title: str
    publisher: str | None
    url: str
    description: str | None
    keywords: tuple[str, ...]


def _publisher(attributes: dict[str, Any]) -> str | None:
    publisher = attributes.get("publisher")
    # DataCite answers a string, or an object with `name` when asked for publisher details.
    if isinstance(publisher, dict):
        publisher = publisher.get("name")
    return str(publisher) if publisher else None


def deposit_of(record: dict[str, Any]) -> Deposit:
    """The deposit described by a DataCite `dois` record; KeyError/TypeError if malformed."""
    attributes = record["data"]["attributes"]
    descriptions = [d.get("description") for d in attributes.get("descriptions") or ()]
    return Deposit(
        doi=str(attributes["doi"]).lower(),
        title=str(attributes["titles"][0]["title"]),
        publisher=_publisher(attributes),
        url=str(attributes["url"]),
        description=next((str(d) for d in descriptions if d), None),
        keywords=tuple(str(s["subject"]) for s in attributes.get("subjects") or ()),
    )


class DataCiteResolver:
    """Resolves DOIs against DataCite's API at `url`."""

    def __init__(self, url: str, timeout: float, client: httpx.AsyncClient | None = None) -> None:
        self._url = url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def resolve(self, doi: str) -> Deposit:
        """The deposit of `doi`; NOT_FOUND for an unknown DOI, UNAVAILABLE when unreachable."""
        try:
            response = await self._client.get(f"{self._url}/{quote(doi, safe='/')}")
        except httpx.HTTPError as exc:
            log.warning("DOI lookup failed", extra={"error": type(exc).__name__})
            raise DomainError(
                ErrorCode.UNAVAILABLE, "The DOI registry could not be reached; try again later."
            ) from exc
        if response.status_code == 404:
            raise DomainError(
                ErrorCode.NOT_FOUND, f"The DOI {doi!r} is not registered; check it.", field="doi"
            )
        try:
            response.raise_for_status()
            return deposit_of(response.json())
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"The DOI registry answered {doi!r} in an unknown shape; try again later.",
                field="doi",
            ) from exc
