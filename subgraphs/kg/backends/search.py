"""Search over the knowledge graph: one SPARQL query for a page, two for totals and facets.

Text matches through the `renku:prefix` index (folded word prefixes, see `triples`), so prefix
and accent-insensitive matching are index lookups in every store; a word that matches an
entity's name ranks higher, an exact name highest. Access is the same rule as everywhere:
an entity is visible through a project that is public or has the viewer as a member.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from renku_fed.subgraphs.kg.backends import Row
from renku_fed.subgraphs.kg.backends import reading as r
from renku_fed.subgraphs.kg.backends.triples import datetime_literal
from renku_fed.subgraphs.kg.backends.vocabulary import (
    Term,
    fold,
    local_id,
    search_terms,
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
)

if TYPE_CHECKING:
    from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph

KEYWORD_FACETS = 20
_ROLE_PREDICATES = {"OWNER": "renku:owner", "EDITOR": "renku:editor", "VIEWER": "renku:viewer"}
_ORDER = {
    SearchSort.MATCHING_SCORE: "DESC(?score) ?name ?e",
    SearchSort.NAME: "?name ?e",
    SearchSort.DATE_MODIFIED: "DESC(?modified) ?name ?e",
    SearchSort.DATE: "DESC(?date) ?name ?e",
}
# DISTINCT rows, no aggregates: an entity's values are the same in every graph that holds it,
# and Virtuoso does not order by an aggregate's alias.
_PAGE = """
SELECT DISTINCT ?e ?type ?name ?date ?modified ?score WHERE {
  %(body)s
  BIND(?n AS ?name) BIND(?d AS ?date)
  OPTIONAL { ?e schema:dateModified ?modified }
  %(score)s
} ORDER BY %(order)s LIMIT %(limit)d OFFSET %(offset)d"""
_TYPES = "SELECT ?type (COUNT(DISTINCT ?e) AS ?count) WHERE { %(body)s } GROUP BY ?type"
_KEYWORDS = """
SELECT ?keyword (COUNT(DISTINCT ?e) AS ?count) WHERE { %(body)s ?e schema:keywords ?keyword }
GROUP BY ?keyword ORDER BY DESC(?count) ?keyword LIMIT %(limit)d"""
_PERSONS = """
SELECT ?person ?pp ?po WHERE {
  %(values)s ?person ?pp ?po
  FILTER(?pp IN (schema:name, schema:email, schema:affiliation, schema:identifier)) }"""


class _Body:
    """The WHERE clause a search's three queries share, and its bindings."""

    def __init__(self, query: SearchQuery, viewer: str | None) -> None:
        self.query = query
        self.terms = search_terms(query.text)
        rule, self.bindings = r.access(viewer)
        self.parts: list[str] = [f"?e renku:prefix ?w{n} ." for n in range(len(self.terms))]
        self.bindings.update({f"w{n}": Literal(t) for n, t in enumerate(self.terms)})
        self.parts += ["?e renku:searchType ?type ; renku:sortName ?n .", self._types()]
        self.parts.append(f"FILTER EXISTS {{ ?e renku:visibleThrough ?project . {rule}")
        self.parts += [self._visibilities(), self._namespaces(), self._roles(viewer), "}"]
        self.parts += [self._creators(), self._keywords(), "OPTIONAL { ?e renku:sortDate ?d }"]
        self.parts.append(self._dates())

    def _in(self, name: str, values: Sequence[Term]) -> str:
        names = [f"?{name}{n}" for n in range(len(values))]
        self.bindings.update({name + str(n): value for n, value in enumerate(values)})
        return ", ".join(names)

    def _types(self) -> str:
        if self.query.types == frozenset(EntityType):
            return ""
        kinds = sorted(t.value for t in self.query.types)
        return f"FILTER(?type IN ({self._in('t', [Literal(k) for k in kinds])}))"

    def _visibilities(self) -> str:
        if not self.query.visibilities:
            return ""
        shown = [Literal(v.value) for v in self.query.visibilities]
        return f"?project renku:visibility ?vv FILTER(?vv IN ({self._in('v', shown)}))"

    def _namespaces(self) -> str:
        if not self.query.namespaces:
            return ""
        names = [Literal(n) for n in self.query.namespaces]
        return f"?project renku:namespace ?ns FILTER(?ns IN ({self._in('ns', names)}))"

    def _roles(self, viewer: str | None) -> str:
        if not self.query.roles:
            return ""
        if viewer is None:
            return "FILTER(false)"
        path = "|".join(sorted({_ROLE_PREDICATES[role.value] for role in self.query.roles}))
        return f"?project {path} ?viewer ."

    def _creators(self) -> str:
        if not self.query.creators:
            return ""
        keys: list[Term] = []
        for creator in self.query.creators:
            keys += [Literal(creator), Literal(fold(creator))]
        return f"FILTER EXISTS {{ ?e renku:creatorKey ?ck FILTER(?ck IN ({self._in('c', keys)})) }}"

    def _keywords(self) -> str:
        if not self.query.keywords:
            return ""
        wanted = [Literal(k.lower()) for k in self.query.keywords]
        return (
            "FILTER EXISTS { ?e schema:keywords ?kw "
            f"FILTER(LCASE(STR(?kw)) IN ({self._in('k', wanted)})) }}"
        )

    def _dates(self) -> str:
        tests = []
        if self.query.since is not None:
            self.bindings["since"] = datetime_literal(self.query.since)
            tests.append("?d >= ?since")
        if self.query.until is not None:
            self.bindings["until"] = datetime_literal(self.query.until)
            tests.append("?d <= ?until")
        return f"FILTER(BOUND(?d) && {' && '.join(tests)})" if tests else ""

    def text(self) -> str:
        """The WHERE clause."""
        return "\n  ".join(part for part in self.parts if part)

    def score(self) -> str:
        """Clauses binding `?score`: per word 2 when it matches the name, else 1; +3 exact name."""
        parts = [
            f"OPTIONAL {{ ?e renku:namePrefix ?w{n} BIND(2 AS ?h{n}) }}"
            for n in range(len(self.terms))
        ]
        total = " + ".join([f"COALESCE(?h{n}, 1)" for n in range(len(self.terms))] or ["0"])
        self.bindings["exact"] = Literal(" ".join(words(self.query.text)))
        parts.append(f"BIND(({total} + IF(?n = ?exact, 3, 0)) AS ?score)")
        return "\n  ".join(parts)


