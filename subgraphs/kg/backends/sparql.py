"""The SPARQL backend: projects' datasets and provenance as schema.org and PROV-O triples."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Triple

from renku_fed.subgraphs.kg.backends import Row, Term, TripleStore
from renku_fed.subgraphs.kg.backends.vocabulary import (
    RDF_TYPE,
    XSD_DATETIME,
    XSD_INTEGER,
    activity_iri,
    dataset_iri,
    file_iri,
    local_id,
    project_iri,
    prov,
    renku,
    schema,
    user_iri,
)
from renku_fed.subgraphs.kg.models import (
    Activity,
    ActivityRecord,
    Dataset,
    DatasetFile,
    DatasetRecord,
    Lineage,
    LineageEdge,
    LineageNode,
    LineageNodeKind,
    LineageRelation,
    ProjectMetadata,
)

# Who may read a project (`?project`): fixed query text, chosen by code; the viewer's IRI is
# bound as `?viewer`, never written into the query.
_PUBLIC_ONLY = '?project renku:projectVisibility "PUBLIC" .'
_PUBLIC_OR_MEMBER = """
  ?project renku:projectVisibility ?visibility .
  FILTER(?visibility = "PUBLIC" || EXISTS { ?project schema:member ?viewer })"""

_DATASETS = """
SELECT ?dataset ?project ?p ?o ?path ?size %(projection)s WHERE {
  { SELECT DISTINCT ?dataset ?project %(projection)s WHERE {
      ?dataset a schema:Dataset ; schema:isPartOf ?project ; schema:alternateName ?name .
      %(selection)s
      %(access)s
    } ORDER BY ?name LIMIT %(limit)d }
  { ?dataset ?p ?o FILTER(?p != schema:hasPart) }
  UNION
  { ?dataset schema:hasPart ?file . ?file prov:atLocation ?path .
    OPTIONAL { ?file schema:contentSize ?size } }
}"""

_SEARCH = """FILTER EXISTS {
        ?dataset schema:alternateName|schema:name|schema:keywords ?text
        FILTER(CONTAINS(LCASE(STR(?text)), LCASE(?search))) }"""

_ACTIVITIES = """
SELECT ?activity ?project ?command ?started ?relation ?path %(projection)s WHERE {
  ?activity a prov:Activity ; renku:command ?command ; schema:isPartOf ?project .
  %(selection)s
  %(access)s
  OPTIONAL { ?activity prov:startedAtTime ?started }
  OPTIONAL {
    { ?activity prov:used ?entity BIND("used" AS ?relation) }
    UNION
    { ?entity prov:wasGeneratedBy ?activity BIND("generated" AS ?relation) }
    ?entity prov:atLocation ?path
  }
} ORDER BY ?started ?activity ?relation ?path"""

MAX_DATASETS = 100


class KnowledgeGraph:
    """A `KgBackend` over any `TripleStore`: indexes metadata as triples, answers by SPARQL."""

    def __init__(self, store: TripleStore) -> None:
        self._store = store

    def index_project(self, metadata: ProjectMetadata) -> None:
        """Replace everything known about one project with `metadata` (its own named graph)."""
        graph = project_iri(metadata.id)
        self._store.replace_graph(graph, _project_triples(metadata))

    def is_empty(self) -> bool:
        """True when no project has been indexed yet."""
        return self._store.is_empty()

    def close(self) -> None:
        """Release the underlying store."""
        self._store.close()

    def search_datasets(self, search: str | None, first: int) -> list[Dataset]:
        """Datasets of public projects whose name, title or keywords contain `search`."""
        if not search:
            return self._datasets("", _PUBLIC_ONLY, {}, "", first)
        return self._datasets(_SEARCH, _PUBLIC_ONLY, {"search": Literal(search)}, "?search", first)

    def dataset(self, dataset_id: str, viewer: str | None) -> Dataset | None:
        """One dataset, when the viewer may read its project."""
        found = self._datasets(
            "FILTER(?dataset = ?wanted)",
            *self._access(viewer, {"wanted": dataset_iri(dataset_id)}, "?wanted"),
            1,
        )
        return found[0] if found else None

    def project_datasets(self, project_id: str, viewer: str | None) -> list[Dataset]:
        """A project's datasets, when the viewer may read the project."""
        return self._datasets(
            "FILTER(?project = ?wanted)",
            *self._access(viewer, {"wanted": project_iri(project_id)}, "?wanted"),
            MAX_DATASETS,
        )

    def project_activities(self, project_id: str, viewer: str | None) -> list[Activity]:
        """A project's activities, oldest first, when the viewer may read the project."""
        return self._activities(
            "FILTER(?project = ?wanted)",
            *self._access(viewer, {"wanted": project_iri(project_id)}, "?wanted"),
        )

    def user_activities(self, user_id: str, viewer: str | None) -> list[Activity]:
        """Activities a user was the agent of, in projects the viewer may read."""
        return self._activities(
            "?activity prov:wasAssociatedWith ?agent .",
            *self._access(viewer, {"agent": user_iri(user_id)}, "?agent"),
        )

    def project_lineage(self, project_id: str, viewer: str | None) -> Lineage:
        """A project's provenance as nodes (files, runs) and data-flow edges."""
        nodes: dict[str, LineageNode] = {}
        edges: list[LineageEdge] = []
        for activity in self.project_activities(project_id, viewer):
            nodes[activity.id] = LineageNode(
                activity.id, LineageNodeKind.ACTIVITY, activity.command
            )
            for path in activity.used:
                node = _file_node(project_id, path)
                nodes.setdefault(node.id, node)
                edges.append(LineageEdge(node.id, activity.id, LineageRelation.USED))
            for path in activity.generated:
                node = _file_node(project_id, path)
                nodes.setdefault(node.id, node)
                edges.append(LineageEdge(activity.id, node.id, LineageRelation.GENERATED))
        return Lineage(nodes=list(nodes.values()), edges=edges)

    @staticmethod
    def _access(
        viewer: str | None, bindings: dict[str, Term], projection: str
    ) -> tuple[str, dict[str, Term], str]:
        if viewer is None:
            return _PUBLIC_ONLY, bindings, projection
        return _PUBLIC_OR_MEMBER, {**bindings, "viewer": user_iri(viewer)}, projection + " ?viewer"

    def _datasets(
        self,
        selection: str,
        access: str,
        bindings: dict[str, Term],
        projection: str,
        limit: int,
    ) -> list[Dataset]:
        query = _DATASETS % {
            "selection": selection,
            "access": access,
            "projection": projection,
            "limit": max(0, min(limit, MAX_DATASETS)),
        }
        builders: dict[str, _DatasetBuilder] = {}
        for row in self._store.select(query, bindings):
            iri = row["dataset"].value
            builder = builders.setdefault(iri, _DatasetBuilder(iri, row["project"].value))
            builder.add(row)
        return sorted((b.build() for b in builders.values()), key=lambda d: (d.name, d.id))

    def _activities(
        self, selection: str, access: str, bindings: dict[str, Term], projection: str
    ) -> list[Activity]:
        query = _ACTIVITIES % {"selection": selection, "access": access, "projection": projection}
        found: dict[str, Activity] = {}
        for row in self._store.select(query, bindings):
            iri = row["activity"].value
            activity = found.get(iri)
            if activity is None:
                started = row.get("started")
                activity = Activity(
                    id=local_id(iri, "activities"),
                    command=row["command"].value,
                    project_id=local_id(row["project"].value, "projects"),
                    started_at=datetime.fromisoformat(started.value) if started else None,
                )
                found[iri] = activity
            if "path" in row:
                target = activity.used if row["relation"].value == "used" else activity.generated
                target.append(row["path"].value)
        return list(found.values())


