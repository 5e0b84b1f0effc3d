"""Plain domain types of the knowledge graph: what is indexed and what queries return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Visibility(Enum):
    """Who may read a project's graph: everyone, or its members only."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Role(Enum):
    """A member's role in a project."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    OWNER = "OWNER"


_RANKS = [Role.VIEWER, Role.EDITOR, Role.OWNER]


class EntityType(Enum):
    """What a search result is."""

    PROJECT = "PROJECT"
    GROUP = "GROUP"
    DATASET = "DATASET"
    WORKFLOW = "WORKFLOW"
    PERSON = "PERSON"


class SearchSort(Enum):
    """How search results are ordered."""

    MATCHING_SCORE = "MATCHING_SCORE"
    NAME = "NAME"
    DATE_MODIFIED = "DATE_MODIFIED"
    DATE = "DATE"


class DatasetSort(Enum):
    """How a project's datasets are ordered."""

    NAME = "NAME"
    DATE_CREATED = "DATE_CREATED"
    DATE_MODIFIED = "DATE_MODIFIED"


class EventStatus(Enum):
    """Where an ingestion event is: NEW -> PROCESSING -> DONE | FAILED."""

    NEW = "NEW"
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Person:
    """A creator or agent: a platform user when `user_id` is known, else a name and contact."""

    name: str
    user_id: str | None = None
    email: str | None = None
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in caller reading the graph: their subject and their role in each group.

    A group's members read the private projects in the group's namespace, as its project
    members do.
    """

    subject: str
    groups: Mapping[str, Role] = field(default_factory=dict)

    def role_in(self, access: ProjectAccess) -> Role | None:
        """The viewer's higher role in a project: as a member or through the project's group."""
        held = (dict(access.members).get(self.subject), self.groups.get(access.namespace))
        return max((r for r in held if r is not None), key=_RANKS.index, default=None)


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    """What the projects subgraph says about a project: who may read it, and how it is named."""

    id: str
    namespace: str
    slug: str
    visibility: Visibility
    members: tuple[tuple[str, Role], ...] = ()
    name: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    date_created: datetime | None = None
    date_modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class DatasetRecord:
    """A dataset as a project's `.renku/` metadata describes it."""

    id: str
    name: str
    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    creators: tuple[Person, ...] = ()
    files: tuple[str, ...] = ()
    date_created: datetime | None = None
    date_published: datetime | None = None
    date_modified: datetime | None = None
    same_as: str | None = None
    derived_from: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkflowRecord:
    """A plan: a command with its inputs and outputs."""

    id: str
    name: str
    command: str
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    creators: tuple[Person, ...] = ()
    date_created: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """A run of a workflow: the files it used and generated, when, and who ran it."""

    id: str
    workflow_id: str | None
    command: str
    used: tuple[str, ...] = ()
    generated: tuple[str, ...] = ()
    started_at: datetime | None = None
    ended_at: datetime | None = None
    agent: Person | None = None


@dataclass(frozen=True, slots=True)
class ProjectMetadata:
    """Everything a project's repository says at one commit; ingestion replaces the graph whole."""

    datasets: tuple[DatasetRecord, ...] = ()
    workflows: tuple[WorkflowRecord, ...] = ()
    activities: tuple[ActivityRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset read back from the graph, with the project it belongs to."""

    id: str
    name: str
    project_id: str
    title: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    creators: list[Person] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    date_created: datetime | None = None
    date_published: datetime | None = None
    date_modified: datetime | None = None
    same_as: str | None = None
    derived_from: str | None = None


@dataclass(frozen=True, slots=True)
class Workflow:
    """A workflow read back from the graph."""

    id: str
    name: str
    command: str
    project_id: str
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity read back from the graph; `used`/`generated` are repository paths."""

    id: str
    command: str
    project_id: str
    workflow_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    agent: Person | None = None
    used: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items with their cursors, the total, and whether more follow."""

    items: list[T]
    cursors: list[str]
    total: int
    has_next: bool


class LineageNodeType(Enum):
    """What a lineage node stands for."""

    FILE = "FILE"
    ACTIVITY = "ACTIVITY"


@dataclass(frozen=True, slots=True)
class LineageNode:
    """A file or a run in a lineage graph."""

    id: str
    type: LineageNodeType
    label: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """Data flow: file -> run (used) or run -> file (generated)."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Lineage:
    """Everything upstream and downstream of a file."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """The arguments of one search, checked."""

    text: str = ""
    types: frozenset[EntityType] = frozenset(EntityType)
    creators: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    visibilities: tuple[Visibility, ...] = ()
    namespaces: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    sort: SearchSort = SearchSort.MATCHING_SCORE
    first: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: an entity of some type, its display name and score."""

    type: EntityType
    id: str
    name: str
    score: float
    project_id: str | None = None
    dataset: Dataset | None = None
    workflow: Workflow | None = None
    person: Person | None = None


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits with the whole result's size and facets."""

    page: Page[SearchHit]
    by_type: dict[EntityType, int]
    by_keyword: dict[str, int]


@dataclass(frozen=True, slots=True)
class IndexingStatus:
    """The latest ingestion event of a project."""

    status: EventStatus
    message: str | None = None
    progress: float = 0.0
