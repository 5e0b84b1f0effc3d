"""Persisted queries: automatic ones cached by hash, or only those of a safelist manifest."""

from __future__ import annotations

import hashlib

from cachetools import LRUCache

from renku_fed.router.errors import ErrorCode
from renku_fed.router.limits import Safelist
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse


class PersistedQueries:
    """Finds the query text of a request, by its hash when the request sends none."""

    def __init__(self, safelist: Safelist | None, cache_size: int) -> None:
        self._safelist = safelist
        self._cache: LRUCache[str, str] = LRUCache(cache_size)

    def query(self, request: GraphQLRequest) -> str | None:
        """The query text, read from or stored in the automatic persisted query cache."""
        persisted = (request.extensions or {}).get("persistedQuery")
        if self._safelist is not None:
            digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
            query = self._safelist.resolve(request.query, digest)
            if query is None:
                raise GatewayRequestError(
                    GraphQLResponse.request_error(
                        "Only the operations of limits.safelist_manifest may run on this router; "
                        "this one is not among them.",
                        ErrorCode.PERSISTED_QUERY_NOT_IN_SAFELIST,
                    )
                )
            return query
        if not isinstance(persisted, dict) or not isinstance(persisted.get("sha256Hash"), str):
            return request.query
        digest = str(persisted["sha256Hash"])
        if request.query is None:
            query = self._cache.get(digest)
            if query is None:
                # Apollo clients expect a 200 here: they resend the query text on this code.
                raise GatewayRequestError(
                    GraphQLResponse.request_error(
                        "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND
                    )
                )
            return query
        if query_hash(request.query) != digest:
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "The persisted query hash does not match the query text.",
                    ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
                )
            )
        self._cache[digest] = request.query
        return request.query


def query_hash(query: str) -> str:
    """The sha256 hex digest of a query text, as automatic persisted queries name it."""
    return hashlib.sha256(query.encode()).hexdigest()
