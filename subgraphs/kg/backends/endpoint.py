"""A SPARQL 1.1 endpoint (Virtuoso, Jena Fuseki, GraphDB) as the triple store, via SPARQLWrapper.

Queries go to the query URL, updates to the update URL with the configured credentials, and a
graph is replaced in one request through the SPARQL 1.1 Graph Store protocol when its URL is
set (Virtuoso refuses `INSERT DATA` of more than about 1,000 triples: memory exhausted).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize
from SPARQLWrapper import DIGEST, JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from renku_fed.subgraphs.kg.backends import Row, StoreUnavailable
from renku_fed.subgraphs.kg.backends.vocabulary import PREFIX_TEXT, Term, render

log = logging.getLogger(__name__)
INSERT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a SPARQL server takes queries, updates and graph loads, and who may update."""

    query_url: str
    update_url: str
    graph_store_url: str | None = None
    graph_store_parameter: str = "graph"
    user: str | None = None
    password: str | None = None
    digest: bool = True
    timeout: float = 60.0


class EndpointTripleStore:
    """A `TripleStore` on a remote SPARQL 1.1 query/update endpoint."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def _wrapper(self, url: str, text: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(self._endpoint.timeout))
        wrapper.setQuery(PREFIX_TEXT + text)
        if self._endpoint.user is not None:
            wrapper.setCredentials(self._endpoint.user, self._endpoint.password or "")
            if self._endpoint.digest:
                wrapper.setHTTPAuth(DIGEST)
        return wrapper

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Rows of a SELECT query, read from SPARQL JSON results."""
        wrapper = self._wrapper(self._endpoint.query_url, render(query, bindings))
        wrapper.setReturnFormat(JSON)
        try:
            results: Any = wrapper.queryAndConvert()
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreUnavailable(f"SPARQL query failed: {exc}") from exc
        return [
            {name: _term(value) for name, value in binding.items()}
            for binding in results["results"]["bindings"]
        ]

    def update(self, update: str, bindings: Mapping[str, Term] | None = None) -> None:
        """Run a SPARQL Update on the update endpoint."""
        wrapper = self._wrapper(self._endpoint.update_url, render(update, bindings))
        try:
            wrapper.query().response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreUnavailable(f"SPARQL update failed: {exc}") from exc

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """PUT the graph through the Graph Store protocol, else DROP then INSERT DATA batches."""
        body = serialize(list(triples), format=RdfFormat.N_TRIPLES) or b""
        if self._endpoint.graph_store_url is None or not body:
            self._replace_by_updates(graph, body.decode().splitlines())
            return
        auth: httpx.Auth | None = None
        if self._endpoint.user is not None:
            login = (self._endpoint.user, self._endpoint.password or "")
            auth = httpx.DigestAuth(*login) if self._endpoint.digest else httpx.BasicAuth(*login)
        try:
            response = httpx.put(
                self._endpoint.graph_store_url,
                params={self._endpoint.graph_store_parameter: graph.value},
                content=body,
                headers={"Content-Type": "application/n-triples"},
                auth=auth,
                timeout=self._endpoint.timeout,
            )
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"Graph Store PUT failed: {exc}") from exc
        if response.status_code >= 300:
            raise StoreUnavailable(
                f"Graph Store PUT answered {response.status_code}: {response.text[:300]}"
            )

    def _replace_by_updates(self, graph: NamedNode, lines: list[str]) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")
        for start in range(0, len(lines), INSERT_BATCH):
            batch = "\n".join(lines[start : start + INSERT_BATCH])
            self.update(f"INSERT DATA {{ GRAPH {graph} {{\n{batch}\n}} }}")

    def close(self) -> None:
        """Nothing to release: every request opens its own connection."""


def _term(value: dict[str, str]) -> NamedNode | Literal:
    kind = value["type"]
    if kind == "uri":
        return NamedNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return Literal(value["value"], datatype=NamedNode(value["datatype"]))
    if kind == "bnode":
        raise StoreUnavailable("the store answered a blank node, which the graph never writes")
    return Literal(value["value"])
