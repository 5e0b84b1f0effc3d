"""The projects subgraph's use cases: sign-in and input checks before each call into a store.

Whether a caller may see or change a project is for the store to decide (GitLab answers with the
caller's own token); the use cases refuse what no store should be asked, with a `DomainError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, require_sign_in
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.rules import (
    DESCRIPTION_MAX_LENGTH,
    check_keywords,
    check_max_length,
    check_name,
    check_search,
    check_slug,
    slug_from_name,
)
from renku_fed.subgraphs.projects.backends import (
    ProjectStore,
    namespace_changes,
    own_namespace,
)
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectDraft,
    ProjectFilter,
    ProjectPage,
    ProjectPatch,
    ProjectSort,
    Visibility,
)

DOCUMENTATION_MAX_LENGTH = 5000
# GitLab's rules for project paths, as Renku's API spec states them.
USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


async def search_projects(
    store: ProjectStore,
    caller: Identity,
    where: ProjectFilter,
    page: PageRequest,
    sort: ProjectSort,
) -> ProjectPage:
    """One page of the projects matching `where` that the caller may see."""
    check_search(where.search)
    return await store.search(caller, where, page, sort)


async def create_project(store: ProjectStore, caller: Identity, draft: ProjectDraft) -> Project:
    """Create a project; the caller becomes its owner."""
    require_sign_in(caller, "create a project")
    new = validate_new_project(
        caller,
        name=draft.name,
        namespace=await _namespace_or_own(store, caller, draft.namespace),
        slug=draft.slug,
        visibility=draft.visibility or Visibility.PRIVATE,
        description=draft.description,
        keywords=draft.keywords,
        documentation=draft.documentation,
        is_template=draft.is_template,
    )
    return await store.create(caller, new)


async def update_project(
    store: ProjectStore, caller: Identity, project_id: str, if_match: str, patch: ProjectPatch
) -> Project:
    """Change a project when `if_match` is its current etag; editors and owners."""
    require_sign_in(caller, "update a project")
    return await store.update(caller, project_id, if_match, validate_patch(patch))


async def copy_project(
    store: ProjectStore, caller: Identity, source_id: str, draft: ProjectDraft
) -> Project:
    """Copy a project and its repository; what `draft` leaves unset comes from the source."""
    require_sign_in(caller, "copy a project")
    source = await store.get(source_id, caller)
    if source is None:
        # The store says the same; asking first gives the defaults below.
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"No project with id {source_id!r} exists, or you may not see it; check `projectId`.",
            field="projectId",
        )
    new = validate_new_project(
        caller,
        name=draft.name,
        namespace=await _namespace_or_own(store, caller, draft.namespace),
        slug=draft.slug,
        visibility=draft.visibility or source.visibility,
        description=source.description if draft.description is None else draft.description,
        keywords=source.keywords if draft.keywords is None else draft.keywords,
        documentation=source.documentation if draft.documentation is None else draft.documentation,
    )
    return await store.copy(caller, source.id, new)


async def _namespace_or_own(
    store: ProjectStore, caller: Identity, namespace: str | None
) -> str | None:
    """The namespace asked for, else the caller's own (not always their username); None for a
    caller without a username, whom `validate_new_project` refuses."""
    if namespace is not None or caller.username is None:
        return namespace
    return await own_namespace(store, caller)


async def set_project_members(
    store: ProjectStore, caller: Identity, project_id: str, members: list[Member]
) -> Project:
    """Add members or change their roles; owners and admins."""
    require_sign_in(caller, "change project members")
    return await store.set_members(caller, project_id, validate_members(members))


async def remove_project_member(
    store: ProjectStore, caller: Identity, project_id: str, user_id: str
) -> Project:
    """Remove a member; owners and admins. The last owner stays."""
    require_sign_in(caller, "change project members")
    return await store.remove_member(caller, project_id, user_id)


async def delete_project(store: ProjectStore, caller: Identity, project_id: str) -> None:
    """Delete a project; owners and admins only."""
    require_sign_in(caller, "delete a project")
    await store.delete(caller, project_id)


async def move_project(
    store: ProjectStore, caller: Identity, project_id: str, namespace: str
) -> Project:
    """Move a project to another namespace the caller may create projects in; its owners."""
    require_sign_in(caller, "move a project")
    check_slug(namespace, field="namespace")
    return await namespace_changes(store).move(caller, project_id, namespace)


async def follow_namespace_rename(store: ProjectStore, caller: Identity, old: str, new: str) -> int:
    """Move a renamed group's projects to its new slug; how many moved."""
    require_sign_in(caller, "move a group's projects")
    moved = await namespace_changes(store).follow_rename(caller, old, check_slug(new, "new"))
    return len(moved)


async def delete_namespace_projects(store: ProjectStore, caller: Identity, namespace: str) -> int:
    """Delete every project of a group that is being deleted; how many were deleted."""
    require_sign_in(caller, "delete a group's projects")
    return len(await namespace_changes(store).delete_namespace(caller, namespace))


def validate_new_project(
    caller: Identity,
    *,
    name: str,
    namespace: str | None,
    slug: str | None,
    visibility: Visibility,
    description: str | None,
    keywords: Sequence[str] | None,
    documentation: str | None = None,
    is_template: bool = False,
) -> NewProject:
    """Check a create request against the domain rules; the first violation as a DomainError.

    `create_project` and `copy_project` pass the caller's own namespace when none was asked
    for (it is not always their username: `backends.own_namespace`); None here means the
    username. Whether the caller may create projects in a namespace is for the store to decide.
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


def validate_patch(patch: ProjectPatch) -> ProjectPatch:
    """The change with its fields checked and cleaned; the first violation as a DomainError."""
    return ProjectPatch(
        name=None if patch.name is None else check_name(patch.name),
        slug=None if patch.slug is None else check_slug(patch.slug),
        visibility=patch.visibility,
        description=check_description(patch.description),
        keywords=None if patch.keywords is None else check_keywords(patch.keywords),
        documentation=check_documentation(patch.documentation),
        is_template=patch.is_template,
        unlink_template=patch.unlink_template,
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
