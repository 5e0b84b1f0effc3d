"""The embedded triple store: pyoxigraph on disk, no server needed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pyoxigraph import NamedNode, Quad, QuerySolutions, Store, Triple, Variable

from renku_fed.subgraphs.kg.backends import Row, Term
from renku_fed.subgraphs.kg.backends.vocabulary import PREFIXES


class EmbeddedTripleStore:
    """A `TripleStore` in a pyoxigraph (RocksDB) directory."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._store = Store(str(path))

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Rows of a SELECT query; bindings go through SPARQL substitution (SEP-0007)."""
        substitutions: dict[Variable, Term | Triple] = {
            Variable(name): term for name, term in (bindings or {}).items()
        }
        solutions = self._store.query(
            query,
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
            substitutions=substitutions,
        )
        if not isinstance(solutions, QuerySolutions):
            raise TypeError("select() runs SELECT queries only")
        names = [variable.value for variable in solutions.variables]
        rows: list[Row] = []
        for solution in solutions:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None and not isinstance(value, Triple):
                    row[name] = value
            rows.append(row)
        return rows

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Drop the graph and write the new triples into it."""
        quads = [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        self._store.remove_graph(graph)
        self._store.extend(quads)

    def is_empty(self) -> bool:
        """True when the store holds no quad."""
        return len(self._store) == 0

    def close(self) -> None:
        """Flush pending writes to disk."""
        self._store.flush()
