"""Plain domain types and rules of the projects subgraph: slugs, validation, access."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.rules import (
    DESCRIPTION_MAX_LENGTH,
    check_max_length,
    check_name,
    check_slug,
    slug_from_name,
)

DOCUMENTATION_MAX_LENGTH = 5000
KEYWORD_MAX_LENGTH = 99
# GitLab's rules for project paths, as Renku's API spec states them.
USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


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
        """The caller's role in this project, or None when they are not a member."""
        for member in self.members:
            if member.user_id == identity.subject:
                return member.role
        return None

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
class ProjectPatch:
    """A validated change to a project: None leaves a field as it is."""

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


def validate_new_project(
    caller: Identity,
    *,
    name: str,
    namespace: str | None,
    slug: str | None,
    visibility: Visibility,
    description: str | None,
    keywords: list[str] | None,
    documentation: str | None = None,
    is_template: bool = False,
) -> NewProject:
    """Check a create request against the domain rules; the first violation as a DomainError.

    The namespace defaults to the caller's username; whether the caller may create projects in
    another namespace (a group's) is for the store to decide.
    """
    if caller.username is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED, "Sign in to create a project: send a bearer token."
        )
    name = check_name(name)
    namespace = caller.username if namespace is None else namespace
    check_slug(namespace, field="namespace")
    if slug is None:
        slug = slug_from_name(name)
        if not slug:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"No slug can be derived from the name {name!r}; pass a `slug`.",
                field="slug",
            )
    check_slug(slug)
    return NewProject(
        name=name,
        namespace=namespace,
        slug=slug,
        visibility=visibility,
        description=check_description(description) or None,
        keywords=check_keywords(keywords or []),
        documentation=check_documentation(documentation) or None,
        is_template=is_template,
    )


def check_description(description: str | None) -> str | None:
    """The description if it has at most 500 characters; a BAD_USER_INPUT error if not."""
    return check_max_length(
        description,
        "description",
        DESCRIPTION_MAX_LENGTH,
        "shorten it or move the text to `documentation`",
    )


def check_documentation(documentation: str | None) -> str | None:
    """The Markdown documentation if it has at most 5000 characters; BAD_USER_INPUT if not."""
    return check_max_length(
        documentation,
        "documentation",
        DOCUMENTATION_MAX_LENGTH,
        "shorten it or keep the rest in the repository",
    )


def check_keywords(keywords: list[str]) -> tuple[str, ...]:
    """Stripped, deduplicated keywords of 1 to 99 characters; a BAD_USER_INPUT error if not."""
    cleaned: list[str] = []
    for keyword in (k.strip() for k in keywords):
        if not 1 <= len(keyword) <= KEYWORD_MAX_LENGTH:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"Each of `keywords` must be 1 to {KEYWORD_MAX_LENGTH} characters long; "
                f"{keyword!r} is not.",
                field="keywords",
            )
        if keyword not in cleaned:
            cleaned.append(keyword)
    return tuple(cleaned)


def validate_patch(
    *,
    name: str | None = None,
    slug: str | None = None,
    visibility: Visibility | None = None,
    description: str | None = None,
    keywords: list[str] | None = None,
    documentation: str | None = None,
    is_template: bool | None = None,
    unlink_template: bool = False,
) -> ProjectPatch:
    """Check an update request against the domain rules; the first violation as a DomainError."""
    return ProjectPatch(
        name=None if name is None else check_name(name),
        slug=None if slug is None else check_slug(slug),
        visibility=visibility,
        description=check_description(description),
        keywords=None if keywords is None else check_keywords(keywords),
        documentation=check_documentation(documentation),
        is_template=is_template,
        unlink_template=unlink_template,
    )


def validate_members(members: list[Member]) -> tuple[Member, ...]:
    """Members with well-formed user ids, each user at most once; BAD_USER_INPUT if not."""
    seen: set[str] = set()
    for member in members:
        if not USER_ID_PATTERN.match(member.user_id):
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"`members` holds the user id {member.user_id!r}, which is not a user id: "
                "pass the `id` of a `User`.",
                field="members",
            )
        if member.user_id in seen:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"`members` names the user {member.user_id!r} twice; give each user one role.",
                field="members",
            )
        seen.add(member.user_id)
    return tuple(members)


def check_keeps_owner(project: Project, members: tuple[Member, ...]) -> None:
    """A BAD_USER_INPUT error when `members` would leave the project without an owner."""
    if not any(member.role is Role.OWNER for member in members):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"{project.namespace}/{project.slug} must keep at least one OWNER; make another "
            "member an OWNER first.",
            field="members",
        )
