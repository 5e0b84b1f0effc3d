"""The knowledge graph over any `TripleStore`: writes projects' graphs, answers by SPARQL."""

from __future__ import annotations

from pyoxigraph import NamedNode, Triple

from renku_fed.subgraphs.kg.backends import Row, TripleStore, hydrate
from renku_fed.subgraphs.kg.backends import reading as r
from renku_fed.subgraphs.kg.backends.lineage import lineage
from renku_fed.subgraphs.kg.backends.search import search
from renku_fed.subgraphs.kg.backends.search_index import INDEX_ONLY, SearchIndex
from renku_fed.subgraphs.kg.backends.triples import access_triples, metadata_triples
from renku_fed.subgraphs.kg.backends.vocabulary import (
    ACCESS_GRAPH,
    BASE_IRI,
    Term,
    dataset_iri,
    local_id,
    project_iri,
    user_iri,
)
from renku_fed.subgraphs.kg.models import (
    Activity,
    Dataset,
    DatasetSort,
    Lineage,
    Page,
    ProjectAccess,
    ProjectMetadata,
    SearchQuery,
    SearchResults,
    Viewer,
    Workflow,
)

_FORGET_ACCESS = """
DELETE WHERE { GRAPH ?acl { ?project ?p ?o } } ;
DELETE WHERE { GRAPH ?acl { ?group renku:visibleThrough ?project } }"""

_PROJECT_NAMES = """
SELECT ?namespace ?slug ?name WHERE { GRAPH ?acl {
  ?project renku:namespace ?namespace ; renku:slug ?slug OPTIONAL { ?project schema:name ?name }
} }"""

_SORTS = {
    DatasetSort.NAME: "?name ?dataset",
    DatasetSort.DATE_CREATED: "DESC(?created) ?name ?dataset",
    DatasetSort.DATE_MODIFIED: "DESC(?modified) ?name ?dataset",
}
_PROJECT_DATASETS = """
SELECT ?dataset WHERE {
  ?dataset a schema:Dataset ; schema:isPartOf ?project ; schema:alternateName ?name .
  OPTIONAL { ?dataset schema:dateCreated ?created }
  OPTIONAL { ?dataset schema:dateModified ?modified }
  %(access)s
} ORDER BY %(order)s LIMIT %(limit)d OFFSET %(offset)d"""
_COUNT_DATASETS = """
SELECT (COUNT(DISTINCT ?dataset) AS ?count) WHERE {
  ?dataset a schema:Dataset ; schema:isPartOf ?project . %(access)s }"""

_USED_IN = """
SELECT DISTINCT ?project WHERE {
  { ?copy schema:sameAs ?this } UNION { ?this schema:sameAs ?source . ?copy schema:sameAs ?source }
  ?this schema:isPartOf ?home . ?copy schema:isPartOf ?project .
  FILTER(?project != ?home)
  %(access)s
} ORDER BY ?project"""
_VERSIONS = """
SELECT DISTINCT ?other WHERE {
  { ?this prov:wasDerivedFrom+ ?other } UNION { ?other prov:wasDerivedFrom+ ?this }
}"""

_WORKFLOWS = """
SELECT ?workflow ?project ?p ?o WHERE {
  %(values)s
  ?workflow a prov:Plan ; schema:isPartOf ?project .
  %(access)s
  ?workflow ?p ?o
  FILTER(?p IN (schema:name, renku:command, renku:hasInput, renku:hasOutput, schema:keywords))
}"""

_ACTIVITIES = """
SELECT ?activity ?project ?command ?started ?ended ?plan ?relation ?path
       ?agent ?pp ?po WHERE {
  ?activity a prov:Activity ; renku:command ?command ; schema:isPartOf ?project .
  %(selection)s
  %(access)s
  OPTIONAL { ?activity prov:startedAtTime ?started }
  OPTIONAL { ?activity prov:endedAtTime ?ended }
  OPTIONAL { ?activity prov:hadPlan ?plan }
  { ?activity prov:used ?entity . ?entity prov:atLocation ?path BIND("used" AS ?relation) }
  UNION
  { ?entity prov:wasGeneratedBy ?activity . ?entity prov:atLocation ?path
    BIND("generated" AS ?relation) }
  UNION
  { ?activity prov:wasAssociatedWith ?agent . ?agent ?pp ?po
    FILTER(?pp IN (schema:name, schema:email, schema:affiliation, schema:identifier)) }
  UNION
  { BIND("self" AS ?relation) }
}"""


