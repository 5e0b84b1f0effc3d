"""The kg subgraph's GraphQL types: datasets, workflows, activities, lineage; Project, User.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy; they ask `core` and build each type from its model with `from_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.pagination import Connection, Edge
from renku_fed.subgraphs.kg import core, models
from renku_fed.subgraphs.kg.ingest import KgService

Info: TypeAlias = strawberry.Info[RequestContext[KgService], None]

LineageNodeType = strawberry.enum(models.LineageNodeType, description="What a lineage node is.")
DatasetSort = strawberry.enum(models.DatasetSort, description="How datasets are ordered.")
EventStatus = strawberry.enum(
    models.EventStatus, description="Where an ingestion event is: NEW, PROCESSING, DONE, FAILED."
)


@strawberry.type(description="How far the knowledge graph has taken in a project's changes.")
class IndexingStatus:
    """The project's oldest unfinished ingestion event, else its latest one."""

    status: EventStatus  # type: ignore[valid-type]
    message: str | None = strawberry.field(description="Why it failed, or what it skipped.")
    progress: float = strawberry.field(description="Share of the waiting events done, 0 to 1.")

    @classmethod
    def from_model(cls, status: models.IndexingStatus) -> IndexingStatus:
        """The GraphQL view of an indexing status."""
        return cls(status=status.status, message=status.message, progress=status.progress)


def resolve_person_user(root: Person) -> User | None:
    """The platform user, when the person is one."""
    return User(id=strawberry.ID(root.user_id)) if root.user_id else None


@strawberry.type(description="A creator or agent: a platform user, or a name and contact.")
class Person:
    """A person as a project's metadata names them."""

    name: str
    email: str | None
    affiliation: str | None
    user_id: strawberry.Private[str | None]
    user: User | None = strawberry.field(
        resolver=resolve_person_user, description="The platform user, when known."
    )

    @classmethod
    def from_model(cls, person: models.Person) -> Person:
        """The GraphQL view of a person."""
        return cls(
            name=person.name,
            email=person.email,
            affiliation=person.affiliation,
            user_id=person.user_id,
        )


@strawberry.type(description="A file of a dataset.")
class DatasetFile:
    """A dataset file: its path in the project's repository."""

    location: str


def resolve_dataset_project(root: Dataset) -> Project:
    """The project the dataset was recorded in."""
    return Project(id=strawberry.ID(root.project_id))


async def resolve_dataset_used_in(root: Dataset, info: Info) -> list[Project]:
    """Other projects you may read that hold a copy of this dataset."""
    found = await core.dataset_used_in(info.context.backend, info.context.identity, str(root.id))
    return [Project(id=strawberry.ID(project)) for project in found]


async def resolve_dataset_versions(root: Dataset, info: Info) -> list[Dataset]:
    """Other versions of this dataset you may read, oldest first."""
    found = await core.dataset_versions(info.context.backend, info.context.identity, str(root.id))
    return [Dataset.from_model(dataset) for dataset in found]


