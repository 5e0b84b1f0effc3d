"""Plain domain types and rules of the projects subgraph: slugs, validation, access."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from subgraphs.common.errors import DomainError, ErrorCode
from subgraphs.common.tokens import Identity

NAME_MAX_LENGTH = 99
SLUG_MAX_LENGTH = 99
DESCRIPTION_MAX_LENGTH = 500
KEYWORD_MAX_LENGTH = 99
# GitLab's rules for project paths, as Renku's API spec states them.
SLUG_PATTERN = re.compile(r"^(?!.*\.git$|.*\.atom$|.*[\-._][\-._].*)[a-z0-9][a-z0-9\-_.]*$")


class Visibility(Enum):
    """Who may see a project."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Role(Enum):
    """A member's role in a project; each role includes the rights of the ones before it."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    OWNER = "OWNER"


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


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    """Which projects a listing returns (all conditions must hold)."""

    search: str | None = None
    namespace: str | None = None
    visibility: Visibility | None = None
    member: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """One page of projects with their cursors, and the size of the whole result."""

    items: tuple[Project, ...]
    cursors: tuple[str, ...]
    total: int
    has_next: bool


def slug_from_name(name: str) -> str:
    """A slug following GitLab's path rules, derived from a free-form name."""
    ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9\-_.]+", "-", ascii_name)
    slug = re.sub(r"([\-_.])[\-_.]+", r"\1", slug)
    slug = slug.strip("-_.")[:SLUG_MAX_LENGTH].rstrip("-_.")
    while slug.endswith((".git", ".atom")):
        slug = slug.rsplit(".", 1)[0].rstrip("-_.")
    return slug


def check_slug(slug: str, field: str = "slug") -> str:
    """The slug if it follows GitLab's path rules; a BAD_USER_INPUT error naming `field` if not."""
    if not 1 <= len(slug) <= SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`{field}` {slug!r} is not valid: use 1 to {SLUG_MAX_LENGTH} lowercase letters, "
            "digits, `-`, `_` or `.`, starting with a letter or digit, without two of `-_.` in "
            "a row and not ending in `.git` or `.atom`.",
            field=field,
        )
    return slug


def validate_new_project(
    caller: Identity,
    *,
    name: str,
    namespace: str | None,
    slug: str | None,
    visibility: Visibility,
    description: str | None,
    keywords: list[str] | None,
) -> NewProject:
    """Check a create request against the domain rules; the first violation as a DomainError."""
    if caller.username is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED, "Sign in to create a project: send a bearer token."
        )
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`name` must be 1 to {NAME_MAX_LENGTH} characters long, got {len(name)}.",
            field="name",
        )
    namespace = caller.username if namespace is None else namespace
    if namespace != caller.username:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"You can only create projects in your own namespace {caller.username!r}; "
            "omit `namespace` or set it to your username.",
            field="namespace",
        )
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
    if description is not None and len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`description` must be at most {DESCRIPTION_MAX_LENGTH} characters, "
            f"got {len(description)}.",
            field="description",
        )
    return NewProject(
        name=name,
        namespace=namespace,
        slug=slug,
        visibility=visibility,
        description=description or None,
        keywords=_check_keywords(keywords or []),
    )


def _check_keywords(keywords: list[str]) -> tuple[str, ...]:
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
