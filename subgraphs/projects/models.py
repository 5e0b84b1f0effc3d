"""Plain domain types of the projects subgraph: projects, members, roles and access."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from renku_fed.identity.tokens import Identity


class Visibility(Enum):
    """Who may see a project."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Role(Enum):
    """A member's role in a project; each role includes the rights of the ones before it."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    OWNER = "OWNER"

    @property
    def rank(self) -> int:
        """0 for VIEWER, 1 for EDITOR, 2 for OWNER: a role includes every lower rank."""
        return _RANKS[self]

    def includes(self, other: Role) -> bool:
        """True when this role has at least the rights of `other`."""
        return self.rank >= other.rank


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


class ProjectSort(Enum):
    """The orders a project listing can come in; each breaks ties by id, so cursors are stable."""

    CREATION_DATE = "CREATION_DATE"
    CREATION_DATE_DESC = "CREATION_DATE_DESC"
    UPDATED_AT_DESC = "UPDATED_AT_DESC"
    NAME = "NAME"


@dataclass(frozen=True, slots=True)
class Member:
    """A user's membership in a project."""

    user_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class Permissions:
    """What a caller may do with a project."""

    write: bool
    delete: bool
    change_membership: bool


@dataclass(frozen=True, slots=True)
class Project:
    """A Renku project as the store keeps it."""

    id: str
    name: str
    slug: str
    namespace: str
    visibility: Visibility
    description: str | None
    keywords: tuple[str, ...]
    created_by: str
    creation_date: datetime
    updated_at: datetime
    members: tuple[Member, ...]
    repositories: tuple[str, ...] = ()
    documentation: str | None = None
    is_template: bool = False
    template_id: str | None = None
    group_role: Role | None = None

    @property
    def etag(self) -> str:
        """A tag that changes whenever the project's stored contents change."""
        parts = (
            self.id,
            self.name,
            self.slug,
            self.namespace,
            self.visibility.value,
            self.description or "",
            "\x1f".join(self.keywords),
            self.updated_at.isoformat(),
            "\x1f".join(f"{m.user_id}:{m.role.value}" for m in self.members),
            self.documentation or "",
            str(self.is_template),
            self.template_id or "",
        )
        return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:32].upper()

    def role_of(self, identity: Identity) -> Role | None:
        """The caller's role: the stronger of their own and their group's, None for neither.

        `group_role` is the role of the caller (the one the store read this project for) in the
        group that owns the project's namespace.
        """
        own = next((m.role for m in self.members if m.user_id == identity.subject), None)
        if own is None or self.group_role is None:
            return own or self.group_role
        return own if own.includes(self.group_role) else self.group_role

    def is_visible_to(self, identity: Identity) -> bool:
        """Public projects are visible to all; private ones to members and admins."""
        return (
            self.visibility is Visibility.PUBLIC
            or identity.is_admin
            or self.role_of(identity) is not None
        )

    def permissions_of(self, identity: Identity) -> Permissions:
        """Viewers read, editors write, owners and admins also delete and manage members."""
        role = self.role_of(identity)
        owns = identity.is_admin or role is Role.OWNER
        return Permissions(write=owns or role is Role.EDITOR, delete=owns, change_membership=owns)


@dataclass(frozen=True, slots=True)
class NamespaceInfo:
    """A user's or group's namespace as the users subgraph describes it to the caller."""

    kind: str
    slug: str
    role: Role | None
    redirected_from: str | None = None

    def owned_group(self, identity: Identity) -> bool:
        """True for a group namespace whose OWNER the caller is (or any group, for admins)."""
        return self.kind == "GROUP" and (identity.is_admin or self.role is Role.OWNER)


@dataclass(frozen=True, slots=True)
class NewProject:
    """A validated request to create a project."""

    name: str
    namespace: str
    slug: str
    visibility: Visibility
    description: str | None
    keywords: tuple[str, ...]
    documentation: str | None = None
    is_template: bool = False


@dataclass(frozen=True, slots=True)
class ProjectDraft:
    """An unchecked request to create or copy a project; None asks for the default."""

    name: str
    namespace: str | None = None
    slug: str | None = None
    visibility: Visibility | None = None
    description: str | None = None
    keywords: Sequence[str] | None = None
    documentation: str | None = None
    is_template: bool = False


@dataclass(frozen=True, slots=True)
class ProjectPatch:
    """A change to a project (`core.validate_patch` checks it): None leaves a field as it is."""

    name: str | None = None
    slug: str | None = None
    visibility: Visibility | None = None
    description: str | None = None
    keywords: tuple[str, ...] | None = None
    documentation: str | None = None
    is_template: bool | None = None
    unlink_template: bool = False

    def apply(self, project: Project) -> Project:
        """The project with this change applied; an empty description or documentation clears it."""
        return replace(
            project,
            name=project.name if self.name is None else self.name,
            slug=project.slug if self.slug is None else self.slug,
            visibility=project.visibility if self.visibility is None else self.visibility,
            description=project.description
            if self.description is None
            else self.description or None,
            keywords=project.keywords if self.keywords is None else self.keywords,
            documentation=project.documentation
            if self.documentation is None
            else self.documentation or None,
            is_template=project.is_template if self.is_template is None else self.is_template,
            template_id=None if self.unlink_template else project.template_id,
        )


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    """Which projects a listing returns (all conditions must hold)."""

    search: str | None = None
    namespace: str | None = None
    visibility: Visibility | None = None
    member: str | None = None
    minimum_role: Role | None = None
    template_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """One page of projects with their cursors, and the size of the whole result."""

    items: tuple[Project, ...]
    cursors: tuple[str, ...]
    total: int
    has_next: bool
