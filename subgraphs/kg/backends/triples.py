"""Domain records as schema.org and PROV-O triples, with the search index each entity carries.

Every searchable entity has `renku:searchType`, `renku:sortName` (folded name), `renku:prefix`
(every indexed word prefix of its texts), `renku:namePrefix` (those of its name alone, which
rank higher), `renku:creatorKey`, `renku:sortDate` and `renku:visibleThrough` the project(s)
whose access decides who sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Triple

from renku_fed.subgraphs.kg.backends.vocabulary import (
    RDF_TYPE,
    XSD_DATETIME,
    activity_iri,
    dataset_iri,
    file_iri,
    fold,
    namespace_iri,
    person_iri,
    prefixes,
    project_iri,
    prov,
    renku,
    schema,
    user_iri,
    workflow_iri,
)
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetRecord,
    EntityType,
    Person,
    ProjectAccess,
    ProjectMetadata,
    WorkflowRecord,
)

_ROLE_PREDICATES = {"OWNER": "owner", "EDITOR": "editor", "VIEWER": "viewer"}


def datetime_literal(value: datetime) -> Literal:
    """An xsd:dateTime literal."""
    return Literal(value.isoformat(), datatype=XSD_DATETIME)


def _text(node: NamedNode, predicate: str, value: str | None) -> Iterator[Triple]:
    if value is not None:
        yield Triple(node, schema(predicate), Literal(value))


def _search(
    node: NamedNode,
    kind: EntityType,
    name: str,
    texts: Iterable[str],
    through: NamedNode,
    date: datetime | None = None,
) -> Iterator[Triple]:
    yield Triple(node, renku("searchType"), Literal(kind.value))
    yield Triple(node, renku("sortName"), Literal(fold(name)))
    yield Triple(node, renku("visibleThrough"), through)
    name_prefixes = prefixes(name)
    for prefix in sorted(name_prefixes):
        yield Triple(node, renku("namePrefix"), Literal(prefix))
    for prefix in sorted(name_prefixes.union(*(prefixes(t) for t in texts))):
        yield Triple(node, renku("prefix"), Literal(prefix))
    if date is not None:
        yield Triple(node, renku("sortDate"), datetime_literal(date))


def access_triples(access: ProjectAccess) -> Iterator[Triple]:
    """The access-control graph's triples of one project (names, visibility, members)."""
    node = project_iri(access.id)
    name = access.name or access.slug
    yield Triple(node, RDF_TYPE, schema("Project"))
    yield Triple(node, schema("identifier"), Literal(access.id))
    yield Triple(node, renku("visibility"), Literal(access.visibility.value))
    yield Triple(node, renku("namespace"), Literal(access.namespace))
    yield Triple(node, renku("slug"), Literal(access.slug))
    yield from _text(node, "name", name)
    yield from _text(node, "description", access.description)
    for keyword in access.keywords:
        yield Triple(node, schema("keywords"), Literal(keyword))
    if access.date_modified is not None:
        yield Triple(node, schema("dateModified"), datetime_literal(access.date_modified))
    for user_id, role in access.members:
        yield Triple(node, schema("member"), user_iri(user_id))
        yield Triple(node, renku(_ROLE_PREDICATES[role.value]), user_iri(user_id))
        if role.value == "OWNER":
            yield Triple(node, renku("creatorKey"), Literal(user_id))
    texts = [access.namespace, access.slug, access.description or "", *access.keywords]
    yield from _search(node, EntityType.PROJECT, name, texts, node, access.date_created)
    group = namespace_iri(access.namespace)
    yield Triple(group, schema("name"), Literal(access.namespace))
    yield from _search(group, EntityType.GROUP, access.namespace, (), node)


def metadata_triples(
    project_id: str, metadata: ProjectMetadata, context: Iterable[str] = ()
) -> Iterator[Triple]:
    """A project's named graph: its datasets, workflows and activities.

    `context` (the project's names) is searchable text of its workflows, whose own names are
    often just a script's (`clean.py` of alice/flights is found by "flight").
    """
    for dataset in metadata.datasets:
        yield from _dataset_triples(project_id, dataset)
    for workflow in metadata.workflows:
        yield from _workflow_triples(project_id, workflow, tuple(context))
    for activity in metadata.activities:
        yield from _activity_triples(project_id, activity)


def _person_triples(person: Person, project: NamedNode) -> Iterator[Triple]:
    node = person_iri(person.user_id, person.email, person.name)
    yield Triple(node, RDF_TYPE, schema("Person"))
    yield Triple(node, schema("name"), Literal(person.name))
    yield from _text(node, "email", person.email)
    yield from _text(node, "affiliation", person.affiliation)
    if person.user_id is not None:
        yield Triple(node, schema("identifier"), Literal(person.user_id))
    yield from _search(node, EntityType.PERSON, person.name, (person.email or "",), project)


