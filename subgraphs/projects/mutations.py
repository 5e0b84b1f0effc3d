"""The projects subgraph's mutations: inputs, payloads, and resolvers.

Every refusal, UNAUTHENTICATED included, comes back as typed `errors` in the payload; the
store has then written nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, UserError
from renku_fed.subgraphs.projects import models
from renku_fed.subgraphs.projects.project_types import Info, Project


@strawberry.input(description="A new project; the caller becomes its owner.")
class CreateProjectInput:
    """What `createProject` needs."""

    name: str = strawberry.field(description="1 to 99 characters.")
    namespace: str | None = strawberry.field(
        default=None,
        description="The caller's username (the default) or the slug of a group where the "
        "caller is EDITOR or OWNER.",
    )
    slug: str | None = strawberry.field(
        default=None, description="Defaults to one derived from the name."
    )
    visibility: models.Visibility | None = models.Visibility.PRIVATE
    description: str | None = strawberry.field(default=None, description="At most 500 chars.")
    keywords: list[str] | None = None
    documentation: str | None = strawberry.field(
        default=None, description="Markdown, at most 5000 chars."
    )
    is_template: bool = False


@strawberry.input(description="Changes to a project; omitted fields stay as they are.")
class UpdateProjectInput:
    """What `updateProject` may change."""

    name: str | None = None
    slug: str | None = strawberry.field(default=None, description="Moves the repository too.")
    visibility: models.Visibility | None = None
    description: str | None = strawberry.field(default=None, description="Empty clears it.")
    keywords: list[str] | None = strawberry.field(default=None, description="Replaces them.")
    documentation: str | None = strawberry.field(default=None, description="Empty clears it.")
    is_template: bool | None = None
    unlink_template: bool = strawberry.field(
        default=False, description="True forgets which project this one was copied from."
    )


@strawberry.input(description="A copy of a project the caller may see, repository included.")
class CopyProjectInput:
    """What `copyProject` needs; omitted fields are taken from the source project."""

    project_id: strawberry.ID = strawberry.field(description="The project to copy.")
    name: str
    namespace: str | None = strawberry.field(
        default=None, description="As for `createProject`: the caller's username by default."
    )
    slug: str | None = strawberry.field(
        default=None, description="Defaults to one derived from the name."
    )
    visibility: models.Visibility | None = None
    description: str | None = None
    keywords: list[str] | None = None
    documentation: str | None = None


@strawberry.input(description="A member to add, or whose role to change.")
class ProjectMemberInput:
    """A user id and a role."""

    user_id: strawberry.ID
    role: models.Role


@strawberry.type(description="The result of a mutation on a project.")
class ProjectPayload:
    """The project, or the errors that prevented the change."""

    project: Project | None
    errors: list[UserError]


@strawberry.type(description="The result of deleting a project.")
class DeleteProjectPayload:
    """The deleted project's id, or the errors that prevented the deletion."""

    id: strawberry.ID | None
    errors: list[UserError]


def _unauthenticated(action: str) -> UserError:
    return UserError(
        code=ErrorCode.UNAUTHENTICATED, message=f"Sign in to {action}: send a bearer token."
    )


async def _payload(
    info: Info, action: str, change: Callable[[], Awaitable[models.Project]]
) -> ProjectPayload:
    if not info.context.identity.is_authenticated:
        return ProjectPayload(project=None, errors=[_unauthenticated(action)])
    try:
        project = await change()
    except DomainError as error:
        return ProjectPayload(project=None, errors=[UserError.from_domain(error)])
    return ProjectPayload(project=Project.from_model(project), errors=[])


async def resolve_create_project(info: Info, input: CreateProjectInput) -> ProjectPayload:
    """Create a project; the caller becomes its owner."""
    caller = info.context.identity

    async def create() -> models.Project:
        new = models.validate_new_project(
            caller,
            name=input.name,
            namespace=input.namespace,
            slug=input.slug,
            visibility=input.visibility or models.Visibility.PRIVATE,
            description=input.description,
            keywords=input.keywords,
            documentation=input.documentation,
            is_template=input.is_template,
        )
        return await info.context.backend.create(caller, new)

    return await _payload(info, "create a project", create)


async def resolve_update_project(
    info: Info, id: strawberry.ID, if_match: str, input: UpdateProjectInput
) -> ProjectPayload:
    """Change a project when `ifMatch` is its current etag; editors and owners."""

    async def update() -> models.Project:
        patch = models.validate_patch(
            name=input.name,
            slug=input.slug,
            visibility=input.visibility,
            description=input.description,
            keywords=input.keywords,
            documentation=input.documentation,
            is_template=input.is_template,
            unlink_template=input.unlink_template,
        )
        return await info.context.backend.update(info.context.identity, str(id), if_match, patch)

    return await _payload(info, "update a project", update)


async def resolve_copy_project(info: Info, input: CopyProjectInput) -> ProjectPayload:
    """Copy a project and its repository; the caller becomes the copy's owner."""
    caller = info.context.identity

    async def copy() -> models.Project:
        source = await info.context.backend.get(str(input.project_id), caller)
        if source is None:
            # The store says the same; asking first gives the defaults below.
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"No project with id {input.project_id!r} exists, or you may not see it; "
                "check `projectId`.",
                field="projectId",
            )
        new = models.validate_new_project(
            caller,
            name=input.name,
            namespace=input.namespace,
            slug=input.slug,
            visibility=input.visibility or source.visibility,
            description=source.description if input.description is None else input.description,
            keywords=list(source.keywords) if input.keywords is None else input.keywords,
            documentation=source.documentation
            if input.documentation is None
            else input.documentation,
        )
        return await info.context.backend.copy(caller, source.id, new)

    return await _payload(info, "copy a project", copy)


async def resolve_set_project_members(
    info: Info, id: strawberry.ID, members: list[ProjectMemberInput]
) -> ProjectPayload:
    """Add members or change their roles; owners and admins."""

    async def set_members() -> models.Project:
        checked = models.validate_members(
            [models.Member(str(member.user_id), member.role) for member in members]
        )
        return await info.context.backend.set_members(info.context.identity, str(id), checked)

    return await _payload(info, "change project members", set_members)


async def resolve_remove_project_member(
    info: Info, id: strawberry.ID, user_id: strawberry.ID
) -> ProjectPayload:
    """Remove a member; owners and admins. The last owner stays."""

    async def remove() -> models.Project:
        return await info.context.backend.remove_member(
            info.context.identity, str(id), str(user_id)
        )

    return await _payload(info, "change project members", remove)


async def resolve_delete_project(info: Info, id: strawberry.ID) -> DeleteProjectPayload:
    """Delete a project; owners and admins only."""
    caller = info.context.identity
    if not caller.is_authenticated:
        return DeleteProjectPayload(id=None, errors=[_unauthenticated("delete a project")])
    try:
        await info.context.backend.delete(caller, str(id))
    except DomainError as error:
        return DeleteProjectPayload(id=None, errors=[UserError.from_domain(error)])
    return DeleteProjectPayload(id=id, errors=[])


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
