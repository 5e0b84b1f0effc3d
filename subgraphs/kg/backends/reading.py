"""Folding SPARQL rows back into domain objects, and the access rule every read query shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pyoxigraph import Literal, NamedNode

from renku_fed.subgraphs.common.pagination import encode_cursor
from renku_fed.subgraphs.kg.backends import Row
from renku_fed.subgraphs.kg.backends.vocabulary import (
    PROV,
    RENKU,
    SCHEMA,
    Term,
    local_id,
    user_iri,
)
from renku_fed.subgraphs.kg.models import Dataset, Person, Viewer, Workflow

# Who may read `?project`: fixed query text chosen by code; the viewer's IRI is bound as
# `?viewer`, and their groups' slugs are literals written by pyoxigraph, never formatted from
# input by hand.
PUBLIC_ONLY = '?project renku:visibility "PUBLIC" .'
PUBLIC_OR_MEMBER = """?project renku:visibility ?visibility .
  FILTER(?visibility = "PUBLIC" || EXISTS { ?project schema:member ?viewer }%(groups)s)"""
IN_GROUP = """
    || EXISTS { ?project renku:namespace ?viewerGroup FILTER(?viewerGroup IN (%s)) }"""


def access(viewer: Viewer | None, **bindings: Term) -> tuple[str, dict[str, Term]]:
    """The access rule for `?project` and the bindings it needs, beside `bindings`."""
    if viewer is None:
        return PUBLIC_ONLY, dict(bindings)
    slugs = ", ".join(str(Literal(slug)) for slug in sorted(viewer.groups))
    rule = PUBLIC_OR_MEMBER % {"groups": IN_GROUP % slugs if slugs else ""}
    return rule, {**bindings, "viewer": user_iri(viewer.subject)}


def offset_cursors(offset: int, count: int) -> list[str]:
    """Cursors of `count` items that start at `offset` of a sorted result."""
    return [encode_cursor({"offset": offset + n + 1}) for n in range(count)]


def values(variable: str, iris: Sequence[NamedNode | Literal]) -> str:
    """A VALUES clause for terms (validated by pyoxigraph, written as N-Triples)."""
    return f"VALUES ?{variable} {{ {' '.join(str(iri) for iri in iris)} }}"


def sort_key(value: datetime | None) -> tuple[bool, float]:
    """Orders datetimes oldest first, missing ones last (naive ones read as UTC)."""
    if value is None:
        return (True, 0.0)
    return (False, (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())


def moment(term: NamedNode | Literal | None) -> datetime | None:
    """A datetime from an xsd:dateTime literal."""
    return datetime.fromisoformat(term.value) if term is not None else None


class Properties:
    """The values of one subject's properties, gathered from (predicate, object) rows."""

    def __init__(self) -> None:
        self.values: dict[str, list[NamedNode | Literal]] = {}

    def add(self, predicate: str, value: NamedNode | Literal) -> None:
        """Remember a value of a property, once."""
        found = self.values.setdefault(predicate, [])
        if value not in found:
            found.append(value)

    def all(self, predicate: str) -> list[str]:
        """Every value of a property, sorted."""
        return sorted(term.value for term in self.values.get(predicate, []))

    def one(self, predicate: str) -> str | None:
        """The smallest value of a property, if any (stable when a store holds several)."""
        found = self.all(predicate)
        return found[0] if found else None

    def term(self, predicate: str) -> NamedNode | Literal | None:
        """The first value of a property as a term."""
        found = self.values.get(predicate)
        return found[0] if found else None


def person(props: Properties) -> Person:
    """A person from its properties."""
    return Person(
        name=props.one(SCHEMA + "name") or "",
        user_id=props.one(SCHEMA + "identifier"),
        email=props.one(SCHEMA + "email"),
        affiliation=props.one(SCHEMA + "affiliation"),
    )


def dataset(iri: str, project: str, props: Properties, creators: list[Person]) -> Dataset:
    """A dataset from its properties and creators."""
    s = SCHEMA
    derived = props.one(PROV + "wasDerivedFrom")
    return Dataset(
        id=local_id(iri),
        name=props.one(s + "alternateName") or "",
        project_id=local_id(project),
        title=props.one(s + "name"),
        description=props.one(s + "description"),
        keywords=props.all(s + "keywords"),
        creators=sorted(creators, key=lambda p: (p.name, p.user_id or "", p.email or "")),
        files=props.all(s + "hasPart"),
        tags=props.all(s + "version"),
        date_created=moment(props.term(s + "dateCreated")),
        date_published=moment(props.term(s + "datePublished")),
        date_modified=moment(props.term(s + "dateModified")),
        same_as=props.one(s + "sameAs"),
        derived_from=local_id(derived) if derived else None,
    )


def workflow(iri: str, project: str, props: Properties) -> Workflow:
    """A workflow from its properties."""
    return Workflow(
        id=local_id(iri),
        name=props.one(SCHEMA + "name") or "",
        command=props.one(RENKU + "command") or "",
        project_id=local_id(project),
        inputs=props.all(RENKU + "hasInput"),
        outputs=props.all(RENKU + "hasOutput"),
        keywords=props.all(SCHEMA + "keywords"),
    )


def group_rows(rows: list[Row], subject: str) -> dict[str, tuple[str, Properties]]:
    """Rows of (subject, project, p, o) as each subject's project and properties, in order."""
    found: dict[str, tuple[str, Properties]] = {}
    for row in rows:
        key = row[subject].value
        entry = found.setdefault(key, (row["project"].value, Properties()))
        if "p" in row and "o" in row:
            entry[1].add(row["p"].value, row["o"])
    return found