def _creators(node: NamedNode, creators: Iterable[Person], project: NamedNode) -> Iterator[Triple]:
    for person in creators:
        yield Triple(node, schema("creator"), person_iri(person.user_id, person.email, person.name))
        keys = {fold(person.name)} | ({person.user_id} if person.user_id else set())
        for key in sorted(keys):
            yield Triple(node, renku("creatorKey"), Literal(key))
        yield from _person_triples(person, project)


def _dates(node: NamedNode, **dates: datetime | None) -> Iterator[Triple]:
    for predicate, value in dates.items():
        if value is not None:
            yield Triple(node, schema(predicate), datetime_literal(value))


def _dataset_triples(project_id: str, dataset: DatasetRecord) -> Iterator[Triple]:
    node, project = dataset_iri(dataset.id), project_iri(project_id)
    yield Triple(node, RDF_TYPE, schema("Dataset"))
    yield Triple(node, schema("isPartOf"), project)
    yield Triple(node, schema("identifier"), Literal(dataset.id))
    # As renku-python maps them: the dataset's name (slug) is schema:alternateName and its
    # human title schema:name, so graphs rebuilt from legacy metadata read the same.
    yield Triple(node, schema("alternateName"), Literal(dataset.name))
    yield from _text(node, "name", dataset.title)
    yield from _text(node, "description", dataset.description)
    yield from _dates(
        node,
        dateCreated=dataset.date_created,
        datePublished=dataset.date_published,
        dateModified=dataset.date_modified,
    )
    for keyword in dataset.keywords:
        yield Triple(node, schema("keywords"), Literal(keyword))
    for tag in dataset.tags:
        yield Triple(node, schema("version"), Literal(tag))
    if dataset.same_as is not None:
        yield Triple(node, schema("sameAs"), NamedNode(dataset.same_as))
    if dataset.derived_from is not None:
        yield Triple(node, prov("wasDerivedFrom"), dataset_iri(dataset.derived_from))
    for path in dataset.files:
        entity = file_iri(project_id, path)
        yield Triple(node, schema("hasPart"), entity)
        yield from _entity_triples(entity, path)
    yield from _creators(node, dataset.creators, project)
    texts = [dataset.title or "", dataset.description or "", *dataset.keywords]
    texts += [p.name for p in dataset.creators]
    date = dataset.date_published or dataset.date_created
    yield from _search(node, EntityType.DATASET, dataset.name, texts, project, date)


def _workflow_triples(
    project_id: str, workflow: WorkflowRecord, context: tuple[str, ...]
) -> Iterator[Triple]:
    node, project = workflow_iri(workflow.id), project_iri(project_id)
    yield Triple(node, RDF_TYPE, prov("Plan"))
    yield Triple(node, schema("isPartOf"), project)
    yield Triple(node, schema("identifier"), Literal(workflow.id))
    yield Triple(node, schema("name"), Literal(workflow.name))
    yield Triple(node, renku("command"), Literal(workflow.command))
    for path in workflow.inputs:
        yield Triple(node, renku("hasInput"), Literal(path))
    for path in workflow.outputs:
        yield Triple(node, renku("hasOutput"), Literal(path))
    for keyword in workflow.keywords:
        yield Triple(node, schema("keywords"), Literal(keyword))
    yield from _dates(node, dateCreated=workflow.date_created)
    yield from _creators(node, workflow.creators, project)
    texts = [workflow.command, *workflow.keywords, *workflow.inputs, *workflow.outputs, *context]
    yield from _search(
        node, EntityType.WORKFLOW, workflow.name, texts, project, workflow.date_created
    )


def _entity_triples(entity: NamedNode, path: str) -> Iterator[Triple]:
    yield Triple(entity, RDF_TYPE, prov("Entity"))
    yield Triple(entity, prov("atLocation"), Literal(path))


def _activity_triples(project_id: str, activity: ActivityRecord) -> Iterator[Triple]:
    node, project = activity_iri(activity.id), project_iri(project_id)
    yield Triple(node, RDF_TYPE, prov("Activity"))
    yield Triple(node, schema("isPartOf"), project)
    yield Triple(node, renku("command"), Literal(activity.command))
    if activity.workflow_id is not None:
        yield Triple(node, prov("hadPlan"), workflow_iri(activity.workflow_id))
    if activity.started_at is not None:
        yield Triple(node, prov("startedAtTime"), datetime_literal(activity.started_at))
    if activity.ended_at is not None:
        yield Triple(node, prov("endedAtTime"), datetime_literal(activity.ended_at))
    if activity.agent is not None:
        agent = activity.agent
        yield Triple(
            node, prov("wasAssociatedWith"), person_iri(agent.user_id, agent.email, agent.name)
        )
        yield from _person_triples(agent, project)
    for path in activity.used:
        entity = file_iri(project_id, path)
        yield from _entity_triples(entity, path)
        yield Triple(node, prov("used"), entity)
    for path in activity.generated:
        entity = file_iri(project_id, path)
        yield from _entity_triples(entity, path)
        yield Triple(entity, prov("wasGeneratedBy"), node)
        for source in activity.used:
            yield Triple(entity, prov("wasDerivedFrom"), file_iri(project_id, source))
