"""Plain domain types of the users subgraph."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from renku_fed.identity.tokens import Identity


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A Renku account as the directory stores it."""

    id: str
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_admin: bool = False

    @property
    def display_name(self) -> str:
        """First and last name, or the username when neither is known."""
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or self.username

    def email_for(self, identity: Identity) -> str | None:
        """The e-mail address when the caller is this user or an admin, else None."""
        return self.email if identity.subject == self.id or identity.is_admin else None

    @classmethod
    def from_identity(cls, identity: Identity) -> UserRecord:
        """The account an authenticated caller's token claims describe."""
        if identity.subject is None:
            raise ValueError("an anonymous caller has no account")
        return cls(
            id=identity.subject,
            username=identity.username or identity.subject,
            email=identity.email,
            first_name=identity.first_name,
            last_name=identity.last_name,
            is_admin=identity.is_admin,
        )


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of users with their cursors, and the size of the whole result."""

    items: tuple[UserRecord, ...]
    cursors: tuple[str, ...]
    total: int
    has_next: bool


class Role(Enum):
    """A member's role in a group; each role includes the rights of the ones before it."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    OWNER = "OWNER"

    def includes(self, other: Role) -> bool:
        """True when this role has at least the rights of `other`."""
        return _RANKS[self] >= _RANKS[other]


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


class NamespaceKind(Enum):
    """What owns a namespace: a user or a group."""

    USER = "USER"
    GROUP = "GROUP"


@dataclass(frozen=True, slots=True)
class GroupMember:
    """A user's membership in a group."""

    user_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class Group:
    """A Renku group as the store keeps it; its slug is a namespace for projects."""

    id: str
    slug: str
    name: str
    description: str | None
    created_by: str
    creation_date: datetime
    members: tuple[GroupMember, ...]

    def role_of(self, identity: Identity) -> Role | None:
        """The caller's role in this group, or None when they are not a member."""
        for member in self.members:
            if member.user_id == identity.subject:
                return member.role
        return None

    def can_manage(self, identity: Identity) -> bool:
        """Owners and admins edit and delete the group and change its members."""
        return identity.is_admin or self.role_of(identity) is Role.OWNER


@dataclass(frozen=True, slots=True)
class NewGroup:
    """A validated request to create a group."""

    slug: str
    name: str
    description: str | None


@dataclass(frozen=True, slots=True)
class GroupPatch:
    """A validated change to a group: None leaves a field as it is, "" clears the description."""

    name: str | None = None
    description: str | None = None
    slug: str | None = None


@dataclass(frozen=True, slots=True)
class GroupPage:
    """One page of groups with their cursors, and the size of the whole result."""

    items: tuple[Group, ...]
    cursors: tuple[str, ...]
    total: int
    has_next: bool


@dataclass(frozen=True, slots=True)
class Namespace:
    """Where projects can live: a user's own namespace or a group's."""

    id: str
    kind: NamespaceKind
    slug: str
    name: str
    role: Role | None
    redirected_from: str | None = None


@dataclass(frozen=True, slots=True)
class UserNamespace:
    """A user's own namespace slug, chosen once at their first sign-in and kept for good.

    `wanted` is their username when the slug was chosen; `held_by` says who already held that
    namespace when the slug had to be suffixed (`carol-2`), None otherwise.
    """

    user_id: str
    slug: str
    wanted: str
    held_by: str | None = None

    @property
    def notice(self) -> str | None:
        """What to tell the user when their namespace is not their username, else None."""
        if self.held_by is not None:
            return (
                f"Your username {self.wanted!r} was already {self.held_by}, so your projects "
                f"live under {self.slug!r}."
            )
        if self.slug != self.wanted:
            return (
                f"Your username {self.wanted!r} cannot be a namespace as it is, so your projects "
                f"live under {self.slug!r}."
            )
        return None


@dataclass(frozen=True, slots=True)
class NamespacePage:
    """One page of namespaces with their cursors, and the size of the whole result."""

    items: tuple[Namespace, ...]
    cursors: tuple[str, ...]
    total: int
    has_next: bool
