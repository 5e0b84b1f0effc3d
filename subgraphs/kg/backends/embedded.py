"""The embedded triple store: pyoxigraph on disk, no server needed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store, Triple

from renku_fed.subgraphs.kg.backends import Row
from renku_fed.subgraphs.kg.backends.vocabulary import PREFIX_TEXT, Term, render


class EmbeddedTripleStore:
    """A `TripleStore` in a pyoxigraph (RocksDB) directory."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._store = Store(str(path))

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Rows of a SELECT query over the union of all graphs."""
        solutions = self._store.query(
            PREFIX_TEXT + render(query, bindings), use_default_graph_as_union=True
        )
        if not isinstance(solutions, QuerySolutions):
            raise TypeError("select() runs SELECT queries only")
        names = [variable.value for variable in solutions.variables]
        rows: list[Row] = []
        for solution in solutions:
            row: Row = {}
            for name in names:
                value = solution[name]
                if isinstance(value, NamedNode | Literal):
                    row[name] = value
            rows.append(row)
        return rows

    def update(self, update: str, bindings: Mapping[str, Term] | None = None) -> None:
        """Run a SPARQL Update."""
        self._store.update(PREFIX_TEXT + render(update, bindings))

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Drop the graph and write the new triples into it."""
        quads = [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        self._store.remove_graph(graph)
        self._store.extend(quads)

    def close(self) -> None:
        """Flush pending writes to disk."""
        self._store.flush()
