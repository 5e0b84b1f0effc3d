"""The protocols of the users subgraph's backends: `UserDirectory` (embedded, Keycloak),
`GroupStore` and `UserNamespaceStore` (embedded; groups and users' namespace slugs stay in our
own store whichever directory holds the users).

The use cases (`core`) check the caller and validate input before they call a store; a store
refuses with `DomainError` (codes from `ErrorCode`, `field` naming the argument to fix) and then
has written nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.users.models import (
    Group,
    GroupMember,
    GroupPage,
    GroupPatch,
    NewGroup,
    Role,
    UserNamespace,
    UserPage,
    UserRecord,
)


class UserDirectory(Protocol):
    """Where Renku accounts live: read by id, username or search, synced from tokens."""

    async def sync(self, identity: Identity) -> UserRecord:
        """Register or update the authenticated caller from their token's claims."""
        ...

    async def get(self, user_id: str) -> UserRecord | None:
        """The account with this id, or None."""
        ...

    async def get_by_username(self, username: str) -> UserRecord | None:
        """The account with this username, or None."""
        ...

    async def search(
        self, text: str | None, page: PageRequest, *, match_email: bool = True
    ) -> UserPage:
        """Accounts whose username, name or (with `match_email`) e-mail contains `text`."""
        ...


class GroupStore(Protocol):
    """Where groups and their members live. Groups are visible to everyone, anonymous included.

    Owners and admins update and delete a group and change its members; a group always keeps at
    least one OWNER. Group slugs and usernames share one namespace space: a group slug may not
    be a username (the use cases check usernames through the `UserDirectory` before `create`)
    nor a user's namespace (`create` and `update` refuse a slug the `UserNamespaceStore` holds,
    CONFLICT on the slug's field).
    """

    async def get(self, group_id: str) -> Group | None:
        """The group with this id, or None."""
        ...

    async def get_by_slug(self, slug: str) -> Group | None:
        """The group with this slug, or None."""
        ...

    async def redirect(self, old_slug: str) -> Group | None:
        """The group that had the slug `old_slug` before a rename, or None."""
        ...

    async def search(
        self,
        text: str | None,
        page: PageRequest,
        member: str | None = None,
        minimum_role: Role | None = None,
    ) -> GroupPage:
        """Groups whose slug, name or description contains `text`, in (slug, id) order.

        With `member`, only groups where that user's role includes `minimum_role` (any role
        when None). `total` counts every match; a foreign cursor is BAD_USER_INPUT on `after`.
        """
        ...

    async def create(self, caller: Identity, new: NewGroup) -> Group:
        """Create a group; the caller becomes its only OWNER.

        UNAUTHENTICATED for anonymous callers, CONFLICT (field `slug`) for a taken slug.
        """
        ...

    async def update(self, caller: Identity, slug: str, patch: GroupPatch) -> Group:
        """Change a group's name, description or slug; OWNER or admin.

        A new slug keeps the old one as a redirect to the group; CONFLICT (field `slug` of the
        input) for a slug another group has.

        NOT_FOUND (field `slug`) for an unknown group, FORBIDDEN (field `slug`) otherwise.
        """
        ...

    async def delete(self, caller: Identity, slug: str) -> Group:
        """Delete a group and its memberships, returning it as it was; OWNER or admin.

        NOT_FOUND (field `slug`), FORBIDDEN (field `slug`).
        """
        ...

    async def set_members(
        self, caller: Identity, slug: str, members: Sequence[GroupMember]
    ) -> Group:
        """Add these members or change their roles (upsert); OWNER or admin.

        NOT_FOUND (field `slug`), FORBIDDEN (field `slug`), BAD_USER_INPUT (field `members`)
        when no OWNER would remain. Member ids are checked against the `UserDirectory` by the
        schema before this call.
        """
        ...

    async def remove_member(self, caller: Identity, slug: str, user_id: str) -> Group:
        """Remove one member; OWNER or admin.

        NOT_FOUND (field `slug`), NOT_FOUND (field `userId`) for a user who is not a member,
        FORBIDDEN (field `slug`), BAD_USER_INPUT (field `userId`) for the last OWNER.
        """
        ...


class UserNamespaceStore(Protocol):
    """Users' own namespace slugs, each chosen once and never changed.

    User namespaces, groups' slugs and groups' old slugs (redirects) are one space: a slug
    belongs to at most one of them. The group store refuses a slug held here, and `claim`
    refuses one a group holds, each within one transaction of the shared store.
    """

    async def get(self, user_id: str) -> UserNamespace | None:
        """The user's stored namespace, or None before their first sign-in."""
        ...

    async def owner(self, slug: str) -> UserNamespace | None:
        """The stored user namespace with this slug, or None."""
        ...

    async def holder(self, slug: str, user_id: str) -> str | None:
        """Who holds `slug` other than this user (a group, a group's old slug, another user's
        namespace), in words for a notice; None when it is free."""
        ...

    async def claim(self, namespace: UserNamespace) -> UserNamespace | None:
        """Store `namespace` unless the user has one (then that one is returned); None when
        its slug was taken meanwhile."""
        ...


class ProjectsDirectory(Protocol):
    """The projects subgraph, asked with the caller's own token about a group's projects."""

    async def count(self, caller: Identity, namespace: str) -> int:
        """How many projects the namespace holds that the caller sees (a group OWNER: all)."""
        ...

    async def delete_all(self, caller: Identity, namespace: str) -> None:
        """Delete every project of the group `namespace`; its OWNERs and admins."""
        ...

    async def follow_rename(self, caller: Identity, old: str, new: str) -> None:
        """Move the projects of a renamed group from `old` to `new`, keeping redirects."""
        ...


@dataclass(frozen=True, slots=True)
class UsersBackend:
    """What the users schema's resolvers reach as `info.context.backend`.

    `projects` is None when the users subgraph runs alone: a group's projects are then not
    touched by renames or deletions.
    """

    directory: UserDirectory
    groups: GroupStore
    namespaces: UserNamespaceStore
    projects: ProjectsDirectory | None = None


def check_keeps_owner(slug: str, members: tuple[GroupMember, ...], field: str) -> None:
    """A BAD_USER_INPUT error on `field` when no OWNER would remain in the group."""
    if not any(member.role is Role.OWNER for member in members):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"Group {slug!r} must keep at least one OWNER; make another member an OWNER first.",
            field=field,
        )
