"""The users subgraph's use cases: who may list people and namespaces, and group changes.

Every use case checks the caller and the input before it calls a backend, and refuses with a
`DomainError`; the backend has then written nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, require_sign_in
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.rules import (
    DESCRIPTION_MAX_LENGTH,
    check_max_length,
    check_name,
    check_search,
    check_slug,
)
from renku_fed.subgraphs.users.backends import UsersBackend
from renku_fed.subgraphs.users.models import (
    Group,
    GroupMember,
    GroupPage,
    GroupPatch,
    Namespace,
    NamespaceKind,
    NewGroup,
    Role,
    UserPage,
    UserRecord,
)


async def me(backend: UsersBackend, caller: Identity) -> UserRecord | None:
    """The caller's account, registered or updated from the token's claims; None if anonymous."""
    if not caller.is_authenticated:
        return None
    return await backend.directory.sync(caller)


async def search_users(
    backend: UsersBackend, caller: Identity, text: str | None, page: PageRequest
) -> UserPage:
    """Users whose username or name contains `text` (or e-mail, for admins); signed-in callers.

    Only admins see others' e-mails, so only their searches match e-mails.
    """
    require_sign_in(caller, "list users")
    return await backend.directory.search(check_search(text), page, match_email=caller.is_admin)


async def namespaces(
    backend: UsersBackend,
    caller: Identity,
    minimum_role: Role,
    kinds: Iterable[NamespaceKind] | None,
) -> list[Namespace]:
    """The caller's own namespace and their groups' where their role includes `minimum_role`."""
    if caller.subject is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED, "Sign in to list your namespaces: send a bearer token."
        )
    wanted = set(kinds or NamespaceKind)
    found: list[Namespace] = []
    if NamespaceKind.USER in wanted:
        me = await backend.directory.sync(caller)
        found.append(Namespace(me.id, NamespaceKind.USER, me.username, me.display_name, Role.OWNER))
    if NamespaceKind.GROUP in wanted:
        found.extend(await _group_namespaces(backend, caller, minimum_role))
    return found


async def _group_namespaces(
    backend: UsersBackend, caller: Identity, minimum_role: Role
) -> list[Namespace]:
    found: list[Namespace] = []
    after: str | None = None
    while True:
        page: GroupPage = await backend.groups.search(
            None, PageRequest.of(100, after), member=caller.subject, minimum_role=minimum_role
        )
        found.extend(
            Namespace(
                group.id,
                NamespaceKind.GROUP,
                group.slug,
                group.name,
                group.role_of(caller) or Role.VIEWER,
            )
            for group in page.items
        )
        if not page.has_next:
            return found
        after = page.cursors[-1]


async def create_group(
    backend: UsersBackend, caller: Identity, *, slug: str, name: str, description: str | None
) -> Group:
    """Create a group owned by the caller; its slug may not be a username."""
    require_sign_in(caller, "create a group")
    new = validate_new_group(slug=slug, name=name, description=description)
    if await backend.directory.get_by_username(new.slug) is not None:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"The slug {new.slug!r} is a username, and namespaces are shared by users and "
            "groups; choose another `slug`.",
            field="slug",
        )
    return await backend.groups.create(caller, new)


async def update_group(
    backend: UsersBackend,
    caller: Identity,
    slug: str,
    *,
    name: str | None,
    description: str | None,
) -> Group:
    """Change a group's name or description; owners and admins."""
    require_sign_in(caller, "update a group")
    patch = validate_group_patch(name=name, description=description)
    return await backend.groups.update(caller, slug, patch)


async def set_group_members(
    backend: UsersBackend, caller: Identity, slug: str, members: list[GroupMember]
) -> Group:
    """Add members or change their roles (upsert); owners and admins; every user must exist."""
    require_sign_in(caller, "change group members")
    checked = validate_group_members(members)
    for member in checked:
        if await backend.directory.get(member.user_id) is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"No user has the id {member.user_id!r}; pass the `id` of a `User`.",
                field="members",
            )
    return await backend.groups.set_members(caller, slug, checked)


async def remove_group_member(
    backend: UsersBackend, caller: Identity, slug: str, user_id: str
) -> Group:
    """Remove a member; owners and admins. The last owner stays."""
    require_sign_in(caller, "change group members")
    return await backend.groups.remove_member(caller, slug, user_id)


async def delete_group(backend: UsersBackend, caller: Identity, slug: str) -> Group:
    """Delete a group and its memberships, returning it as it was; owners and admins."""
    require_sign_in(caller, "delete a group")
    return await backend.groups.delete(caller, slug)


def _description(description: str | None) -> str | None:
    return check_max_length(description, "description", DESCRIPTION_MAX_LENGTH, "shorten it")


def validate_new_group(*, slug: str, name: str, description: str | None) -> NewGroup:
    """Check a create request; the first violation as a DomainError."""
    return NewGroup(
        slug=check_slug(slug),
        name=check_name(name),
        description=_description(description) or None,
    )


def validate_group_patch(*, name: str | None, description: str | None) -> GroupPatch:
    """Check an update request; the first violation as a DomainError."""
    return GroupPatch(
        name=None if name is None else check_name(name),
        description=_description(description),
    )


def validate_group_members(members: list[GroupMember]) -> tuple[GroupMember, ...]:
    """Members naming each user at most once; BAD_USER_INPUT on `members` if not."""
    seen: set[str] = set()
    for member in members:
        if member.user_id in seen:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"`members` names the user {member.user_id!r} twice; give each user one role.",
                field="members",
            )
        seen.add(member.user_id)
    return tuple(members)
