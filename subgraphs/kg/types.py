"""The kg subgraph's GraphQL types: datasets, activities and lineage; Project and User extended.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy; they ask `core` and build each type from its model with `from_model`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.kg import core, models
from renku_fed.subgraphs.kg.backends import KgBackend

Info: TypeAlias = strawberry.Info[RequestContext[KgBackend], None]

LineageNodeKind = strawberry.enum(models.LineageNodeKind, description="What a lineage node is.")
LineageRelation = strawberry.enum(
    models.LineageRelation, description="USED: entity -> activity; GENERATED: activity -> entity."
)


@strawberry.type(description="A file of a dataset.")
class DatasetFile:
    """A dataset file: path in the project's repository and size."""

    path: str
    size_bytes: int | None

    @classmethod
    def from_model(cls, file: models.DatasetFile) -> DatasetFile:
        """The GraphQL view of a dataset file."""
        return cls(path=file.path, size_bytes=file.size_bytes)


@strawberry.type(description="A node of a lineage graph: a file or a recorded run.")
class LineageNode:
    """A lineage node."""

    id: strawberry.ID
    kind: LineageNodeKind  # type: ignore[valid-type]
    label: str

    @classmethod
    def from_model(cls, node: models.LineageNode) -> LineageNode:
        """The GraphQL view of a lineage node."""
        return cls(id=strawberry.ID(node.id), kind=node.kind, label=node.label)


@strawberry.type(description="Data flow between a file and a run.")
class LineageEdge:
    """A lineage edge."""

    source: strawberry.ID
    target: strawberry.ID
    relation: LineageRelation  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, edge: models.LineageEdge) -> LineageEdge:
        """The GraphQL view of a lineage edge."""
        return cls(
            source=strawberry.ID(edge.source),
            target=strawberry.ID(edge.target),
            relation=edge.relation,
        )


@strawberry.type(description="A project's provenance graph.")
class Lineage:
    """Nodes and edges of a project's lineage."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]

    @classmethod
    def from_model(cls, lineage: models.Lineage) -> Lineage:
        """The GraphQL view of a lineage."""
        return cls(
            nodes=[LineageNode.from_model(node) for node in lineage.nodes],
            edges=[LineageEdge.from_model(edge) for edge in lineage.edges],
        )


def resolve_activity_project(root: Activity) -> Project:
    """The activity's project."""
    return Project(id=strawberry.ID(root.project_id))


@strawberry.type(description="A recorded run of a command (a PROV activity).")
class Activity:
    """An activity with the repository paths it used and generated."""

    id: strawberry.ID
    command: str
    started_at: datetime | None
    used: list[str]
    generated: list[str]
    project_id: strawberry.Private[str]
    project: Project = strawberry.field(
        resolver=resolve_activity_project, description="The project the run belongs to."
    )

    @classmethod
    def from_model(cls, activity: models.Activity) -> Activity:
        """The GraphQL view of an activity."""
        return cls(
            id=strawberry.ID(activity.id),
            command=activity.command,
            started_at=activity.started_at,
            used=activity.used,
            generated=activity.generated,
            project_id=activity.project_id,
        )


def resolve_dataset_project(root: Dataset) -> Project:
    """The dataset's project."""
    return Project(id=strawberry.ID(root.project_id))


@strawberry.federation.type(keys=["id"], description="A dataset of a project.")
class Dataset:
    """A dataset: name, title, keywords and files."""

    id: strawberry.ID
    name: str
    title: str | None
    description: str | None
    keywords: list[str]
    files: list[DatasetFile]
    date_created: datetime | None
    project_id: strawberry.Private[str]
    project: Project = strawberry.field(
        resolver=resolve_dataset_project, description="The project the dataset belongs to."
    )

    @classmethod
    def from_model(cls, dataset: models.Dataset) -> Dataset:
        """The GraphQL view of a dataset."""
        return cls(
            id=strawberry.ID(dataset.id),
            name=dataset.name,
            title=dataset.title,
            description=dataset.description,
            keywords=dataset.keywords,
            files=[DatasetFile.from_model(file) for file in dataset.files],
            date_created=dataset.date_created,
            project_id=dataset.project_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Dataset | None:
        """The dataset with this id, when the caller may read its project."""
        found = await core.dataset(info.context.backend, info.context.identity, str(id))
        return cls.from_model(found) if found else None


async def resolve_project_datasets(root: Project, info: Info) -> list[Dataset]:
    """The project's datasets, empty when the caller may not read the project."""
    context = info.context
    found = await core.project_datasets(context.backend, context.identity, str(root.id))
    return [Dataset.from_model(dataset) for dataset in found]


async def resolve_project_lineage(root: Project, info: Info) -> Lineage:
    """The project's lineage graph."""
    context = info.context
    found = await core.project_lineage(context.backend, context.identity, str(root.id))
    return Lineage.from_model(found)


async def resolve_project_activities(root: Project, info: Info) -> list[Activity]:
    """The project's activities."""
    context = info.context
    found = await core.project_activities(context.backend, context.identity, str(root.id))
    return [Activity.from_model(activity) for activity in found]


@strawberry.federation.type(keys=["id"])
class Project:
    """The project entity, extended with what the knowledge graph knows about it."""

    id: strawberry.ID
    datasets: list[Dataset] = strawberry.field(
        resolver=resolve_project_datasets, description="The project's datasets."
    )
    lineage: Lineage = strawberry.field(
        resolver=resolve_project_lineage,
        description="The project's provenance: files and runs, and their data flow.",
    )
    activities: list[Activity] = strawberry.field(
        resolver=resolve_project_activities,
        description="The project's recorded runs, oldest first.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Project:
        """A project stub; its fields check access themselves."""
        return cls(id=id)


async def resolve_user_activity(root: User, info: Info) -> list[Activity]:
    """The user's activities."""
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
