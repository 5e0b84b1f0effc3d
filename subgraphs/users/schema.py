"""The users subgraph's GraphQL schema: people, groups and namespaces.

Queries a caller may not run fail with a GraphQL error coded UNAUTHENTICATED. Mutations report
every refusal, UNAUTHENTICATED included, as typed `errors` in their payload; the store has then
written nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.users import core, models
from renku_fed.subgraphs.users.types import (
    CreateGroupInput,
    DeleteGroupPayload,
    Group,
    GroupConnection,
    GroupMemberInput,
    GroupPayload,
    Info,
    Namespace,
    NamespaceConnection,
    UpdateGroupInput,
    User,
    UserConnection,
)


async def resolve_me(info: Info) -> User | None:
    """The caller's account, registered or updated from the token's claims."""
    record = await core.me(info.context.backend, info.context.identity)
    return None if record is None else User.from_model(record)


async def resolve_user(info: Info, id: strawberry.ID) -> User | None:
    """Look a user up by id."""
    return await User.resolve_reference(info, id)


async def resolve_user_by_username(info: Info, username: str) -> User | None:
    """Look a user up by username."""
    record = await info.context.backend.directory.get_by_username(username)
    return None if record is None else User.from_model(record)


async def resolve_users(
    info: Info, search: str | None = None, first: int | None = 20, after: str | None = None
) -> UserConnection:
    """Search users by username, name or e-mail, a page at a time."""
    context = info.context
    page = await core.search_users(
        context.backend, context.identity, search, PageRequest.of(first, after)
    )
    return UserConnection.from_page(page, User.from_model, after)


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
    return GroupConnection.from_page(page, Group.from_model, after)


async def resolve_namespaces(
    info: Info,
    kind: models.NamespaceKind | None = None,
    minimum_role: models.Role = models.Role.VIEWER,
    first: int | None = 20,
    after: str | None = None,
) -> NamespaceConnection:
    """The caller's own namespace and their groups' where their role includes `minimumRole`."""
    page = await core.namespace_page(
        info.context.backend,
        info.context.identity,
        minimum_role,
        kind,
        PageRequest.of(first, after),
    )
    return NamespaceConnection.from_page(page, Namespace.from_model, after)


async def resolve_namespace(info: Info, slug: str) -> Namespace | None:
    """The user or group namespace at `slug` (or `namespace/project`), following renames."""
    found = await core.namespace(info.context.backend, info.context.identity, slug)
    return None if found is None else Namespace.from_model(found)


@strawberry.type
class Query:
    """Read accounts, groups and namespaces."""

    me: User | None = strawberry.field(
        resolver=resolve_me,
        description="The caller; for signed-in callers only.",
        directives=[Authenticated()],
    )
    user: User | None = strawberry.field(
        resolver=resolve_user, description="The user with this id, or null."
    )
    user_by_username: User | None = strawberry.field(
        resolver=resolve_user_by_username, description="The user with this username, or null."
    )
    users: UserConnection = strawberry.field(
        resolver=resolve_users,
        description="Users matching `search` (username, name, e-mail); for signed-in callers.",
    )
    group: Group | None = strawberry.field(
        resolver=resolve_group, description="The group with this slug, or null."
    )
    groups: GroupConnection = strawberry.field(
        resolver=resolve_groups,
        description="Groups matching `search` (slug, name, description), by slug.",
    )
    namespaces: NamespaceConnection = strawberry.field(
        resolver=resolve_namespaces,
        description="The caller's own namespace and those of their groups where their role "
        "includes `minimumRole` (only `kind`'s when given); for signed-in callers.",
    )
    namespace: Namespace | None = strawberry.field(
        resolver=resolve_namespace,
        description="The user or group owning `slug` (a namespace or a `namespace/project` "
        "path), with the caller's role; a user is found by their namespace (`User.namespace`), "
        "and a group's old slug answers with its new one.",
    )


async def _payload(change: Awaitable[models.Group]) -> GroupPayload:
    try:
        group = await change
    except DomainError as error:
        return GroupPayload(group=None, errors=[UserError.from_domain(error)])
    return GroupPayload(group=Group.from_model(group), errors=[])


async def resolve_create_group(info: Info, input: CreateGroupInput) -> GroupPayload:
    """Create a group owned by the caller; its slug may not be a username or user namespace."""
    return await _payload(
        core.create_group(
            info.context.backend,
            info.context.identity,
            slug=input.slug,
            name=input.name,
            description=input.description,
        )
    )


async def resolve_update_group(info: Info, slug: str, input: UpdateGroupInput) -> GroupPayload:
    """Change a group's name or description; owners and admins."""
    return await _payload(
        core.update_group(
            info.context.backend,
            info.context.identity,
            slug,
            name=input.name,
            description=input.description,
            new_slug=input.slug,
        )
    )


async def resolve_set_group_members(
    info: Info, slug: str, members: list[GroupMemberInput]
) -> GroupPayload:
    """Add members or change their roles (upsert); owners and admins."""
    wanted = [member.to_model() for member in members]
    return await _payload(
        core.set_group_members(info.context.backend, info.context.identity, slug, wanted)
    )


async def resolve_remove_group_member(
    info: Info, slug: str, user_id: strawberry.ID
) -> GroupPayload:
    """Remove a member; owners and admins. The last owner stays."""
    return await _payload(
        core.remove_group_member(info.context.backend, info.context.identity, slug, str(user_id))
    )


async def resolve_delete_group(
    info: Info, slug: str, delete_projects: bool = False
) -> DeleteGroupPayload:
    """Delete a group and its memberships; owners and admins."""
    context = info.context
    try:
        group = await core.delete_group(context.backend, context.identity, slug, delete_projects)
    except DomainError as error:
        return DeleteGroupPayload(id=None, errors=[UserError.from_domain(error)])
    return DeleteGroupPayload(id=strawberry.ID(group.id), errors=[])


@strawberry.type
class Mutation:
    """Create, change and delete groups, and manage their members."""

    create_group: GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_create_group,
        description="Create a group; you become its owner. Its slug may not be a username or a "
        "user's namespace.",
    )
    update_group: GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_update_group,
        description="Change a group's name, description or slug (its projects move with it).",
    )
    delete_group: DeleteGroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_delete_group,
        description="Delete a group and its memberships; refused while it has projects unless "
        "`deleteProjects` is true, which deletes them too.",
    )
    set_group_members: GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_set_group_members,
        description="Add members or change their roles (upsert); a group keeps an OWNER.",
    )
    remove_group_member: GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=resolve_remove_group_member,
        description="Remove a member; the last OWNER cannot be removed.",
    )


schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[User, Group], extensions=[mask_errors]
)
