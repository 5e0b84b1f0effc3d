"""The protocols every projects backend (embedded, GitLab) implements.

Every store call acts on behalf of `caller` and sees only what they may see. A backend like GitLab
answers with the caller's own token, so visibility and permission checks belong to the store
rather than to the use cases. The use cases (`core`) validate input before they call a store; a
store refuses with `DomainError` (codes from `ErrorCode`, `field` naming the argument to fix;
the wordings shared by all stores are in `backends.refusals`) and then has written nothing.

Access rules every store enforces:
- public projects are visible to everyone, anonymous callers included; private ones to their
  members and to admins (`Identity.is_admin`);
- VIEWER reads, EDITOR also writes (update), OWNER and admins also delete and change membership;
- a project always keeps at least one OWNER;
- a hidden project is reported as NOT_FOUND, never as FORBIDDEN, so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.models import (
    Member,
    NamespaceInfo,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPage,
    ProjectPatch,
    ProjectSort,
    Role,
)


class ProjectStore(Protocol):
    """Where projects, their members and their repositories live."""

    async def get(self, project_id: str, caller: Identity) -> Project | None:
        """The project with this id if the caller may see it, else None."""
        ...

    async def get_by_slug(self, namespace: str, slug: str, caller: Identity) -> Project | None:
        """The project at `namespace/slug` if the caller may see it, else None."""
        ...

    async def search(
        self,
        caller: Identity,
        where: ProjectFilter,
        page: PageRequest,
        sort: ProjectSort = ProjectSort.CREATION_DATE,
    ) -> ProjectPage:
        """The visible projects matching `where`, a page in `sort` order (ties broken by id).

        `where.minimum_role` keeps projects where the caller's own role includes it (none for
        anonymous callers); `where.member` those where that user is a member; `where.template_id`
        the copies of that project. Cursors encode the sort key and id and carry the sort's name:
        a cursor from another sort is BAD_USER_INPUT on `after`. `total` counts every match.
        """
        ...

    async def create(self, caller: Identity, new: NewProject) -> Project:
        """Create a project and its repository; the caller becomes its only OWNER.

        `new.namespace` is the caller's own namespace (`own_namespace`) or a group slug where
        the caller is EDITOR or OWNER (admins: any existing group). UNAUTHENTICATED for
        anonymous callers, FORBIDDEN (field `namespace`) for another user's namespace or a
        group role below EDITOR, NOT_FOUND (field `namespace`) for an unknown group, CONFLICT
        (field `slug`) for a slug taken in the namespace.
        """
        ...

    async def update(
        self, caller: Identity, project_id: str, if_match: str, patch: ProjectPatch
    ) -> Project:
        """Apply `patch` when `if_match` is the project's current etag; EDITOR or more.

        NOT_FOUND (field `id`) for a missing or hidden project, FORBIDDEN (field `id`) below
        EDITOR, CONFLICT (field `ifMatch`) for a stale etag, CONFLICT (field `slug`) for a slug
        taken in the namespace. A new slug moves the repository with the project.
        """
        ...

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete a project and its repository; OWNER or admin.

        NOT_FOUND (field `id`) for a missing or hidden project, FORBIDDEN (field `id`) otherwise.
        """
        ...

    async def copy(self, caller: Identity, source_id: str, new: NewProject) -> Project:
        """Copy a project the caller may see, repository history included, into `new`.

        The copy's `template_id` is the source's id and the caller its only OWNER; its name,
        namespace, slug, visibility, description, keywords and documentation come from `new`.
        NOT_FOUND (field `projectId`) for a missing or hidden source; otherwise as `create`.
        """
        ...

    async def set_members(
        self, caller: Identity, project_id: str, members: Sequence[Member]
    ) -> Project:
        """Add these members or change their roles (upsert); OWNER or admin.

        NOT_FOUND (field `id`), FORBIDDEN (field `id`) for callers who may not change
        membership, BAD_USER_INPUT (field `members`) when no OWNER would remain.
        """
        ...

    async def remove_member(self, caller: Identity, project_id: str, user_id: str) -> Project:
        """Remove one member; OWNER or admin.

        NOT_FOUND (field `id`) for the project, NOT_FOUND (field `userId`) for a user who is not
        a member, FORBIDDEN (field `id`), BAD_USER_INPUT (field `userId`) for the last OWNER.
        """
        ...


