"""A file's lineage: every run and file upstream and downstream of it, found by SPARQL paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from renku_fed.subgraphs.kg.backends import reading as r
from renku_fed.subgraphs.kg.backends.vocabulary import file_iri, local_id, project_iri
from renku_fed.subgraphs.kg.models import (
    Lineage,
    LineageEdge,
    LineageNode,
    LineageNodeType,
    Viewer,
)

if TYPE_CHECKING:
    from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph

_KNOWN = "SELECT ?path WHERE { ?start prov:atLocation ?path . %(access)s }"

# Upstream: runs that generated the file or a file it derives from; downstream: runs that used
# the file or a file derived from it. Each run brings its edges. A run's outputs derive from its
# inputs (`prov:wasDerivedFrom`, written at ingestion), a one-predicate path every store follows.
_RUNS = """
SELECT DISTINCT ?activity WHERE {
  { ?start prov:wasDerivedFrom* ?file . ?file prov:wasGeneratedBy ?activity }
  UNION
  { ?file prov:wasDerivedFrom* ?start . ?activity prov:used ?file }
  ?activity schema:isPartOf ?project .
  %(access)s
}"""
_EDGES = """
SELECT ?activity ?command ?relation ?path WHERE {
  %(values)s
  ?activity renku:command ?command .
  { ?activity prov:used ?entity . ?entity prov:atLocation ?path BIND("used" AS ?relation) }
  UNION
  { ?entity prov:wasGeneratedBy ?activity . ?entity prov:atLocation ?path
    BIND("generated" AS ?relation) }
}"""


def lineage(
    graph: KnowledgeGraph, project_id: str, path: str, viewer: Viewer | None
) -> Lineage | None:
    """The lineage of `path` in a project; None when the file is unknown or unreadable."""
    start = file_iri(project_id, path)
    rule, bindings = r.access(viewer, project=project_iri(project_id), start=start)
    if not graph.select(_KNOWN % {"access": rule}, bindings):
        return None
    nodes = {start.value: LineageNode(start.value, LineageNodeType.FILE, path, path)}
    edges: set[LineageEdge] = set()
    runs = [row["activity"] for row in graph.select(_RUNS % {"access": rule}, bindings)]
    rows = graph.select(_EDGES % {"values": r.values("activity", runs)}, {}) if runs else []
    for row in rows:
        run = local_id(row["activity"].value)
        nodes.setdefault(run, LineageNode(run, LineageNodeType.ACTIVITY, row["command"].value))
        location = row["path"].value
        file = file_iri(project_id, location).value
        nodes.setdefault(file, LineageNode(file, LineageNodeType.FILE, location, location))
        edge = (file, run) if row["relation"].value == "used" else (run, file)
        edges.add(LineageEdge(*edge))
    return Lineage(
        nodes=sorted(nodes.values(), key=lambda n: (n.type.value, n.label, n.id)),
        edges=sorted(edges, key=lambda e: (e.source, e.target)),
    )
