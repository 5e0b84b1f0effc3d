"""The users subgraph's `User` entity and the resolvers that find people.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy. A query a caller may not run fails with a GraphQL error coded UNAUTHENTICATED.
"""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageInfo, PageRequest
from renku_fed.subgraphs.users.backends import UsersBackend
from renku_fed.subgraphs.users.models import UserRecord

Info: TypeAlias = strawberry.Info[RequestContext[UsersBackend], None]


def resolve_email(root: User, info: Info) -> str | None:
    """The e-mail address when the caller is this user or an admin, else null."""
    caller = info.context.identity
    if caller.subject == root.id or caller.is_admin:
        return root.stored_email
    return None


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
    stored_email: strawberry.Private[str | None]

    @classmethod
    def from_record(cls, record: UserRecord) -> User:
        """The GraphQL view of a stored account."""
        return cls(
            id=strawberry.ID(record.id),
            username=record.username,
            first_name=record.first_name,
            last_name=record.last_name,
            display_name=record.display_name,
            is_admin=record.is_admin,
            stored_email=record.email,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> User | None:
        """The user with this id, or null when there is none."""
        record = await info.context.backend.directory.get(str(id))
        return None if record is None else cls.from_record(record)


@strawberry.type(description="An edge of a user connection.")
class UserEdge:
    """A user and its cursor."""

    cursor: str
    node: User


@strawberry.type(description="A page of users.")
class UserConnection:
    """Relay connection of users, ordered by username."""

    edges: list[UserEdge]
    page_info: PageInfo
    total_count: int


async def resolve_me(info: Info) -> User | None:
    """The caller's account, registered or updated from the token's claims."""
    identity = info.context.identity
    if not identity.is_authenticated:
        return None
    return User.from_record(await info.context.backend.directory.sync(identity))


async def resolve_user(info: Info, id: strawberry.ID) -> User | None:
    """Look a user up by id."""
    return await User.resolve_reference(info, id)


async def resolve_user_by_username(info: Info, username: str) -> User | None:
    """Look a user up by username."""
    record = await info.context.backend.directory.get_by_username(username)
    return None if record is None else User.from_record(record)


async def resolve_users(
    info: Info, search: str | None = None, first: int | None = 20, after: str | None = None
) -> UserConnection:
    """Search users by username, name or e-mail, a page at a time."""
    if not info.context.identity.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to list users: send a bearer token.")
    page = await info.context.backend.directory.search(search, PageRequest.of(first, after))
    edges = [
        UserEdge(cursor=cursor, node=User.from_record(record))
        for cursor, record in zip(page.cursors, page.items, strict=True)
    ]
    return UserConnection(
        edges=edges,
        page_info=PageInfo.of(page.cursors, page.has_next, after),
        total_count=page.total,
    )