def search(graph: KnowledgeGraph, query: SearchQuery, viewer: str | None) -> SearchResults:
    """A page of readable entities matching `query`, with counts per type and keyword."""
    body = _Body(query, viewer)
    where = body.text()
    page = _PAGE % {
        "body": where,
        "score": body.score(),
        "order": _ORDER[query.sort],
        "limit": query.first + 1,
        "offset": query.offset,
    }
    rows = graph.select(page, body.bindings)
    by_type = {
        EntityType(row["type"].value): int(row["count"].value)
        for row in graph.select(_TYPES % {"body": where}, body.bindings)
    }
    keywords = graph.select(_KEYWORDS % {"body": where, "limit": KEYWORD_FACETS}, body.bindings)
    hits = _hits(graph, rows[: query.first], viewer)
    return SearchResults(
        page=Page(
            items=hits,
            cursors=r.offset_cursors(query.offset, len(hits)),
            total=sum(by_type.values()),
            has_next=len(rows) > query.first,
        ),
        by_type=dict(sorted(by_type.items(), key=lambda item: item[0].value)),
        by_keyword={row["keyword"].value: int(row["count"].value) for row in keywords},
    )


def _hits(graph: KnowledgeGraph, rows: list[Row], viewer: str | None) -> list[SearchHit]:
    kinds = {row["e"].value: EntityType(row["type"].value) for row in rows}

    def of(kind: EntityType) -> list[str]:
        return [iri for iri, k in kinds.items() if k is kind]

    datasets = {
        d.id: d for d in graph.datasets([local_id(i) for i in of(EntityType.DATASET)], viewer)
    }
    iris = [NamedNode(i) for i in of(EntityType.WORKFLOW)]
    workflows = {w.id: w for w in graph.workflows(iris, None, viewer)} if iris else {}
    persons = _persons(graph, of(EntityType.PERSON))
    hits = []
    for row in rows:
        iri, kind = row["e"].value, kinds[row["e"].value]
        key = local_id(iri)
        score = float(row["score"].value) if "score" in row else 0.0
        hit = SearchHit(
            type=kind,
            id=key,
            name=row["name"].value,
            score=score,
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
