"""The projects subgraph's GraphQL schema: `Project`, its members, and `User.projects`.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy. Queries report bad arguments as GraphQL errors with `extensions.code`;
mutations report every refusal, UNAUTHENTICATED included, as `errors` in their payload.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import strawberry

from subgraphs.common.app import RequestContext, mask_errors
from subgraphs.common.errors import DomainError, ErrorCode, UserError
from subgraphs.common.pagination import PageInfo, PageRequest
from subgraphs.projects import models
from subgraphs.projects.backends import ProjectStore

Info: TypeAlias = strawberry.Info[RequestContext[ProjectStore], None]

# Registering the domain enums as GraphQL enums lets fields be annotated with them directly.
strawberry.enum(models.Visibility, description="Who may see a project.")
strawberry.enum(models.Role, description="A member's role in a project.")


async def resolve_user_projects(
    root: User, info: Info, first: int | None = 20, after: str | None = None
) -> ProjectConnection:
    """The user's projects, filtered to those visible to the caller."""
    return await _connection(info, models.ProjectFilter(member=str(root.id)), first, after)


@strawberry.federation.type(keys=["id"], description="A Renku account, owned by `users`.")
class User:
    """The users subgraph's entity, extended with the projects a user is a member of."""

    id: strawberry.ID
    projects: ProjectConnection = strawberry.field(
        resolver=resolve_user_projects,
        description="Projects the user is a member of that the caller may see.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A reference to any user; unknown ids simply have no projects."""
        return cls(id=id)


@strawberry.type(description="What the caller may do with a project.")
class ProjectPermissions:
    """The caller's rights on a project."""

    write: bool = strawberry.field(description="The caller can edit the project.")
    delete: bool = strawberry.field(description="The caller can delete the project.")
    change_membership: bool = strawberry.field(description="The caller can manage members.")


@strawberry.type(description="A user's membership in a project.")
class ProjectMember:
    """A member and their role."""

    role: models.Role
    user: User


def resolve_created_by(root: Project) -> User:
    """A reference the users subgraph resolves."""
    return User(id=strawberry.ID(root.record.created_by))


def resolve_members(root: Project) -> list[ProjectMember]:
    """Every member, owners included."""
    return [
        ProjectMember(role=member.role, user=User(id=strawberry.ID(member.user_id)))
        for member in root.record.members
    ]


def resolve_permissions(root: Project, info: Info) -> ProjectPermissions:
    """The caller's rights, from their role (admins may do everything)."""
    rights = root.record.permissions_of(info.context.identity)
    return ProjectPermissions(
        write=rights.write, delete=rights.delete, change_membership=rights.change_membership
    )


@strawberry.federation.type(keys=["id"], description="A Renku project and its repository.")
class Project:
    """A project as the caller sees it."""

    id: strawberry.ID
    name: str
    slug: str = strawberry.field(description="URL-friendly name, unique in the namespace.")
    namespace: str = strawberry.field(description="The owner's username.")
    visibility: models.Visibility
    description: str | None
    keywords: list[str]
    repositories: list[str] = strawberry.field(description="URLs `git clone` accepts.")
    creation_date: datetime
    updated_at: datetime
    etag: str = strawberry.field(description="Changes whenever the project changes.")
    created_by: User = strawberry.field(
        resolver=resolve_created_by, description="The user who created the project."
    )
    members: list[ProjectMember] = strawberry.field(
        resolver=resolve_members, description="The project's members and their roles."
    )
    permissions: ProjectPermissions = strawberry.field(
        resolver=resolve_permissions, description="What the caller may do with the project."
    )
    record: strawberry.Private[models.Project]

    @classmethod
    def from_model(cls, project: models.Project) -> Project:
        """The GraphQL view of a stored project."""
        return cls(
            id=strawberry.ID(project.id),
            name=project.name,
            slug=project.slug,
            namespace=project.namespace,
            visibility=project.visibility,
            description=project.description,
            keywords=list(project.keywords),
            repositories=list(project.repositories),
            creation_date=project.creation_date,
            updated_at=project.updated_at,
            etag=project.etag,
            record=project,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Project | None:
        """The project with this id, or null when it is missing or hidden from the caller."""
        project = await info.context.backend.get(str(id), info.context.identity)
        return None if project is None else cls.from_model(project)


@strawberry.type(description="An edge of a project connection.")
class ProjectEdge:
    """A project and its cursor."""

    cursor: str
    node: Project


@strawberry.type(description="A page of projects, oldest first.")
class ProjectConnection:
    """Relay connection of projects, ordered by (creationDate, id)."""

    edges: list[ProjectEdge]
    page_info: PageInfo
    total_count: int


async def _connection(
    info: Info, where: models.ProjectFilter, first: int | None, after: str | None
) -> ProjectConnection:
    page = await info.context.backend.search(
        info.context.identity, where, PageRequest.of(first, after)
    )
    edges = [
        ProjectEdge(cursor=cursor, node=Project.from_model(project))
        for cursor, project in zip(page.cursors, page.items, strict=True)
    ]
    return ProjectConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


@strawberry.input(description="A new project; the caller becomes its owner.")
class CreateProjectInput:
    """What `createProject` needs."""

    name: str = strawberry.field(description="1 to 99 characters.")
    namespace: str | None = strawberry.field(
        default=None, description="Defaults to, and for now must be, the caller's username."
    )
    slug: str | None = strawberry.field(
        default=None, description="Defaults to one derived from the name."
    )
    visibility: models.Visibility | None = models.Visibility.PRIVATE
    description: str | None = strawberry.field(default=None, description="At most 500 chars.")
    keywords: list[str] | None = None


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
    first: int | None = 20,
    after: str | None = None,
) -> ProjectConnection:
    """Search projects by name, slug, description or keyword, oldest first."""
    where = models.ProjectFilter(search=search, namespace=namespace, visibility=visibility)
    return await _connection(info, where, first, after)


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
        description="Every project the caller may see (public only if anonymous), oldest first.",
    )


async def resolve_create_project(info: Info, input: CreateProjectInput) -> ProjectPayload:
    """Create a project owned by the caller."""
    caller = info.context.identity
    if not caller.is_authenticated:
        return ProjectPayload(project=None, errors=[_unauthenticated("create a project")])
    try:
        new = models.validate_new_project(
            caller,
            name=input.name,
            namespace=input.namespace,
            slug=input.slug,
            visibility=input.visibility or models.Visibility.PRIVATE,
            description=input.description,
            keywords=input.keywords,
        )
        project = await info.context.backend.create(caller, new)
    except DomainError as error:
        return ProjectPayload(project=None, errors=[UserError.from_domain(error)])
    return ProjectPayload(project=Project.from_model(project), errors=[])


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
    """Create and delete projects."""

    create_project: ProjectPayload = strawberry.mutation(
        resolver=resolve_create_project, description="Create a project and its git repository."
    )
    delete_project: DeleteProjectPayload = strawberry.mutation(
        resolver=resolve_delete_project, description="Delete a project and its git repository."
    )


schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[User, Project], extensions=[mask_errors]
)
