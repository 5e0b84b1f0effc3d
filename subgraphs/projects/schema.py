"""The projects subgraph's GraphQL schema: queries over `Project`, and the mutations.

Queries report bad arguments as GraphQL errors with `extensions.code`; mutations report every
refusal, UNAUTHENTICATED included, as typed `errors` in their payload, and the store has then
written nothing. Types live in `types`, use cases in `core`.
"""

from __future__ import annotations

from collections.abc import Awaitable

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.projects import core, models
from renku_fed.subgraphs.projects.types import (
    CopyProjectInput,
    CreateProjectInput,
    DeleteProjectPayload,
    Group,
    Info,
    NamespaceProjectsPayload,
    Project,
    ProjectConnection,
    ProjectMemberInput,
    ProjectPayload,
    UpdateProjectInput,
    User,
    project_connection,
)


async def resolve_project(info: Info, id: strawberry.ID) -> Project | None:
    """Look a project up by id."""
    return await Project.resolve_reference(info, id)


async def resolve_project_by_slug(info: Info, namespace: str, slug: str) -> Project | None:
    """Look a project up by its path."""
    project = await info.context.backend.get_by_slug(namespace, slug, info.context.identity)
    return None if project is None else Project.from_model(project)


async def resolve_projects(
    info: Info,
    search: str | None = None,
    namespace: str | None = None,
    visibility: models.Visibility | None = None,
    minimum_role: models.Role | None = None,
    sort: models.ProjectSort = models.ProjectSort.CREATION_DATE,
    first: int | None = 20,
    after: str | None = None,
) -> ProjectConnection:
    """Search projects by name, slug, description or keyword."""
    where = models.ProjectFilter(
        search=search, namespace=namespace, visibility=visibility, minimum_role=minimum_role
    )
    return await project_connection(info, where, first, after, sort)


@strawberry.type
class Query:
    """Find projects."""

    project: Project | None = strawberry.field(
        resolver=resolve_project, description="The project with this id, or null if hidden."
    )
    project_by_slug: Project | None = strawberry.field(
        resolver=resolve_project_by_slug,
        description="The project at namespace/slug, or null if missing or hidden.",
    )
    projects: ProjectConnection = strawberry.field(
        resolver=resolve_projects,
        description="Every project the caller may see (public only if anonymous) matching the "
        "filters; `minimumRole` keeps those where the caller's own role includes it.",
    )


async def _payload(change: Awaitable[models.Project]) -> ProjectPayload:
    try:
        project = await change
    except DomainError as error:
        return ProjectPayload(project=None, errors=[UserError.from_domain(error)])
    return ProjectPayload(project=Project.from_model(project), errors=[])


async def resolve_create_project(info: Info, input: CreateProjectInput) -> ProjectPayload:
    """Create a project; the caller becomes its owner."""
    context = info.context
    return await _payload(core.create_project(context.backend, context.identity, input.to_model()))


async def resolve_update_project(
    info: Info, id: strawberry.ID, if_match: str, input: UpdateProjectInput
) -> ProjectPayload:
    """Change a project when `ifMatch` is its current etag; editors and owners."""
    context = info.context
    return await _payload(
        core.update_project(context.backend, context.identity, str(id), if_match, input.to_model())
    )


async def resolve_copy_project(info: Info, input: CopyProjectInput) -> ProjectPayload:
    """Copy a project and its repository; the caller becomes the copy's owner."""
    context = info.context
    source_id = str(input.project_id)
    return await _payload(
        core.copy_project(context.backend, context.identity, source_id, input.to_model())
    )


async def resolve_set_project_members(
    info: Info, id: strawberry.ID, members: list[ProjectMemberInput]
) -> ProjectPayload:
    """Add members or change their roles; owners and admins."""
    context = info.context
    wanted = [member.to_model() for member in members]
    return await _payload(
        core.set_project_members(context.backend, context.identity, str(id), wanted)
    )


async def resolve_remove_project_member(
    info: Info, id: strawberry.ID, user_id: strawberry.ID
) -> ProjectPayload:
    """Remove a member; owners and admins. The last owner stays."""
    context = info.context
    return await _payload(
        core.remove_project_member(context.backend, context.identity, str(id), str(user_id))
    )


async def resolve_delete_project(info: Info, id: strawberry.ID) -> DeleteProjectPayload:
    """Delete a project; owners and admins only."""
    try:
        await core.delete_project(info.context.backend, info.context.identity, str(id))
    except DomainError as error:
        return DeleteProjectPayload(id=None, errors=[UserError.from_domain(error)])
    return DeleteProjectPayload(id=id, errors=[])


async def resolve_move_project(info: Info, id: strawberry.ID, namespace: str) -> ProjectPayload:
    """Move a project to another namespace; its old path redirects."""
    context = info.context
    return await _payload(core.move_project(context.backend, context.identity, str(id), namespace))


async def _count_payload(change: Awaitable[int]) -> NamespaceProjectsPayload:
    try:
        count = await change
    except DomainError as error:
        return NamespaceProjectsPayload(count=0, errors=[UserError.from_domain(error)])
    return NamespaceProjectsPayload(count=count, errors=[])


async def resolve_follow_namespace_rename(
    info: Info, old: str, new: str
) -> NamespaceProjectsPayload:
    """Move a renamed group's projects to its new slug."""
    context = info.context
    return await _count_payload(
        core.follow_namespace_rename(context.backend, context.identity, old, new)
    )


async def resolve_delete_namespace_projects(info: Info, namespace: str) -> NamespaceProjectsPayload:
    """Delete every project of a group."""
    context = info.context
    return await _count_payload(
        core.delete_namespace_projects(context.backend, context.identity, namespace)
    )


@strawberry.type
class Mutation:
    """Create, change, copy and delete projects, and manage their members."""

    create_project: ProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_create_project,
        description="Create a project and its git repository.",
    )
    update_project: ProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_update_project,
        description="Change a project; a stale `ifMatch` etag is a CONFLICT and changes nothing.",
    )
    copy_project: ProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_copy_project,
        description="Copy a project, repository history included; the copy's `templateId` is "
        "the source.",
    )
    delete_project: DeleteProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_delete_project,
        description="Delete a project and its git repository.",
    )
    move_project: ProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_move_project,
        description="Move a project to a namespace you may create projects in (its OWNERs); "
        "the old path keeps answering with the project.",
    )
    follow_namespace_rename: NamespaceProjectsPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_follow_namespace_rename,
        description="Move the projects of a group renamed from `old` to `new` (the users "
        "subgraph's `updateGroup` calls it); the group's OWNERs.",
    )
    delete_namespace_projects: NamespaceProjectsPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_delete_namespace_projects,
        description="Delete every project of a group (the users subgraph's `deleteGroup` with "
        "`deleteProjects` calls it); the group's OWNERs.",
    )
    set_project_members: ProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_set_project_members,
        description="Add members or change their roles (upsert); a project keeps an OWNER.",
    )
    remove_project_member: ProjectPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_remove_project_member,
        description="Remove a member; the last OWNER cannot be removed.",
    )


schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[User, Group, Project], extensions=[mask_errors]
)
