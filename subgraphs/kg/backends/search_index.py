"""The search side index: folded word prefixes -> entities, in SQLite, kept at ingestion.

Triple stores join one pattern at a time (~50 µs a row in pyoxigraph), so a word matching a
tenth of the platform cannot be ranked and counted in SPARQL within 100 ms. The graph writes,
for each source (a project's named graph, or its entry in the access-control graph), the search
triples of its entities here instead (`renku:prefix`, `renku:namePrefix`, `renku:sortName`,
...: see `triples`), and search runs on indexed tables; the page's entities are then read from
the store. The index is rebuilt with the graph (`clear`, `reindexAll`), so both stores answer
every search alike.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from renku_fed.subgraphs.kg.backends.vocabulary import RENKU, SCHEMA

INDEX_ONLY = {RENKU + "prefix", RENKU + "namePrefix"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (source TEXT, iri TEXT, type TEXT, name TEXT, date TEXT,
  modified TEXT, through TEXT, PRIMARY KEY (source, iri)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS docs_iri ON docs (iri);
CREATE INDEX IF NOT EXISTS docs_type ON docs (type, iri);
CREATE TABLE IF NOT EXISTS tokens (token TEXT, iri TEXT, source TEXT, in_name INTEGER,
  PRIMARY KEY (token, iri, source)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tokens_source ON tokens (source);
CREATE TABLE IF NOT EXISTS facts (source TEXT, iri TEXT, kind TEXT, value TEXT);
DROP INDEX IF EXISTS facts_iri;
CREATE INDEX IF NOT EXISTS facts_cover ON facts (iri, kind, value);
CREATE INDEX IF NOT EXISTS facts_source ON facts (source);
CREATE TABLE IF NOT EXISTS projects (iri TEXT PRIMARY KEY, visibility TEXT, namespace TEXT);
CREATE TABLE IF NOT EXISTS roles (project TEXT, user TEXT, role TEXT);
CREATE INDEX IF NOT EXISTS roles_project ON roles (project, user);
"""
_DOC = {
    RENKU + "searchType": "type",
    RENKU + "sortName": "name",
    RENKU + "sortDate": "date",
    SCHEMA + "dateModified": "modified",
    RENKU + "visibleThrough": "through",
}
_FACTS = {SCHEMA + "keywords": "keyword", RENKU + "creatorKey": "creator"}
_ROLES = {RENKU + "owner": "OWNER", RENKU + "editor": "EDITOR", RENKU + "viewer": "VIEWER"}


def _text(term: NamedNode | BlankNode | Literal | Triple) -> str:
    return str(term) if isinstance(term, Triple) else term.value


class SearchIndex:
    """One SQLite database (a file, or memory) behind a lock; every method blocks."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path or ":memory:"), check_same_thread=False)
        self._lock = threading.Lock()
        # Searches build their matches in a temporary table: kept in memory, with a page cache
        # large enough for the index's hot pages.
        self._db.execute("PRAGMA temp_store = MEMORY")
        self._db.execute("PRAGMA cache_size = -65536")
        with self.connection() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The database, for this thread alone, in one transaction."""
        with self._lock, self._db:
            yield self._db

    def replace(self, source: str, triples: Iterable[Triple]) -> None:
        """Replace what one source says about its entities."""
        docs: dict[str, dict[str, str]] = {}
        tokens: dict[tuple[str, str], int] = {}
        facts: set[tuple[str, str, str]] = set()
        for t in triples:
            subject, predicate, value = _text(t.subject), t.predicate.value, _text(t.object)
            if predicate in _DOC:
                docs.setdefault(subject, {})[_DOC[predicate]] = value
            elif predicate in INDEX_ONLY:
                in_name = int(predicate.endswith("namePrefix"))
                tokens[(value, subject)] = max(tokens.get((value, subject), 0), in_name)
            elif predicate in _FACTS:
                facts.add((subject, _FACTS[predicate], value))
        with self.connection() as db:
            self._forget(db, source)
            db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (source, iri, d["type"], d.get("name", ""), d.get("date"), d.get("modified"),
                     d.get("through"))
                    for iri, d in docs.items()
                    if "type" in d
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO tokens VALUES (?, ?, ?, ?)",
                [(token, iri, source, n) for (token, iri), n in tokens.items() if iri in docs],
            )
            db.executemany(
                "INSERT INTO facts VALUES (?, ?, ?, ?)",
                [(source, iri, kind, value) for iri, kind, value in facts if iri in docs],
            )

    def set_project(self, project: str, triples: Iterable[Triple]) -> None:
        """Record a project's visibility, namespace and members' roles from its access triples."""
        visibility = namespace = ""
        roles: list[tuple[str, str, str]] = []
        for t in triples:
            if _text(t.subject) != project:
                continue
            predicate = t.predicate.value
            if predicate == RENKU + "visibility":
                visibility = _text(t.object)
            elif predicate == RENKU + "namespace":
                namespace = _text(t.object)
            elif predicate in _ROLES:
                roles.append((project, _text(t.object), _ROLES[predicate]))
        with self.connection() as db:
            db.execute("DELETE FROM roles WHERE project = ?", (project,))
            db.execute(
                "INSERT OR REPLACE INTO projects VALUES (?, ?, ?)", (project, visibility, namespace)
            )
            db.executemany("INSERT INTO roles VALUES (?, ?, ?)", roles)

    def forget_project(self, project: str, sources: Iterable[str]) -> None:
        """Drop a project's access entry and what its sources said."""
        with self.connection() as db:
            db.execute("DELETE FROM roles WHERE project = ?", (project,))
            db.execute("DELETE FROM projects WHERE iri = ?", (project,))
            for source in sources:
                self._forget(db, source)

    @staticmethod
    def _forget(db: sqlite3.Connection, source: str) -> None:
        for table in ("docs", "tokens", "facts"):
            db.execute(f"DELETE FROM {table} WHERE source = ?", (source,))

    def clear(self) -> None:
        """Drop everything."""
        with self.connection() as db:
            for table in ("docs", "tokens", "facts", "projects", "roles"):
                db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        """Close the database."""
        self._db.close()
