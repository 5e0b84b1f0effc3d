"""Reading whole datasets by IRI with plain property lookups, which every store answers fast.

Three small queries instead of one with unions: the datasets' own properties, which of their
projects the viewer may read, and the properties of their files and creators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyoxigraph import NamedNode

from renku_fed.subgraphs.kg.backends import Row
from renku_fed.subgraphs.kg.backends import reading as r
from renku_fed.subgraphs.kg.backends.vocabulary import PROV, SCHEMA, Term
from renku_fed.subgraphs.kg.models import Dataset, Viewer

Select = Callable[[str, Mapping[str, Term]], list[Row]]
# Only the properties a dataset shows: a creator also carries the search triples of every
# project that names it, and the store's rows cost far more to hand over than to filter.
_PROPERTIES = "SELECT DISTINCT ?s ?p ?o WHERE { %(values)s ?s ?p ?o FILTER(?p IN (%(shown)s)) }"
DATASET_PROPERTIES = [
    *(f"schema:{p}" for p in ("alternateName", "name", "description", "keywords", "creator")),
    *(f"schema:{p}" for p in ("hasPart", "version", "sameAs", "isPartOf")),
    *(f"schema:{p}" for p in ("dateCreated", "datePublished", "dateModified")),
    "prov:wasDerivedFrom",
]
PART_PROPERTIES = [
    "prov:atLocation",
    *(f"schema:{p}" for p in ("name", "email", "affiliation", "identifier")),
]
_READABLE = "SELECT DISTINCT ?project WHERE { %(values)s %(access)s }"
_FILE, _CREATOR, _PART_OF = SCHEMA + "hasPart", SCHEMA + "creator", SCHEMA + "isPartOf"


def properties(select: Select, iris: list[NamedNode], shown: list[str]) -> dict[str, r.Properties]:
    """The `shown` properties (prefixed names) of each subject, by subject IRI."""
    found: dict[str, r.Properties] = {}
    if iris:
        query = _PROPERTIES % {"values": r.values("s", iris), "shown": ", ".join(shown)}
        for row in select(query, {}):
            found.setdefault(row["s"].value, r.Properties()).add(row["p"].value, row["o"])
    return found


def readable(select: Select, projects: set[str], viewer: Viewer | None) -> set[str]:
    """The projects among `projects` the viewer may read."""
    if not projects:
        return set()
    rule, bindings = r.access(viewer)
    values = r.values("project", [NamedNode(p) for p in sorted(projects)])
    return {
        row["project"].value
        for row in select(_READABLE % {"values": values, "access": rule}, bindings)
    }


def datasets(select: Select, iris: list[NamedNode], viewer: Viewer | None) -> list[Dataset]:
    """The readable datasets among `iris`, in that order."""
    own = properties(select, iris, DATASET_PROPERTIES)
    projects = {props.one(_PART_OF) or "" for props in own.values()} - {""}
    allowed = readable(select, projects, viewer)
    own = {iri: p for iri, p in own.items() if p.one(_PART_OF) in allowed}
    linked = {v for p in own.values() for v in p.all(_FILE) + p.all(_CREATOR)}
    parts = properties(select, [NamedNode(i) for i in sorted(linked)], PART_PROPERTIES)
    found = {}
    for iri, props in own.items():
        shown = r.Properties()
        for predicate, values in props.values.items():
            if predicate == _FILE:
                for file in values:
                    location = parts.get(file.value, r.Properties()).term(PROV + "atLocation")
                    if location is not None:
                        shown.add(_FILE, location)
            elif predicate != _CREATOR:
                for value in values:
                    shown.add(predicate, value)
        creators = [r.person(parts[c]) for c in props.all(_CREATOR) if c in parts]
        found[iri] = r.dataset(iri, props.one(_PART_OF) or "", shown, creators)
    return [found[iri.value] for iri in iris if iri.value in found]
