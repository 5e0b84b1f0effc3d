"""The users subgraph's GraphQL types: `User`, `Group`, namespaces, inputs and payloads.

Each type that shows a domain object is built by `from_model`. Resolvers are module functions
handed to `strawberry.field(resolver=...)`, which keeps them typed for mypy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.errors import UserError
from renku_fed.subgraphs.common.pagination import Connection, Edge
from renku_fed.subgraphs.users import core, models
from renku_fed.subgraphs.users.backends import UsersBackend

Info: TypeAlias = strawberry.Info[RequestContext[UsersBackend], None]

# Registering the domain enums as GraphQL enums lets fields be annotated with them directly.
strawberry.enum(models.Role, description="A member's role in a project or group.")
strawberry.enum(models.NamespaceKind, description="What owns a namespace.")


def resolve_email(root: User, info: Info) -> str | None:
    """The e-mail address when the caller is this user or an admin, else null."""
    return root.record.email_for(info.context.identity)


async def resolve_namespace(root: User, info: Info) -> str:
    """The slug of the user's own namespace."""
    return (await core.user_namespace(info.context.backend, root.record)).slug


async def resolve_namespace_notice(root: User, info: Info) -> str | None:
    """Why the user's namespace is not their username; for them alone, else null."""
    if info.context.identity.subject != root.record.id:
        return None
    return (await core.user_namespace(info.context.backend, root.record)).notice