class _DatasetBuilder:
    """Folds the rows of one dataset back into a `Dataset`."""

    def __init__(self, iri: str, project: str) -> None:
        self.iri = iri
        self.project = project
        self.values: dict[str, list[str]] = {}
        self.files: dict[str, int | None] = {}

    def add(self, row: Row) -> None:
        if "path" in row:
            size = row.get("size")
            self.files[row["path"].value] = int(size.value) if size is not None else None
        elif "p" in row:
            self.values.setdefault(row["p"].value, []).append(row["o"].value)

    def _one(self, term: NamedNode) -> str | None:
        values = self.values.get(term.value)
        return values[0] if values else None

    def build(self) -> Dataset:
        created = self._one(schema("dateCreated"))
        return Dataset(
            id=local_id(self.iri, "datasets"),
            name=self._one(schema("alternateName")) or "",
            project_id=local_id(self.project, "projects"),
            title=self._one(schema("name")),
            description=self._one(schema("description")),
            keywords=sorted(self.values.get(schema("keywords").value, [])),
            files=[DatasetFile(path, size) for path, size in sorted(self.files.items())],
            date_created=datetime.fromisoformat(created) if created else None,
        )


def _file_node(project_id: str, path: str) -> LineageNode:
    return LineageNode(file_iri(project_id, path).value, LineageNodeKind.ENTITY, path)