_ACCESS_SOURCE = "access:"


def _stored(triples: list[Triple]) -> list[Triple]:
    """The triples the store keeps: all but the word prefixes only the search index needs."""
    return [t for t in triples if t.predicate.value not in INDEX_ONLY]


class KnowledgeGraph:
    """A `KgBackend` over any `TripleStore`."""

    def __init__(self, store: TripleStore, index: SearchIndex | None = None) -> None:
        self._store = store
        self.index = index or SearchIndex()

    def set_access(self, access: ProjectAccess) -> None:
        """Replace a project's entry in the access-control graph and in the search index."""
        triples = list(access_triples(access))
        lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in _stored(triples))
        project = project_iri(access.id)
        self._store.update(
            f"{_FORGET_ACCESS} ;\nINSERT DATA {{ GRAPH ?acl {{\n{lines}\n}} }}",
            {"acl": ACCESS_GRAPH, "project": project},
        )
        self.index.replace(_ACCESS_SOURCE + access.id, triples)
        self.index.set_project(project.value, triples)

    def delete_project(self, project_id: str) -> None:
        """Forget a project's access entry and drop its named graph."""
        graph = project_iri(project_id)
        self._store.update(_FORGET_ACCESS, {"acl": ACCESS_GRAPH, "project": graph})
        self._store.replace_graph(graph, [])
        self.index.forget_project(graph.value, [_ACCESS_SOURCE + project_id, graph.value])

    def replace_metadata(self, project_id: str, metadata: ProjectMetadata) -> None:
        """Replace a project's named graph with its metadata's triples."""
        graph = project_iri(project_id)
        rows = self._store.select(_PROJECT_NAMES, {"acl": ACCESS_GRAPH, "project": graph})
        context = sorted({term.value for row in rows for term in row.values()})
        triples = list(metadata_triples(project_id, metadata, context))
        self._store.replace_graph(graph, _stored(triples))
        self.index.replace(graph.value, triples)

    def clear(self) -> None:
        """Drop every graph under the knowledge graph's base IRI, and the search index."""
        rows = self._store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{BASE_IRI}")) }}'
        )
        for row in rows:
            self._store.update(f"DROP SILENT GRAPH {row['g']}")
        self.index.clear()

    def project_ids(self) -> list[str]:
        """Every project the access-control graph knows."""
        rows = self._store.select(
            "SELECT DISTINCT ?id WHERE { GRAPH ?acl { ?p a schema:Project ; "
            "schema:identifier ?id } } ORDER BY ?id",
            {"acl": ACCESS_GRAPH},
        )
        return [row["id"].value for row in rows]

    def close(self) -> None:
        """Release the underlying store and the search index."""
        self._store.close()
        self.index.close()

    def select(self, query: str, bindings: dict[str, Term]) -> list[Row]:
        """Rows of a query on the store (for the search and lineage modules)."""
        return self._store.select(query, bindings)

    def dataset(self, dataset_id: str, viewer: Viewer | None) -> Dataset | None:
        """One dataset, when the viewer may read its project."""
        found = self.datasets([dataset_id], viewer)
        return found[0] if found else None

    def datasets(self, dataset_ids: list[str], viewer: Viewer | None) -> list[Dataset]:
        """The readable datasets among `dataset_ids`, in that order."""
        if not dataset_ids:
            return []
        return hydrate.datasets(self._store.select, [dataset_iri(i) for i in dataset_ids], viewer)

    def project_datasets(
        self, project_id: str, viewer: Viewer | None, sort: DatasetSort, first: int, offset: int
    ) -> Page[Dataset]:
        """A page of a project's datasets."""
        rule, bindings = r.access(viewer, project=project_iri(project_id))
        query = _PROJECT_DATASETS % {
            "access": rule,
            "order": _SORTS[sort],
            "limit": first + 1,
            "offset": offset,
        }
        ids = [local_id(row["dataset"].value) for row in self._store.select(query, bindings)]
        (count,) = self._store.select(_COUNT_DATASETS % {"access": rule}, bindings)
        items = self.datasets(ids[:first], viewer)
        return Page(
            items=items,
            cursors=r.offset_cursors(offset, len(items)),
            total=int(count["count"].value),
            has_next=len(ids) > first,
        )

    def dataset_used_in(self, dataset_id: str, viewer: Viewer | None) -> list[str]:
        """Other readable projects holding a copy of the dataset."""
        rule, bindings = r.access(viewer, this=dataset_iri(dataset_id))
        rows = self._store.select(_USED_IN % {"access": rule}, bindings)
        return [local_id(row["project"].value) for row in rows]

    def dataset_versions(self, dataset_id: str, viewer: Viewer | None) -> list[Dataset]:
        """Readable datasets this one derives from or that derive from it, oldest first."""
        rows = self._store.select(_VERSIONS, {"this": dataset_iri(dataset_id)})
        found = self.datasets([local_id(row["other"].value) for row in rows], viewer)
        return sorted(found, key=lambda d: (r.sort_key(d.date_created), d.id))

    def workflows(
        self, iris: list[NamedNode] | None, project: str | None, viewer: Viewer | None
    ) -> list[Workflow]:
        """Readable workflows: those of `iris`, or a project's; by name."""
        bound = {"project": project_iri(project)} if project is not None else {}
        rule, bindings = r.access(viewer, **bound)
        query = _WORKFLOWS % {"values": r.values("workflow", iris) if iris else "", "access": rule}
        groups = r.group_rows(self._store.select(query, bindings), "workflow")
        found = [r.workflow(iri, p, props) for iri, (p, props) in groups.items()]
        return sorted(found, key=lambda w: (w.name, w.id))

    def project_workflows(self, project_id: str, viewer: Viewer | None) -> list[Workflow]:
        """A project's workflows, by name."""
        return self.workflows(None, project_id, viewer)

    def project_activities(self, project_id: str, viewer: Viewer | None) -> list[Activity]:
        """A project's activities, oldest first."""
        rule, bindings = r.access(viewer, project=project_iri(project_id))
        return self._activities("", rule, bindings)

    def user_activities(self, user_id: str, viewer: Viewer | None) -> list[Activity]:
        """Activities a user was the agent of, in projects the viewer may read."""
        rule, bindings = r.access(viewer, user=user_iri(user_id))
        return self._activities("?activity prov:wasAssociatedWith ?user .", rule, bindings)

    def _activities(self, selection: str, rule: str, bindings: dict[str, Term]) -> list[Activity]:
        query = _ACTIVITIES % {"selection": selection, "access": rule}
        return _fold_activities(self._store.select(query, bindings))

    def lineage(self, project_id: str, path: str, viewer: Viewer | None) -> Lineage | None:
        """Everything upstream and downstream of a file."""
        return lineage(self, project_id, path, viewer)

    def search(self, query: SearchQuery, viewer: Viewer | None) -> SearchResults:
        """Entities matching a search that the viewer may read."""
        return search(self, query, viewer)


