"""Typed models of what the operations return (pydantic, field names in snake_case)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Model(BaseModel):
    """Base of every model: reads the API's camelCase names, ignores fields it does not know."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Visibility(str, Enum):
    """Who may see a project."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Role(str, Enum):
    """A member's role in a project or group."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    OWNER = "OWNER"


class SessionState(str, Enum):
    """Where a session is in its life."""

    STARTING = "STARTING"
    RUNNING = "RUNNING"
    HIBERNATED = "HIBERNATED"
    STOPPING = "STOPPING"
    FAILED = "FAILED"
    SUCCEEDED = "SUCCEEDED"


class User(Model):
    """A person with an account; `namespace` is where their own projects live (`carol-2`)."""

    id: str
    username: str
    namespace: str
    display_name: str
    email: str | None = None
    is_admin: bool = False


class Member(Model):
    """A project member and their role; `user` is None once the member's account is deleted."""

    role: Role
    user: User | None


class Project(Model):
    """A project: a git repository with members, sessions and a knowledge graph."""

    id: str
    name: str
    slug: str
    namespace: str
    visibility: Visibility
    description: str | None = None
    keywords: list[str] = []
    creation_date: datetime
    updated_at: datetime
    etag: str
    created_by: User
    members: list[Member] = []

    @property
    def path(self) -> str:
        """`namespace/slug`, as in the project's address."""
        return f"{self.namespace}/{self.slug}"


class ProjectRef(Model):
    """The project a session belongs to."""

    id: str
    namespace: str
    slug: str


class Session(Model):
    """An interactive Jupyter session on a project."""

    id: str
    name: str
    state: SessionState
    message: str | None = None
    url: str | None = None
    started_at: datetime
    project: ProjectRef


class SearchHit(Model):
    """One search result: its kind (`typename`) and the fields that kind has."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    typename: str
    id: str | None = None
    name: str | None = None
    slug: str | None = None

    @classmethod
    def from_node(cls, node: dict[str, Any]) -> SearchHit:
        """Read a node of the search connection."""
        return cls.model_validate({**node, "typename": node["__typename"]})


class LineageNode(Model):
    """A file or an activity in a lineage graph."""

    id: str
    location: str | None = None
    label: str
    type: str


class LineageEdge(Model):
    """From a node to the node it flows into."""

    source: str
    target: str


class Lineage(Model):
    """How a file came to be: files and the activities that used and generated them."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language."""
        lines = ["digraph lineage {", "  rankdir=LR;"]
        for node in self.nodes:
            shape = "box" if node.type == "ACTIVITY" else "ellipse"
            lines.append(f'  "{node.id}" [label={_quote(node.label)}, shape={shape}];')
        lines += [f'  "{e.source}" -> "{e.target}";' for e in self.edges]
        return "\n".join([*lines, "}"])

    def _repr_svg_(self) -> str:
        """Jupyter shows the graph as this picture."""
        from renku_fed.sdk.lineage_svg import render_svg

        return render_svg(self)


class RecordedDataset(Model):
    """A dataset recorded in a project's repository: its id and the commit under `.renku/`."""

    dataset_id: str
    commit: str | None = None


class RecordedActivity(Model):
    """A run recorded in a project's repository: the activity, its workflow and the commit."""

    activity_id: str
    workflow_id: str | None = None
    commit: str | None = None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
