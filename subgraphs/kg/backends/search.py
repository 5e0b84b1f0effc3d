"""Search over the knowledge graph: ranked, filtered and counted in the search side index.

Text matches through the folded word-prefix index (`search_index`, filled from the search
triples of `triples`), so prefix and accent-insensitive matching are index lookups; a word
that matches an entity's name ranks higher, an exact name highest. Access is the same rule as
everywhere: an entity is visible through a project that is public, has the viewer as a member,
or lies in the namespace of one of the viewer's groups. One pass finds the matches; the page,
the totals per type and the keyword facets are read from it, and only the page's datasets,
workflows and people are read from the store.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from pyoxigraph import NamedNode

from renku_fed.subgraphs.kg.backends import reading as r
from renku_fed.subgraphs.kg.backends.vocabulary import (
    fold,
    local_id,
    search_terms,
    user_iri,
    words,
)
from renku_fed.subgraphs.kg.models import (
    EntityType,
    Page,
    Person,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSort,
    Viewer,
)

if TYPE_CHECKING:
    from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph

KEYWORD_FACETS = 20
_ORDER = {
    SearchSort.MATCHING_SCORE: "score DESC, name, iri",
    SearchSort.NAME: "name, iri",
    SearchSort.DATE_MODIFIED: "modified DESC, name, iri",
    SearchSort.DATE: "date DESC, name, iri",
}
_PERSONS = """
SELECT DISTINCT ?person ?pp ?po WHERE {
  %(values)s ?person ?pp ?po
  FILTER(?pp IN (schema:name, schema:email, schema:affiliation, schema:identifier)) }"""
_KEYWORDS = """
SELECT f.value, COUNT(DISTINCT f.iri) AS n FROM temp.matched m
JOIN facts f ON f.iri = m.iri AND f.kind = 'keyword'
GROUP BY f.value ORDER BY n DESC, f.value LIMIT ?"""


class _Matches:
    """The SQL selecting every readable entity that matches a search, and its parameters."""

    def __init__(self, query: SearchQuery, viewer: Viewer | None) -> None:
        self.query = query
        self.terms = search_terms(query.text)
        self.viewer = user_iri(viewer.subject).value if viewer is not None else None
        self.groups = viewer.groups if viewer is not None else {}
        self.params: list[Any] = []
        self.where: list[str] = []

    def _marks(self, values: list[Any]) -> str:
        self.params += values
        return ", ".join("?" * len(values))

    def sql(self) -> str:
        """SELECT iri, type, name, date, modified, score of the matches, one row each.

        The first word's prefix rows drive the join (the index's order groups them by entity);
        each further word must match too; a word matching the name adds 1 to the score.
        """
        exact = self._marks([" ".join(words(self.query.text))])
        joins, name_hits = ["FROM docs d"], []
        for n, term in enumerate(self.terms):
            if n == 0:
                joins = ["FROM tokens t0 JOIN docs d ON d.iri = t0.iri AND d.source = t0.source"]
            else:
                joins.append(f"JOIN tokens t{n} ON t{n}.token = ? AND t{n}.iri = d.iri")
                self.params.append(term)
            name_hits.append(f"MAX(t{n}.in_name)")
        score = " + ".join([str(len(self.terms)), *name_hits, f"MAX(d.name = {exact}) * 3"])
        if self.terms:
            self.where.append("t0.token = ?")
            self.params.append(self.terms[0])
        self._filters()
        return (
            "SELECT d.iri AS iri, d.type AS type, d.name AS name, d.date AS date, "
            f"MAX(d.modified) AS modified, {score} AS score {' '.join(joins)} "
            f"JOIN projects p ON p.iri = d.through WHERE {' AND '.join(self.where)} "
            "GROUP BY d.iri"
        )

    def _filters(self) -> None:
        query = self.query
        if self.viewer is None:
            self.where.append("p.visibility = 'PUBLIC'")
        else:
            member = "SELECT 1 FROM roles m WHERE m.project = p.iri AND m.user = ?"
            self.params.append(self.viewer)
            groups = self._marks(sorted(self.groups))
            self.where.append(
                f"(p.visibility = 'PUBLIC' OR EXISTS ({member}) OR p.namespace IN ({groups}))"
            )
        if query.types != frozenset(EntityType):
            kinds = sorted(t.value for t in query.types)
            self.where.append(f"d.type IN ({self._marks(kinds)})")
        if query.visibilities:
            shown = [v.value for v in query.visibilities]
            self.where.append(f"p.visibility IN ({self._marks(shown)})")
        if query.namespaces:
            self.where.append(f"p.namespace IN ({self._marks(list(query.namespaces))})")
        if query.roles:
            held = "SELECT 1 FROM roles o WHERE o.project = p.iri AND o.user = ? AND o.role IN"
            self.params.append(self.viewer)
            roles = [role.value for role in query.roles]
            held_roles = f"EXISTS ({held} ({self._marks(roles)}))"
            through = sorted(g for g, role in self.groups.items() if role in query.roles)
            self.where.append(f"({held_roles} OR p.namespace IN ({self._marks(through)}))")
        self._facts()
        if query.since is not None or query.until is not None:
            self.where.append("d.date IS NOT NULL")
        if query.since is not None:
            self.where.append(f"d.date >= {self._marks([query.since.isoformat()])}")
        if query.until is not None:
            self.where.append(f"d.date <= {self._marks([query.until.isoformat()])}")

    def _facts(self) -> None:
        fact = "EXISTS (SELECT 1 FROM facts f WHERE f.iri = d.iri AND f.kind = "
        if self.query.creators:
            keys = sorted({k for c in self.query.creators for k in (c, fold(c))})
            self.where.append(f"{fact}'creator' AND f.value IN ({self._marks(keys)}))")
        if self.query.keywords:
            wanted = sorted({k.lower() for k in self.query.keywords})
            self.where.append(
                f"{fact}'keyword' AND lower_text(f.value) IN ({self._marks(wanted)}))"
            )


def _lower(value: str) -> str:
    return value.lower()


def _run(db: sqlite3.Connection, query: SearchQuery, viewer: Viewer | None) -> tuple[
    list[tuple[str, str, str, int]], dict[EntityType, int], dict[str, int]
]:  # fmt: skip
    db.create_function("lower_text", 1, _lower, deterministic=True)
    matches = _Matches(query, viewer)
    db.execute("DROP TABLE IF EXISTS temp.matched")
    db.execute(f"CREATE TEMP TABLE matched AS {matches.sql()}", matches.params)
    rows = db.execute(
        f"SELECT iri, type, name, score FROM temp.matched ORDER BY {_ORDER[query.sort]} "
        "LIMIT ? OFFSET ?",
        (query.first + 1, query.offset),
    ).fetchall()
    types = db.execute("SELECT type, COUNT(*) FROM temp.matched GROUP BY type ORDER BY type")
    by_type = {EntityType(kind): int(count) for kind, count in types}
    by_keyword = {k: int(n) for k, n in db.execute(_KEYWORDS, (KEYWORD_FACETS,))}
    db.execute("DROP TABLE temp.matched")
    return rows, by_type, by_keyword


def search(graph: KnowledgeGraph, query: SearchQuery, viewer: Viewer | None) -> SearchResults:
    """A page of readable entities matching `query`, with counts per type and keyword."""
    with graph.index.connection() as db:
        rows, by_type, by_keyword = _run(db, query, viewer)
    hits = _hits(graph, rows[: query.first], viewer)
    return SearchResults(
        page=Page(
            items=hits,
            cursors=r.offset_cursors(query.offset, len(hits)),
            total=sum(by_type.values()),
            has_next=len(rows) > query.first,
        ),
        by_type=by_type,
        by_keyword=by_keyword,
    )


def _hits(
    graph: KnowledgeGraph, rows: list[tuple[str, str, str, int]], viewer: Viewer | None
) -> list[SearchHit]:
    kinds = {iri: EntityType(kind) for iri, kind, _, _ in rows}

    def of(kind: EntityType) -> list[str]:
        return [iri for iri, k in kinds.items() if k is kind]

    datasets = {
        d.id: d for d in graph.datasets([local_id(i) for i in of(EntityType.DATASET)], viewer)
    }
    iris = [NamedNode(i) for i in of(EntityType.WORKFLOW)]
    workflows = {w.id: w for w in graph.workflows(iris, None, viewer)} if iris else {}
    persons = _persons(graph, of(EntityType.PERSON))
    hits = []
    for iri, _, name, score in rows:
        kind = kinds[iri]
        key = local_id(iri)
        hit = SearchHit(
            type=kind,
            id=key,
            name=name,
            score=float(score),
            project_id=key if kind is EntityType.PROJECT else None,
            dataset=datasets.get(key),
            workflow=workflows.get(key),
            person=persons.get(iri),
        )
        hits.append(hit)
    return hits


def _persons(graph: KnowledgeGraph, iris: list[str]) -> dict[str, Person]:
    if not iris:
        return {}
    query = _PERSONS % {"values": r.values("person", [NamedNode(i) for i in iris])}
    props: dict[str, r.Properties] = {}
    for row in graph.select(query, {}):
        props.setdefault(row["person"].value, r.Properties()).add(row["pp"].value, row["po"])
    return {iri: r.person(p) for iri, p in props.items()}