def _fold_activities(rows: list[Row]) -> list[Activity]:
    builders: dict[str, _ActivityBuilder] = {}
    for row in rows:
        iri = row["activity"].value
        builders.setdefault(iri, _ActivityBuilder(iri, row)).add(row)
    activities = [builder.build() for builder in builders.values()]
    return sorted(activities, key=lambda a: (r.sort_key(a.started_at), a.id))


class _ActivityBuilder:
    """Folds the rows of one activity back into an `Activity`."""

    def __init__(self, iri: str, row: Row) -> None:
        self.iri = iri
        self.first = row
        self.files: dict[str, set[str]] = {"used": set(), "generated": set()}
        self.agent: r.Properties | None = None

    def add(self, row: Row) -> None:
        relation = row.get("relation")
        if relation is not None and relation.value in self.files:
            self.files[relation.value].add(row["path"].value)
        if "agent" in row:
            self.agent = self.agent or r.Properties()
            self.agent.add(row["pp"].value, row["po"])

    def build(self) -> Activity:
        plan = self.first.get("plan")
        return Activity(
            id=local_id(self.iri),
            command=self.first["command"].value,
            project_id=local_id(self.first["project"].value),
            workflow_id=local_id(plan.value) if plan is not None else None,
            started_at=r.moment(self.first.get("started")),
            ended_at=r.moment(self.first.get("ended")),
            agent=r.person(self.agent) if self.agent is not None else None,
            used=sorted(self.files["used"]),
            generated=sorted(self.files["generated"]),
        )