@strawberry.federation.type(keys=["id"], description="A dataset recorded in a project.")
class Dataset:
    """A dataset as its project's metadata describes it."""

    id: strawberry.ID
    name: str
    slug: str
    title: str | None
    description: str | None
    keywords: list[str]
    creators: list[Person]
    date_created: datetime | None
    date_published: datetime | None
    date_modified: datetime | None
    same_as: str | None = strawberry.field(description="Where it was imported from.")
    derived_from: strawberry.ID | None = strawberry.field(
        description="The dataset this is a modified copy of."
    )
    files: list[DatasetFile]
    tags: list[str]
    project_id: strawberry.Private[str]
    project: Project = strawberry.field(
        resolver=resolve_dataset_project, description="The project it was recorded in."
    )
    used_in: list[Project] = strawberry.field(
        resolver=resolve_dataset_used_in, description="Other projects holding a copy of it."
    )
    versions: list[Dataset] = strawberry.field(
        resolver=resolve_dataset_versions,
        description="Datasets it derives from or that derive from it, oldest first.",
    )

    @classmethod
    def from_model(cls, dataset: models.Dataset) -> Dataset:
        """The GraphQL view of a dataset."""
        return cls(
            id=strawberry.ID(dataset.id),
            name=dataset.name,
            slug=dataset.name,
            title=dataset.title,
            description=dataset.description,
            keywords=dataset.keywords,
            creators=[Person.from_model(p) for p in dataset.creators],
            date_created=dataset.date_created,
            date_published=dataset.date_published,
            date_modified=dataset.date_modified,
            same_as=dataset.same_as,
            derived_from=strawberry.ID(dataset.derived_from) if dataset.derived_from else None,
            files=[DatasetFile(location=path) for path in dataset.files],
            tags=dataset.tags,
            project_id=dataset.project_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Dataset | None:
        """The dataset with this id, when the caller may read its project."""
        found = await core.dataset(info.context.backend, info.context.identity, str(id))
        return cls.from_model(found) if found else None


@strawberry.type(description="An edge of a dataset connection.")
class DatasetEdge(Edge[Dataset]):
    """A dataset and its cursor."""


@strawberry.type(description="A page of datasets.")
class DatasetConnection(Connection[Dataset]):
    """Relay connection of datasets, in the order asked for."""

    edges: Sequence[DatasetEdge]


def resolve_workflow_project(root: Workflow) -> Project:
    """The project the workflow was recorded in."""
    return Project(id=strawberry.ID(root.project_id))


@strawberry.type(description="A plan: a command with its inputs and outputs.")
class Workflow:
    """A workflow recorded in a project."""

    id: strawberry.ID
    name: str
    command: str
    inputs: list[str]
    outputs: list[str]
    keywords: list[str]
    project_id: strawberry.Private[str]
    project: Project = strawberry.field(
        resolver=resolve_workflow_project, description="The project it was recorded in."
    )

    @classmethod
    def from_model(cls, workflow: models.Workflow) -> Workflow:
        """The GraphQL view of a workflow."""
        return cls(
            id=strawberry.ID(workflow.id),
            name=workflow.name,
            command=workflow.command,
            inputs=workflow.inputs,
            outputs=workflow.outputs,
            keywords=workflow.keywords,
            project_id=workflow.project_id,
        )


def resolve_activity_project(root: Activity) -> Project:
    """The project the activity was recorded in."""
    return Project(id=strawberry.ID(root.project_id))


@strawberry.type(description="A run of a workflow (a PROV activity).")
class Activity:
    """An activity with the repository paths it used and generated."""

    id: strawberry.ID
    command: str
    workflow_id: strawberry.ID | None = strawberry.field(description="The plan it ran.")
    used: list[str]
    generated: list[str]
    started_at: datetime | None
    ended_at: datetime | None
    agent: Person | None
    project_id: strawberry.Private[str]
    project: Project = strawberry.field(
        resolver=resolve_activity_project, description="The project it was recorded in."
    )

    @classmethod
    def from_model(cls, activity: models.Activity) -> Activity:
        """The GraphQL view of an activity."""
        return cls(
            id=strawberry.ID(activity.id),
            command=activity.command,
            workflow_id=strawberry.ID(activity.workflow_id) if activity.workflow_id else None,
            used=activity.used,
            generated=activity.generated,
            started_at=activity.started_at,
            ended_at=activity.ended_at,
            agent=Person.from_model(activity.agent) if activity.agent else None,
            project_id=activity.project_id,
        )


@strawberry.type(description="A file or a run in a lineage graph.")
class LineageNode:
    """A lineage node; `location` is the file's path, null for a run."""

    id: strawberry.ID
    location: str | None
    label: str
    type: LineageNodeType  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, node: models.LineageNode) -> LineageNode:
        """The GraphQL view of a lineage node."""
        return cls(
            id=strawberry.ID(node.id), location=node.location, label=node.label, type=node.type
        )


