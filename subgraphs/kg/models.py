"""Plain domain types of the knowledge graph: what is indexed and what queries return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class Visibility(Enum):
    """Who may read a project's graph: everyone, or its members only."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


@dataclass(frozen=True, slots=True)
class DatasetFile:
    """A file of a dataset: its path in the project's repository and its size."""

    path: str
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class DatasetRecord:
    """A dataset as a project's metadata describes it."""

    id: str
    name: str
    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    files: tuple[DatasetFile, ...] = ()
    date_created: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """A recorded run of a command: the files it used and generated, and who ran it."""

    id: str
    command: str
    started_at: datetime | None = None
    agent_id: str | None = None
    used: tuple[str, ...] = ()
    generated: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectMetadata:
    """Everything the knowledge graph holds about one project; indexing replaces it whole."""

    id: str
    visibility: Visibility
    member_ids: frozenset[str] = frozenset()
    datasets: tuple[DatasetRecord, ...] = ()
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
    files: list[DatasetFile] = field(default_factory=list)
    date_created: datetime | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity read back from the graph; `used`/`generated` are repository paths."""

    id: str
    command: str
    project_id: str
    started_at: datetime | None = None
    used: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)


class LineageNodeKind(Enum):
    """What a lineage node stands for."""

    ENTITY = "ENTITY"
    ACTIVITY = "ACTIVITY"


class LineageRelation(Enum):
    """How an edge joins an entity and an activity."""

    USED = "USED"
    GENERATED = "GENERATED"


@dataclass(frozen=True, slots=True)
class LineageNode:
    """A file (entity) or a run (activity) in a project's lineage."""

    id: str
    kind: LineageNodeKind
    label: str


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """Data flow: entity -> activity for USED, activity -> entity for GENERATED."""

    source: str
    target: str
    relation: LineageRelation


@dataclass(frozen=True, slots=True)
class Lineage:
    """A project's provenance graph."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]
