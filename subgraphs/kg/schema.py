"""The kg subgraph's schema: datasets, activities and lineage; extends Project and User."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from renku_fed.subgraphs.common.app import RequestContext, mask_errors
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.kg import models
from renku_fed.subgraphs.kg.knowledge_graph import KnowledgeGraph

LineageNodeKind = strawberry.enum(models.LineageNodeKind, description="What a lineage node is.")
LineageRelation = strawberry.enum(
    models.LineageRelation, description="USED: entity -> activity; GENERATED: activity -> entity."
)
# Resolvers ask the graph in a worker thread: a SPARQL query may take a while, and the event
# loop serves every other request meanwhile.
KgInfo = Info[RequestContext[KnowledgeGraph], Any]


def _viewer(info: KgInfo) -> str | None:
    return info.context.identity.subject


@strawberry.type(description="A file of a dataset.")
class DatasetFile:
    """A dataset file: path in the project's repository and size."""

    path: str
    size_bytes: int | None


@strawberry.type(description="A node of a lineage graph: a file or a recorded run.")
class LineageNode:
    """A lineage node."""

    id: strawberry.ID
    kind: LineageNodeKind  # type: ignore[valid-type]
    label: str


@strawberry.type(description="Data flow between a file and a run.")
class LineageEdge:
    """A lineage edge."""

    source: strawberry.ID
    target: strawberry.ID
    relation: LineageRelation  # type: ignore[valid-type]


@strawberry.type(description="A project's provenance graph.")
class Lineage:
    """Nodes and edges of a project's lineage."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]

    @classmethod
    def of(cls, lineage: models.Lineage) -> Lineage:
        """The GraphQL view of a lineage."""
        return cls(
            nodes=[
                LineageNode(id=strawberry.ID(n.id), kind=n.kind, label=n.label)
                for n in lineage.nodes
            ],
            edges=[
                LineageEdge(
                    source=strawberry.ID(e.source),
                    target=strawberry.ID(e.target),
                    relation=e.relation,
                )
                for e in lineage.edges
            ],
        )


@strawberry.type(description="A recorded run of a command (a PROV activity).")
class Activity:
    """An activity with the repository paths it used and generated."""

    id: strawberry.ID
    command: str
    started_at: datetime | None
    used: list[str]
    generated: list[str]
    project_id: strawberry.Private[str]

    @strawberry.field(description="The project the run belongs to.")
    def project(self) -> Project:
        """The activity's project."""
        return Project(id=strawberry.ID(self.project_id))

    @classmethod
    def of(cls, activity: models.Activity) -> Activity:
        """The GraphQL view of an activity."""
        return cls(
            id=strawberry.ID(activity.id),
            command=activity.command,
            started_at=activity.started_at,
            used=activity.used,
            generated=activity.generated,
            project_id=activity.project_id,
        )


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

    @strawberry.field(description="The project the dataset belongs to.")
    def project(self) -> Project:
        """The dataset's project."""
        return Project(id=strawberry.ID(self.project_id))

    @classmethod
    def of(cls, dataset: models.Dataset) -> Dataset:
        """The GraphQL view of a dataset."""
        return cls(
            id=strawberry.ID(dataset.id),
            name=dataset.name,
            title=dataset.title,
            description=dataset.description,
            keywords=dataset.keywords,
            files=[DatasetFile(path=f.path, size_bytes=f.size_bytes) for f in dataset.files],
            date_created=dataset.date_created,
            project_id=dataset.project_id,
        )

    @classmethod
    async def resolve_reference(cls, info: KgInfo, id: strawberry.ID) -> Dataset | None:
        """The dataset with this id, when the caller may read its project."""
        found = await asyncio.to_thread(info.context.backend.dataset, str(id), _viewer(info))
        return cls.of(found) if found else None


@strawberry.federation.type(keys=["id"])
class Project:
    """The project entity, extended with what the knowledge graph knows about it."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Project:
        """A project stub; its fields check access themselves."""
        return cls(id=id)

    @strawberry.field(description="The project's datasets.")
    async def datasets(self, info: KgInfo) -> list[Dataset]:
        """The project's datasets, empty when the caller may not read the project."""
        backend = info.context.backend
        found = await asyncio.to_thread(backend.project_datasets, str(self.id), _viewer(info))
        return [Dataset.of(d) for d in found]

    @strawberry.field(description="The project's provenance: files and runs, and their data flow.")
    async def lineage(self, info: KgInfo) -> Lineage:
        """The project's lineage graph."""
        backend = info.context.backend
        found = await asyncio.to_thread(backend.project_lineage, str(self.id), _viewer(info))
        return Lineage.of(found)

    @strawberry.field(description="The project's recorded runs, oldest first.")
    async def activities(self, info: KgInfo) -> list[Activity]:
        """The project's activities."""
        backend = info.context.backend
        found = await asyncio.to_thread(backend.project_activities, str(self.id), _viewer(info))
        return [Activity.of(a) for a in found]


@strawberry.federation.type(keys=["id"])
class User:
    """The user entity, extended with the runs they recorded."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A user stub."""
        return cls(id=id)

    @strawberry.field(description="Runs this user was the agent of, in projects you may read.")
    async def activity(self, info: KgInfo) -> list[Activity]:
        """The user's activities."""
        backend = info.context.backend
        found = await asyncio.to_thread(backend.user_activities, str(self.id), _viewer(info))
        return [Activity.of(a) for a in found]


@strawberry.type
class Query:
    """The kg subgraph's root fields."""

    @strawberry.field(
        description="Datasets of public projects whose name, title or keywords contain "
        "`search` (case-insensitive), by name; `first` is 0 to 100."
    )
    async def datasets(
        self, info: KgInfo, search: str | None = strawberry.UNSET, first: int | None = 20
    ) -> list[Dataset]:
        """Search public datasets."""
        page = PageRequest.of(first, None)
        backend = info.context.backend
        found = await asyncio.to_thread(backend.search_datasets, search or None, page.first)
        return [Dataset.of(d) for d in found]


schema = strawberry.federation.Schema(
    query=Query, types=[Project, User, Dataset], extensions=[mask_errors]
)