@runtime_checkable
class NamespaceChanges(Protocol):
    """Moves of projects between namespaces, which a store may or may not support."""

    async def move(self, caller: Identity, project_id: str, namespace: str) -> Project:
        """Move a project to `namespace`; its OWNER (or an admin) who may create projects there.

        The old path keeps answering with the project (a redirect). NOT_FOUND / FORBIDDEN (field
        `id`), FORBIDDEN or NOT_FOUND (field `namespace`), CONFLICT (field `slug`).
        """
        ...

    async def follow_rename(self, caller: Identity, old: str, new: str) -> list[str]:
        """Move every project of a group renamed from `old` to `new`; the group's OWNERs.

        FORBIDDEN (field `old`) unless the users subgraph says `old` now redirects to `new`
        and the caller owns that group. The ids of the moved projects.
        """
        ...

    async def delete_namespace(self, caller: Identity, namespace: str) -> list[str]:
        """Delete every project of the group `namespace`; its OWNERs. The deleted ids."""
        ...


def namespace_changes(store: object) -> NamespaceChanges:
    """The store's namespace moves; BAD_USER_INPUT for a store that has none (GitLab)."""
    if isinstance(store, NamespaceChanges):
        return store
    raise DomainError(
        ErrorCode.BAD_USER_INPUT,
        "This platform's projects live in GitLab, which moves projects and renames groups "
        "itself; transfer the project in GitLab.",
    )


@runtime_checkable
class OwnNamespaces(Protocol):
    """A store whose users' own namespaces are the users subgraph's slugs (the embedded one)."""

    async def own_namespace(self, caller: Identity) -> str:
        """The slug of the caller's own namespace; UNAVAILABLE when it cannot be had."""
        ...


async def own_namespace(store: object, caller: Identity) -> str:
    """The caller's own namespace in `store`: the users subgraph's slug for the embedded store,
    the username for GitLab (whose user and group paths never collide)."""
    if isinstance(store, OwnNamespaces):
        return await store.own_namespace(caller)
    return caller.username or caller.subject or ""


class NamespaceDirectory(Protocol):
    """Group roles: who may create projects in a group's namespace, and who reads and writes
    the projects a group owns (a member's group role applies to each of them)."""

    async def group_roles(self, caller: Identity) -> Mapping[str, Role]:
        """The caller's role in each group they belong to, by group slug; empty for anonymous.

        Asked afresh on every store call, so a removal from a group takes effect at once.
        UNAVAILABLE when the answer cannot be had.
        """
        ...

    async def namespace(self, caller: Identity, slug: str) -> NamespaceInfo | None:
        """The user or group namespace `slug` (following a group's rename), None for neither."""
        ...

    async def own_namespace(self, caller: Identity) -> str:
        """The slug of the signed-in caller's own namespace (`me { namespace }`): their username,
        or a numbered one when a group held it at their first sign-in. UNAVAILABLE when the
        answer cannot be had."""
        ...

    async def unknown_users(self, caller: Identity, user_ids: Sequence[str]) -> list[str]:
        """Those of `user_ids` that name no account; UNAVAILABLE when it cannot be said."""
        ...

    async def group_role(self, caller: Identity, slug: str) -> Role | None:
        """The caller's role in the group `slug`, None when not a member.

        FORBIDDEN (field `namespace`) when the slug is another user's namespace, NOT_FOUND
        (field `namespace`) when no user or group has it, UNAVAILABLE when the answer cannot be
        had.
        """
        ...
