"""The users subgraph's groups and namespaces: types, queries and mutations.

Groups are visible to everyone. Mutations report every refusal, UNAUTHENTICATED included, as
typed `errors` in their payload; the store has then written nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, UserError
from renku_fed.subgraphs.common.pagination import PageInfo, PageRequest
from renku_fed.subgraphs.users import models, rules
from renku_fed.subgraphs.users.user_types import Info, User

strawberry.enum(models.Role, description="A member's role in a project or group.")
strawberry.enum(models.NamespaceKind, description="What owns a namespace.")


@strawberry.type(description="A user's membership in a group.")
class GroupMember:
    """A member and their role."""

    role: models.Role
    user: User | None = strawberry.field(description="Null if the account no longer exists.")


async def resolve_created_by(root: Group, info: Info) -> User | None:
    """The group's creator, if their account still exists."""
    return await User.resolve_reference(info, strawberry.ID(root.record.created_by))


async def resolve_group_members(root: Group, info: Info) -> list[GroupMember]:
    """Every member with their role, owners included."""
    members = root.record.members
    users = await asyncio.gather(
        *(User.resolve_reference(info, strawberry.ID(member.user_id)) for member in members)
    )
    return [GroupMember(role=m.role, user=user) for m, user in zip(members, users, strict=True)]


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
class GroupEdge:
    """A group and its cursor."""

    cursor: str
    node: Group


@strawberry.type(description="A page of groups, by slug.")
class GroupConnection:
    """Relay connection of groups."""

    edges: list[GroupEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="Where projects can live: a user's own namespace or a group's.")
class Namespace:
    """A namespace the caller has a role in."""

    id: strawberry.ID = strawberry.field(description="The user's or the group's id.")
    kind: models.NamespaceKind
    slug: str
    name: str
    role: models.Role = strawberry.field(description="The caller's role (OWNER of their own).")


async def resolve_group(info: Info, slug: str) -> Group | None:
    """The group with this slug, or null."""
    group = await info.context.backend.groups.get_by_slug(slug)
    return None if group is None else Group.from_model(group)


async def resolve_groups(
    info: Info,
    search: str | None = None,
    member: strawberry.ID | None = None,
    minimum_role: models.Role | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> GroupConnection:
    """Groups matching `search`; with `member`, those where that user holds `minimumRole`."""
    page = await info.context.backend.groups.search(
        search,
        PageRequest.of(first, after),
        member=None if member is None else str(member),
        minimum_role=minimum_role,
    )
    edges = [
        GroupEdge(cursor=cursor, node=Group.from_model(group))
        for cursor, group in zip(page.cursors, page.items, strict=True)
    ]
    return GroupConnection(
        edges=edges,
        page_info=PageInfo.of(page.cursors, page.has_next, after),
        total_count=page.total,
    )


async def resolve_namespaces(
    info: Info,
    minimum_role: models.Role = models.Role.VIEWER,
    kinds: list[models.NamespaceKind] | None = None,
) -> list[Namespace]:
    """The caller's own namespace and their groups' where their role includes `minimumRole`."""
    caller = info.context.identity
    if caller.subject is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED, "Sign in to list your namespaces: send a bearer token."
        )
    wanted = set(kinds or models.NamespaceKind)
    found: list[Namespace] = []
    if models.NamespaceKind.USER in wanted:
        me = await info.context.backend.directory.sync(caller)
        found.append(
            Namespace(
                id=strawberry.ID(me.id),
                kind=models.NamespaceKind.USER,
                slug=me.username,
                name=me.display_name,
                role=models.Role.OWNER,
            )
        )
    if models.NamespaceKind.GROUP in wanted:
        after: str | None = None
        while True:
            page = await info.context.backend.groups.search(
                None, PageRequest.of(100, after), member=caller.subject, minimum_role=minimum_role
            )
            found.extend(
                Namespace(
                    id=strawberry.ID(group.id),
                    kind=models.NamespaceKind.GROUP,
                    slug=group.slug,
                    name=group.name,
                    role=group.role_of(caller) or models.Role.VIEWER,
                )
                for group in page.items
            )
            if not page.has_next:
                return found
            after = page.cursors[-1]
    return found


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


@strawberry.input(description="A member to add, or whose role to change.")
class GroupMemberInput:
    """A user id and a role."""

    user_id: strawberry.ID
    role: models.Role


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


async def _payload(
    info: Info, action: str, change: Callable[[], Awaitable[models.Group]]
) -> GroupPayload:
    if not info.context.identity.is_authenticated:
        message = f"Sign in to {action}: send a bearer token."
        return GroupPayload(
            group=None, errors=[UserError(code=ErrorCode.UNAUTHENTICATED, message=message)]
        )
    try:
        group = await change()
    except DomainError as error:
        return GroupPayload(group=None, errors=[UserError.from_domain(error)])
    return GroupPayload(group=Group.from_model(group), errors=[])


async def resolve_create_group(info: Info, input: CreateGroupInput) -> GroupPayload:
    """Create a group owned by the caller; its slug may not be a username."""

    async def create() -> models.Group:
        new = rules.validate_new_group(
            slug=input.slug, name=input.name, description=input.description
        )
        if await info.context.backend.directory.get_by_username(new.slug) is not None:
            raise DomainError(
                ErrorCode.CONFLICT,
                f"The slug {new.slug!r} is a username, and namespaces are shared by users and "
                "groups; choose another `slug`.",
                field="slug",
            )
        return await info.context.backend.groups.create(info.context.identity, new)

    return await _payload(info, "create a group", create)


async def resolve_update_group(info: Info, slug: str, input: UpdateGroupInput) -> GroupPayload:
    """Change a group's name or description; owners and admins."""

    async def update() -> models.Group:
        patch = rules.validate_group_patch(name=input.name, description=input.description)
        return await info.context.backend.groups.update(info.context.identity, slug, patch)

    return await _payload(info, "update a group", update)


async def resolve_set_group_members(
    info: Info, slug: str, members: list[GroupMemberInput]
) -> GroupPayload:
    """Add members or change their roles (upsert); owners and admins."""

    async def set_members() -> models.Group:
        checked = rules.validate_group_members(
            [models.GroupMember(str(m.user_id), m.role) for m in members]
        )
        for member in checked:
            if await info.context.backend.directory.get(member.user_id) is None:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    f"No user has the id {member.user_id!r}; pass the `id` of a `User`.",
                    field="members",
                )
        return await info.context.backend.groups.set_members(info.context.identity, slug, checked)

    return await _payload(info, "change group members", set_members)


async def resolve_remove_group_member(
    info: Info, slug: str, user_id: strawberry.ID
) -> GroupPayload:
    """Remove a member; owners and admins. The last owner stays."""

    async def remove() -> models.Group:
        return await info.context.backend.groups.remove_member(
            info.context.identity, slug, str(user_id)
        )

    return await _payload(info, "change group members", remove)


async def resolve_delete_group(info: Info, slug: str) -> DeleteGroupPayload:
    """Delete a group and its memberships; owners and admins."""
    if not info.context.identity.is_authenticated:
        message = "Sign in to delete a group: send a bearer token."
        return DeleteGroupPayload(
            id=None, errors=[UserError(code=ErrorCode.UNAUTHENTICATED, message=message)]
        )
    try:
        group = await info.context.backend.groups.delete(info.context.identity, slug)
    except DomainError as error:
        return DeleteGroupPayload(id=None, errors=[UserError.from_domain(error)])
    return DeleteGroupPayload(id=strawberry.ID(group.id), errors=[])
