"""Where the knowledge graph's triples live: the `TripleStore` protocol its backends implement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]


class TripleStore(Protocol):
    """A quad store answering SPARQL 1.1 SELECT queries, one named graph per project."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Rows of a SELECT query over the union of all graphs; `bindings` preset variables.

        A bound variable must appear in the query's projection; values are RDF terms, never
        spliced into the query text.
        """
        ...

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Replace the whole content of one named graph."""
        ...

    def is_empty(self) -> bool:
        """True when the store holds no triple at all."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...