@strawberry.federation.type(keys=["id"], description="A person with a Renku account.")
class User:
    """A Renku account; other subgraphs extend it by `id`."""

    id: strawberry.ID = strawberry.field(description="The identity provider's subject.")
    username: str = strawberry.field(description="The user's handle, unique on the platform.")
    email: str | None = strawberry.field(
        resolver=resolve_email,
        description="E-mail address; only the user themself and admins see it.",
    )
    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    display_name: str = strawberry.field(description="Full name, or the username if unknown.")
    is_admin: bool = strawberry.field(description="True for Renku administrators.")
    namespace: str = strawberry.field(
        resolver=resolve_namespace,
        description="The slug of the user's own namespace, where their projects live: their "
        "username, or a numbered one (`carol-2`) when a group or another user already held it "
        "at their first sign-in. Chosen then and kept; before it, the slug they would get now.",
    )
    namespace_notice: str | None = strawberry.field(
        resolver=resolve_namespace_notice,
        description="Why your namespace is not your username (for instance, a group already "
        "had it when you first signed in), to show to you once; null when it is your username, "
        "and for anyone but you.",
    )
    record: strawberry.Private[models.UserRecord]

    @classmethod
    def from_model(cls, record: models.UserRecord) -> User:
        """The GraphQL view of a stored account."""
        return cls(
            id=strawberry.ID(record.id),
            username=record.username,
            first_name=record.first_name,
            last_name=record.last_name,
            display_name=record.display_name,
            is_admin=record.is_admin,
            record=record,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> User | None:
        """The user with this id, or null when there is none."""
        record = await info.context.backend.directory.get(str(id))
        return None if record is None else cls.from_model(record)


@strawberry.type(description="An edge of a user connection.")
class UserEdge(Edge[User]):
    """A user and its cursor."""


@strawberry.type(description="A page of users.")
class UserConnection(Connection[User]):
    """Relay connection of users, ordered by username."""

    edges: Sequence[UserEdge]


@strawberry.type(description="A user's membership in a group.")
class GroupMember:
    """A member and their role."""

    role: models.Role
    user: User | None = strawberry.field(description="Null if the account no longer exists.")


async def resolve_created_by(root: Group, info: Info) -> User | None:
    """The group's creator, if their account still exists."""
    return await User.resolve_reference(info, strawberry.ID(root.record.created_by))


async def resolve_group_members(root: Group, info: Info) -> list[GroupMember]:
    """Every member with their role, owners included; deleted accounts are left out."""
    members = root.record.members
    users = await asyncio.gather(
        *(User.resolve_reference(info, strawberry.ID(member.user_id)) for member in members)
    )
    return [
        GroupMember(role=m.role, user=user)
        for m, user in zip(members, users, strict=True)
        if user is not None
    ]


@strawberry.federation.type(keys=["id"], description="A group of users; its slug is a namespace.")
class Group:
    """A Renku group; the projects subgraph extends it with `projects`."""

    id: strawberry.ID = strawberry.field(description="A ULID.")
    slug: str = strawberry.field(description="Namespace of the group's projects; unique.")
    name: str
    description: str | None
    creation_date: datetime
    created_by: User | None = strawberry.field(resolver=resolve_created_by)
    members: list[GroupMember] = strawberry.field(resolver=resolve_group_members)
    record: strawberry.Private[models.Group]

    @classmethod
    def from_model(cls, group: models.Group) -> Group:
        """The GraphQL view of a stored group."""
        return cls(
            id=strawberry.ID(group.id),
            slug=group.slug,
            name=group.name,
            description=group.description,
            creation_date=group.creation_date,
            record=group,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Group | None:
        """The group with this id, or null."""
        group = await info.context.backend.groups.get(str(id))
        return None if group is None else cls.from_model(group)


@strawberry.type(description="An edge of a group connection.")
class GroupEdge(Edge[Group]):
    """A group and its cursor."""


@strawberry.type(description="A page of groups, by slug.")
class GroupConnection(Connection[Group]):
    """Relay connection of groups."""

    edges: Sequence[GroupEdge]


@strawberry.type(description="Where projects can live: a user's own namespace or a group's.")
class Namespace:
    """A namespace the caller has a role in."""

    id: strawberry.ID = strawberry.field(description="The user's or the group's id.")
    kind: models.NamespaceKind
    slug: str = strawberry.field(description="The current slug; the path's first segment.")
    name: str
    role: models.Role | None = strawberry.field(
        description="The caller's role (OWNER of their own), null when they have none."
    )
    redirected_from: str | None = strawberry.field(
        description="The old slug asked for, when the group has since been renamed."
    )

    @classmethod
    def from_model(cls, namespace: models.Namespace) -> Namespace:
        """The GraphQL view of a namespace."""
        return cls(
            id=strawberry.ID(namespace.id),
            kind=namespace.kind,
            slug=namespace.slug,
            name=namespace.name,
            role=namespace.role,
            redirected_from=namespace.redirected_from,
        )


@strawberry.type(description="An edge of a namespace connection.")
class NamespaceEdge(Edge[Namespace]):
    """A namespace and its cursor."""


@strawberry.type(description="A page of namespaces: the caller's own first, then groups by slug.")
class NamespaceConnection(Connection[Namespace]):
    """Relay connection of namespaces."""

    edges: Sequence[NamespaceEdge]


@strawberry.input(description="A new group; the caller becomes its owner.")
class CreateGroupInput:
    """What `createGroup` needs."""

    slug: str = strawberry.field(description="1 to 99 of a-z, 0-9, `-`, `_`, `.` (GitLab rules).")
    name: str = strawberry.field(description="1 to 99 characters.")
    description: str | None = strawberry.field(default=None, description="At most 500 chars.")


@strawberry.input(description="Changes to a group; omitted fields stay as they are.")
class UpdateGroupInput:
    """What `updateGroup` may change."""

    name: str | None = None
    description: str | None = strawberry.field(default=None, description="Empty clears it.")
    slug: str | None = strawberry.field(
        default=None,
        description="A new slug: the group's projects move with it, and the old paths "
        "redirect to the new ones.",
    )


@strawberry.input(description="A member to add, or whose role to change.")
class GroupMemberInput:
    """A user id and a role."""

    user_id: strawberry.ID
    role: models.Role

    def to_model(self) -> models.GroupMember:
        """The membership this input asks for."""
        return models.GroupMember(str(self.user_id), self.role)


@strawberry.type(description="The result of a mutation on a group.")
class GroupPayload:
    """The group, or the errors that prevented the change."""

    group: Group | None
    errors: list[UserError]


@strawberry.type(description="The result of deleting a group.")
class DeleteGroupPayload:
    """The deleted group's id, or the errors that prevented the deletion."""

    id: strawberry.ID | None
    errors: list[UserError]
