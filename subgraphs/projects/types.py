"""The projects subgraph's GraphQL types: `Project`, its members and permissions, connections,
the `User` and `Group` entities it extends with their projects, inputs and payloads.

Each type that shows a domain object is built by `from_model`. Resolvers are module functions
handed to `strawberry.field(resolver=...)`, which keeps them typed for mypy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.errors import UserError
from renku_fed.subgraphs.common.pagination import Connection, Edge, PageRequest
from renku_fed.subgraphs.projects import core, models
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

    @classmethod
    def from_model(cls, rights: models.Permissions) -> ProjectPermissions:
        """The GraphQL view of a caller's rights."""
        return cls(
            write=rights.write, delete=rights.delete, change_membership=rights.change_membership
        )


@strawberry.type(description="A user's membership in a project.")
class ProjectMember:
    """A member and their role."""

    role: models.Role
    user: User | None = strawberry.field(
        description="Null when the account no longer exists (the member stays listed)."
    )

    @classmethod
    def from_model(cls, member: models.Member) -> ProjectMember:
        """The GraphQL view of a membership; the users subgraph resolves the user."""
        return cls(role=member.role, user=User(id=strawberry.ID(member.user_id)))


def resolve_created_by(root: Project) -> User:
    """A reference the users subgraph resolves."""
    return User(id=strawberry.ID(root.record.created_by))


def resolve_members(root: Project) -> list[ProjectMember]:
    """Every member, owners included."""
    return [ProjectMember.from_model(member) for member in root.record.members]


def resolve_permissions(root: Project, info: Info) -> ProjectPermissions:
    """The caller's rights, from their role (admins may do everything)."""
    return ProjectPermissions.from_model(root.record.permissions_of(info.context.identity))


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
    namespace: str = strawberry.field(
        description="The owner's namespace (`User.namespace`) or a group's slug."
    )
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
class ProjectEdge(Edge[Project]):
    """A project and its cursor."""


@strawberry.type(description="A page of projects.")
class ProjectConnection(Connection[Project]):
    """Relay connection of projects, in the order the query asked for."""

    edges: Sequence[ProjectEdge]


async def project_connection(
    info: Info,
    where: models.ProjectFilter,
    first: int | None,
    after: str | None,
    sort: models.ProjectSort,
) -> ProjectConnection:
    """One page of the projects matching `where` that the caller may see."""
    context = info.context
    page = await core.search_projects(
        context.backend, context.identity, where, PageRequest.of(first, after), sort
    )
    return ProjectConnection.from_page(page, Project.from_model, after)


@strawberry.input(description="A new project; the caller becomes its owner.")
class CreateProjectInput:
    """What `createProject` needs."""

    name: str = strawberry.field(description="1 to 99 characters.")
    namespace: str | None = strawberry.field(
        default=None,
        description="The caller's own namespace (the default, `User.namespace`) or the slug "
        "of a group where the caller is EDITOR or OWNER.",
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

    def to_model(self) -> models.ProjectDraft:
        """The unchecked request; an unset visibility is PRIVATE."""
        return models.ProjectDraft(
            name=self.name,
            namespace=self.namespace,
            slug=self.slug,
            visibility=self.visibility or models.Visibility.PRIVATE,
            description=self.description,
            keywords=self.keywords,
            documentation=self.documentation,
            is_template=self.is_template,
        )


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

    def to_model(self) -> models.ProjectPatch:
        """The unchecked change."""
        return models.ProjectPatch(
            name=self.name,
            slug=self.slug,
            visibility=self.visibility,
            description=self.description,
            keywords=None if self.keywords is None else tuple(self.keywords),
            documentation=self.documentation,
            is_template=self.is_template,
            unlink_template=self.unlink_template,
        )


@strawberry.input(description="A copy of a project the caller may see, repository included.")
class CopyProjectInput:
    """What `copyProject` needs; omitted fields are taken from the source project."""

    project_id: strawberry.ID = strawberry.field(description="The project to copy.")
    name: str
    namespace: str | None = strawberry.field(
        default=None, description="As for `createProject`: the caller's own namespace by default."
    )
    slug: str | None = strawberry.field(
        default=None, description="Defaults to one derived from the name."
    )
    visibility: models.Visibility | None = None
    description: str | None = None
    keywords: list[str] | None = None
    documentation: str | None = None

    def to_model(self) -> models.ProjectDraft:
        """The unchecked request; unset fields (None) are taken from the source."""
        return models.ProjectDraft(
            name=self.name,
            namespace=self.namespace,
            slug=self.slug,
            visibility=self.visibility,
            description=self.description,
            keywords=self.keywords,
            documentation=self.documentation,
        )


@strawberry.input(description="A member to add, or whose role to change.")
class ProjectMemberInput:
    """A user id and a role."""

    user_id: strawberry.ID
    role: models.Role

    def to_model(self) -> models.Member:
        """The membership this input asks for."""
        return models.Member(str(self.user_id), self.role)


@strawberry.type(description="The result of a mutation on a project.")
class ProjectPayload:
    """The project, or the errors that prevented the change."""

    project: Project | None
    errors: list[UserError]


@strawberry.type(description="The result of a change to every project of a namespace.")
class NamespaceProjectsPayload:
    """How many projects changed, or the errors that prevented it."""

    count: int
    errors: list[UserError]


@strawberry.type(description="The result of deleting a project.")
class DeleteProjectPayload:
    """The deleted project's id, or the errors that prevented the deletion."""

    id: strawberry.ID | None
    errors: list[UserError]
