"""The users subgraph's GraphQL schema: people (`user_types`), groups and namespaces
(`group_types`)."""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.users import group_types
from renku_fed.subgraphs.users.user_types import (
    User,
    UserConnection,
    resolve_me,
    resolve_user,
    resolve_user_by_username,
    resolve_users,
)


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
    group: group_types.Group | None = strawberry.field(
        resolver=group_types.resolve_group, description="The group with this slug, or null."
    )
    groups: group_types.GroupConnection = strawberry.field(
        resolver=group_types.resolve_groups,
        description="Groups matching `search` (slug, name, description), by slug.",
    )
    namespaces: list[group_types.Namespace] = strawberry.field(
        resolver=group_types.resolve_namespaces,
        description="The caller's own namespace and those of their groups where their role "
        "includes `minimumRole`; for signed-in callers.",
    )


@strawberry.type
class Mutation:
    """Create, change and delete groups, and manage their members."""

    create_group: group_types.GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=group_types.resolve_create_group,
        description="Create a group; you become its owner.",
    )
    update_group: group_types.GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=group_types.resolve_update_group,
        description="Change a group's name or description.",
    )
    delete_group: group_types.DeleteGroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=group_types.resolve_delete_group,
        description="Delete a group and its memberships (its projects stay in `projects`).",
    )
    set_group_members: group_types.GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=group_types.resolve_set_group_members,
        description="Add members or change their roles (upsert); a group keeps an OWNER.",
    )
    remove_group_member: group_types.GroupPayload = strawberry.mutation(
        directives=[Authenticated()],
        resolver=group_types.resolve_remove_group_member,
        description="Remove a member; the last OWNER cannot be removed.",
    )


schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[User, group_types.Group], extensions=[mask_errors]
)