def _datetime(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD_DATETIME)


def _project_triples(metadata: ProjectMetadata) -> Iterator[Triple]:
    project = project_iri(metadata.id)
    yield Triple(project, RDF_TYPE, schema("Project"))
    yield Triple(project, renku("projectVisibility"), Literal(metadata.visibility.value))
    for member in sorted(metadata.member_ids):
        yield Triple(project, schema("member"), user_iri(member))
    for dataset in metadata.datasets:
        yield from _dataset_triples(metadata.id, dataset)
    for activity in metadata.activities:
        yield from _activity_triples(metadata.id, activity)


def _dataset_triples(project_id: str, dataset: DatasetRecord) -> Iterator[Triple]:
    node = dataset_iri(dataset.id)
    yield Triple(node, RDF_TYPE, schema("Dataset"))
    yield Triple(node, schema("isPartOf"), project_iri(project_id))
    yield Triple(node, schema("identifier"), Literal(dataset.id))
    # As renku-python maps them: the dataset's name (slug) is schema:alternateName and its
    # human title schema:name, so graphs rebuilt from legacy metadata read the same.
    yield Triple(node, schema("alternateName"), Literal(dataset.name))
    if dataset.title is not None:
        yield Triple(node, schema("name"), Literal(dataset.title))
    if dataset.description is not None:
        yield Triple(node, schema("description"), Literal(dataset.description))
    if dataset.date_created is not None:
        yield Triple(node, schema("dateCreated"), _datetime(dataset.date_created))
    for keyword in dataset.keywords:
        yield Triple(node, schema("keywords"), Literal(keyword))
    for file in dataset.files:
        entity = file_iri(project_id, file.path)
        yield Triple(node, schema("hasPart"), entity)
        yield from _entity_triples(entity, file.path)
        yield Triple(entity, RDF_TYPE, schema("DigitalDocument"))
        if file.size_bytes is not None:
            yield Triple(
                entity, schema("contentSize"), Literal(str(file.size_bytes), datatype=XSD_INTEGER)
            )


def _entity_triples(entity: NamedNode, path: str) -> Iterator[Triple]:
    yield Triple(entity, RDF_TYPE, prov("Entity"))
    yield Triple(entity, prov("atLocation"), Literal(path))


def _activity_triples(project_id: str, activity: ActivityRecord) -> Iterator[Triple]:
    node = activity_iri(activity.id)
    yield Triple(node, RDF_TYPE, prov("Activity"))
    yield Triple(node, schema("isPartOf"), project_iri(project_id))
    yield Triple(node, renku("command"), Literal(activity.command))
    if activity.started_at is not None:
        yield Triple(node, prov("startedAtTime"), _datetime(activity.started_at))
    if activity.agent_id is not None:
        yield Triple(node, prov("wasAssociatedWith"), user_iri(activity.agent_id))
    for path in activity.used:
        entity = file_iri(project_id, path)
        yield from _entity_triples(entity, path)
        yield Triple(node, prov("used"), entity)
    for path in activity.generated:
        entity = file_iri(project_id, path)
        yield from _entity_triples(entity, path)
        yield Triple(node, prov("generated"), entity)
        yield Triple(entity, prov("wasGeneratedBy"), node)
