"""The projects subgraph's object types: `Project`, its members and permissions, connections,
and the `User` and `Group` entities it extends with their projects.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.pagination import PageInfo, PageRequest
from renku_fed.subgraphs.projects import models
from renku_fed.subgraphs.projects.backends import ProjectStore

Info: TypeAlias = strawberry.Info[RequestContext[ProjectStore], None]

# Registering the domain enums as GraphQL enums lets fields be annotated with them directly.
strawberry.enum(models.Visibility, description="Who may see a project.")
strawberry.enum(models.Role, description="A member's role in a project or group.")
strawberry.enum(
    models.ProjectSort,
    description="Orders of a project list; ties are broken by id, so cursors stay stable.",
)


async def resolve_user_projects(
    root: User,
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    sort: models.ProjectSort = models.ProjectSort.CREATION_DATE,
) -> ProjectConnection:
    """The user's projects, filtered to those visible to the caller."""
    where = models.ProjectFilter(member=str(root.id))
    return await project_connection(info, where, first, after, sort)


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


async def resolve_group_projects(
    root: Group,
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    sort: models.ProjectSort = models.ProjectSort.CREATION_DATE,
) -> ProjectConnection:
    """The projects in the group's namespace that the caller may see."""
    where = models.ProjectFilter(namespace=root.slug)
    return await project_connection(info, where, first, after, sort)


@strawberry.federation.type(keys=["id"], description="A group of users, owned by `users`.")
class Group:
    """The users subgraph's group, extended with the projects in its namespace."""

    id: strawberry.ID
    slug: str = strawberry.federation.field(external=True)
    projects: ProjectConnection = strawberry.federation.field(
        resolver=resolve_group_projects,
        requires=["slug"],
        description="Projects in the group's namespace that the caller may see.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, slug: str = "") -> Group:
        """A group as the router describes it (its slug is required for `projects`)."""
        return cls(id=id, slug=slug)


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


async def resolve_copies(
    root: Project, info: Info, first: int | None = 20, after: str | None = None
) -> ProjectConnection:
    """Copies of this project that the caller may see, oldest first."""
    where = models.ProjectFilter(template_id=root.record.id)
    return await project_connection(info, where, first, after, models.ProjectSort.CREATION_DATE)


@strawberry.federation.type(keys=["id"], description="A Renku project and its repository.")
class Project:
    """A project as the caller sees it."""

    id: strawberry.ID = strawberry.field(description="A ULID.")
    name: str = strawberry.field(description="1 to 99 characters.")
    slug: str = strawberry.field(description="URL-friendly name, unique in the namespace.")
    namespace: str = strawberry.field(description="The owner's username or a group's slug.")
    visibility: models.Visibility
    description: str | None = strawberry.field(description="At most 500 characters.")
    keywords: list[str]
    documentation: str | None = strawberry.field(description="Markdown, at most 5000 characters.")
    repositories: list[str] = strawberry.field(description="URLs `git clone` accepts.")
    creation_date: datetime
    updated_at: datetime
    etag: str = strawberry.field(
        description="Changes whenever the project changes; pass it as `ifMatch` to update."
    )
    is_template: bool = strawberry.field(description="Offered as a template to copy.")
    template_id: strawberry.ID | None = strawberry.field(
        description="The project this one was copied from, if any."
    )
    created_by: User = strawberry.field(
        resolver=resolve_created_by, description="The user who created the project."
    )
    members: list[ProjectMember] = strawberry.field(
        resolver=resolve_members, description="The project's members and their roles."
    )
    permissions: ProjectPermissions = strawberry.field(
        resolver=resolve_permissions, description="What the caller may do with the project."
    )
    copies: ProjectConnection = strawberry.field(
        resolver=resolve_copies, description="Copies of this project the caller may see."
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
            documentation=project.documentation,
            repositories=list(project.repositories),
            creation_date=project.creation_date,
            updated_at=project.updated_at,
            etag=project.etag,
            is_template=project.is_template,
            template_id=None if project.template_id is None else strawberry.ID(project.template_id),
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


@strawberry.type(description="A page of projects.")
class ProjectConnection:
    """Relay connection of projects, in the order the query asked for."""

    edges: list[ProjectEdge]
    page_info: PageInfo
    total_count: int


async def project_connection(
    info: Info,
    where: models.ProjectFilter,
    first: int | None,
    after: str | None,
    sort: models.ProjectSort,
) -> ProjectConnection:
    """One page of the projects matching `where` that the caller may see."""
    page = await info.context.backend.search(
        info.context.identity, where, PageRequest.of(first, after), sort
    )
    edges = [
        ProjectEdge(cursor=cursor, node=Project.from_model(project))
        for cursor, project in zip(page.cursors, page.items, strict=True)
    ]
    return ProjectConnection(
        edges=edges,
        page_info=PageInfo.of(page.cursors, page.has_next, after),
        total_count=page.total,
    )