@strawberry.type(description="Data flow: a file into a run, or a run into a file.")
class LineageEdge:
    """A lineage edge."""

    source: strawberry.ID
    target: strawberry.ID


@strawberry.type(description="Everything upstream and downstream of a file.")
class Lineage:
    """Nodes and edges of a file's lineage."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]

    @classmethod
    def from_model(cls, lineage: models.Lineage) -> Lineage:
        """The GraphQL view of a lineage."""
        return cls(
            nodes=[LineageNode.from_model(node) for node in lineage.nodes],
            edges=[
                LineageEdge(source=strawberry.ID(e.source), target=strawberry.ID(e.target))
                for e in lineage.edges
            ],
        )


async def resolve_project_datasets(
    root: Project,
    info: Info,
    sort: DatasetSort = models.DatasetSort.NAME,  # type: ignore[valid-type]
    first: int | None = 20,
    after: str | None = None,
) -> DatasetConnection:
    """A page of the project's datasets; empty when you may not read the project."""
    context = info.context
    page = await core.project_datasets(
        context.backend, context.identity, str(root.id), sort, first, after
    )
    return DatasetConnection.from_page(page, Dataset.from_model, after)


async def resolve_project_workflows(root: Project, info: Info) -> list[Workflow]:
    """The project's workflows, by name."""
    found = await core.project_workflows(info.context.backend, info.context.identity, str(root.id))
    return [Workflow.from_model(w) for w in found]


async def resolve_project_activities(root: Project, info: Info) -> list[Activity]:
    """The project's runs, oldest first."""
    context = info.context
    found = await core.project_activities(context.backend, context.identity, str(root.id))
    return [Activity.from_model(activity) for activity in found]


async def resolve_project_lineage(root: Project, info: Info, path: str) -> Lineage:
    """Everything upstream and downstream of the file at `path`."""
    context = info.context
    found = await core.lineage(context.backend, context.identity, str(root.id), path)
    return Lineage.from_model(found)


async def resolve_project_indexing_status(root: Project, info: Info) -> IndexingStatus | None:
    """Where the project's ingestion is; null before its first event or when hidden."""
    context = info.context
    found = await core.indexing_status(context.backend, context.identity, str(root.id))
    return IndexingStatus.from_model(found) if found else None


@strawberry.federation.type(keys=["id"])
class Project:
    """The project entity, extended with what the knowledge graph knows about it."""

    id: strawberry.ID
    datasets: DatasetConnection = strawberry.field(
        resolver=resolve_project_datasets,
        description="The project's datasets; `first` is 0 to 100.",
    )
    workflows: list[Workflow] = strawberry.field(
        resolver=resolve_project_workflows, description="The project's workflows, by name."
    )
    activities: list[Activity] = strawberry.field(
        resolver=resolve_project_activities, description="The project's runs, oldest first."
    )
    lineage: Lineage = strawberry.field(
        resolver=resolve_project_lineage,
        description="Every run and file upstream and downstream of the file at `path`.",
    )
    indexing_status: IndexingStatus | None = strawberry.field(
        resolver=resolve_project_indexing_status,
        description="How far the knowledge graph has taken in the project's latest changes.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Project:
        """A project stub; its fields check access themselves."""
        return cls(id=id)


async def resolve_user_activity(root: User, info: Info) -> list[Activity]:
    """The user's runs, in projects you may read."""
    context = info.context
    found = await core.user_activities(context.backend, context.identity, str(root.id))
    return [Activity.from_model(activity) for activity in found]


@strawberry.federation.type(keys=["id"])
class User:
    """The user entity, extended with the runs they recorded."""

    id: strawberry.ID
    activity: list[Activity] = strawberry.field(
        resolver=resolve_user_activity,
        description="Runs this user was the agent of, in projects you may read.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A user stub."""
        return cls(id=id)
