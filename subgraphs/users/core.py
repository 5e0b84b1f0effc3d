"""The users subgraph's use cases: who may list people and namespaces, and group changes.

Every use case checks the caller and the input before it calls a backend, and refuses with a
`DomainError`; the backend has then written nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, require_sign_in
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.common.rules import (
    DESCRIPTION_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    check_max_length,
    check_name,
    check_search,
    check_slug,
    slug_from_name,
)
from renku_fed.subgraphs.users.backends import UsersBackend
from renku_fed.subgraphs.users.models import (
    Group,
    GroupMember,
    GroupPage,
    GroupPatch,
    Namespace,
    NamespaceKind,
    NamespacePage,
    NewGroup,
    Role,
    UserNamespace,
    UserPage,
    UserRecord,
)

_NUMBERED = re.compile(r"-[0-9]+$")


async def me(backend: UsersBackend, caller: Identity) -> UserRecord | None:
    """The caller's account, registered or updated from the token's claims; None if anonymous."""
    if not caller.is_authenticated:
        return None
    return (await sync_user(backend, caller))[0]


async def sync_user(backend: UsersBackend, caller: Identity) -> tuple[UserRecord, UserNamespace]:
    """The caller's account synced from their token, and their namespace (chosen at the first
    sync, kept afterwards)."""
    record = await backend.directory.sync(caller)
    return record, await user_namespace(backend, record, claim=True)


async def user_namespace(
    backend: UsersBackend, user: UserRecord, *, claim: bool = False
) -> UserNamespace:
    """The user's own namespace: the stored one, else the first free of their username (as a
    slug), `username-2`, `username-3`... which `claim` stores for good.

    Free means no group, group redirect or other user's namespace holds it, and it is no other
    user's username. Unclaimed (a user who never signed in), it is what they would get now.
    """
    stored = await backend.namespaces.get(user.id)
    if stored is not None:
        return stored
    base = slug_from_name(user.username) or "user"
    held_by: str | None = None
    number = 0
    while True:
        number += 1
        slug = _numbered(base, number)
        holder = await _holder(backend, slug, user.id)
        if holder is None:
            found = UserNamespace(user.id, slug, user.username, held_by)
            if not claim:
                return found
            claimed = await backend.namespaces.claim(found)
            if claimed is not None:
                return claimed
            holder = await _holder(backend, slug, user.id) or "taken meanwhile"
        held_by = held_by or holder


def _numbered(base: str, number: int) -> str:
    if number == 1:
        return base
    suffix = f"-{number}"
    return base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-_.") + suffix


async def _holder(backend: UsersBackend, slug: str, user_id: str) -> str | None:
    holder = await backend.namespaces.holder(slug, user_id)
    if holder is not None:
        return holder
    other = await backend.directory.get_by_username(slug)
    return None if other is None or other.id == user_id else "another user's username"


async def search_users(
    backend: UsersBackend, caller: Identity, text: str | None, page: PageRequest
) -> UserPage:
    """Users whose username or name contains `text` (or e-mail, for admins); signed-in callers.

    Only admins see others' e-mails, so only their searches match e-mails.
    """
    require_sign_in(caller, "list users")
    return await backend.directory.search(check_search(text), page, match_email=caller.is_admin)


async def namespace(backend: UsersBackend, caller: Identity, path: str) -> Namespace | None:
    """The user or group namespace at `path` (or its first segment, for `namespace/project`).

    A group's old slug answers with the group at its new slug and `redirected_from` set; the
    role is the caller's own (OWNER of their own namespace), None when they have none.
    """
    slug = path.split("/", 1)[0]
    user = await _user_at(backend, slug)
    if user is not None:
        role = Role.OWNER if user.id == caller.subject or caller.is_admin else None
        return Namespace(user.id, NamespaceKind.USER, slug, user.display_name, role)
    group = await backend.groups.get_by_slug(slug)
    moved_from = None
    if group is None:
        group, moved_from = await backend.groups.redirect(slug), slug
    if group is None:
        return None
    role = Role.OWNER if caller.is_admin else group.role_of(caller)
    return Namespace(
        group.id, NamespaceKind.GROUP, group.slug, group.name, role, redirected_from=moved_from
    )


async def _user_at(backend: UsersBackend, slug: str) -> UserRecord | None:
    """The user whose namespace is `slug`: stored, or (never signed in) the one they would get."""
    stored = await backend.namespaces.owner(slug)
    if stored is not None:
        return await backend.directory.get(stored.user_id)
    for username in dict.fromkeys((slug, _NUMBERED.sub("", slug))):
        user = await backend.directory.get_by_username(username)
        if user is not None and (await user_namespace(backend, user)).slug == slug:
            return user
    return None


async def namespace_page(
    backend: UsersBackend,
    caller: Identity,
    minimum_role: Role,
    kind: NamespaceKind | None,
    page: PageRequest,
) -> NamespacePage:
    """A page of the caller's namespaces (`namespaces` in order: own first, groups by slug)."""
    found = await namespaces(backend, caller, minimum_role, None if kind is None else [kind])
    offset = (page.after or {}).get("offset", 0)
    if not isinstance(offset, int) or offset < 0:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The `after` cursor does not come from `namespaces`; pass an `endCursor` it returned.",
            field="after",
        )
    items = found[offset : offset + page.first]
    return NamespacePage(
        items=tuple(items),
        cursors=tuple(encode_cursor({"offset": offset + i + 1}) for i in range(len(items))),
        total=len(found),
        has_next=offset + page.first < len(found),
    )


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
        me, own = await sync_user(backend, caller)
        found.append(Namespace(me.id, NamespaceKind.USER, own.slug, me.display_name, Role.OWNER))
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
    """Create a group owned by the caller; its slug may not be a username or user namespace."""
    require_sign_in(caller, "create a group")
    new = validate_new_group(slug=slug, name=name, description=description)
    await _refuse_username(backend, new.slug, "slug")
    if await backend.groups.redirect(new.slug) is not None:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"The slug {new.slug!r} was a group's before it was renamed, and its old paths "
            "still lead there; choose another `slug`.",
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
    new_slug: str | None = None,
) -> Group:
    """Change a group's name, description or slug; owners and admins.

    A new slug moves the group's projects with it (the old paths redirect); when the projects
    cannot follow, the group keeps its old slug.
    """
    require_sign_in(caller, "update a group")
    patch = validate_group_patch(name=name, description=description, slug=new_slug)
    if patch.slug is not None and patch.slug != slug:
        await _refuse_username(backend, patch.slug, "input.slug")
    group = await backend.groups.update(caller, slug, patch)
    if group.slug == slug or backend.projects is None:
        return group
    try:
        await backend.projects.follow_rename(caller, slug, group.slug)
    except DomainError:
        await backend.groups.update(caller, group.slug, GroupPatch(slug=slug))
        raise
    return group


async def _refuse_username(backend: UsersBackend, slug: str, field: str) -> None:
    if await backend.directory.get_by_username(slug) is not None:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"The slug {slug!r} is a username, and namespaces are shared by users and "
            "groups; choose another `slug`.",
            field=field,
        )


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


async def delete_group(
    backend: UsersBackend, caller: Identity, slug: str, delete_projects: bool = False
) -> Group:
    """Delete a group and its memberships, returning it as it was; owners and admins.

    A group with projects is refused (CONFLICT on `deleteProjects`) unless `delete_projects`,
    which deletes them first: no project is left without its namespace.
    """
    require_sign_in(caller, "delete a group")
    group = await backend.groups.get_by_slug(slug)
    if group is None or not group.can_manage(caller) or backend.projects is None:
        return await backend.groups.delete(caller, slug)
    if not delete_projects:
        count = await backend.projects.count(caller, slug)
        if count:
            raise DomainError(
                ErrorCode.CONFLICT,
                f"Group {slug!r} still has {count} project(s); move them to another namespace "
                "or pass `deleteProjects: true` to delete them with the group.",
                field="deleteProjects",
            )
    else:
        await backend.projects.delete_all(caller, slug)
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


def validate_group_patch(
    *, name: str | None, description: str | None, slug: str | None = None
) -> GroupPatch:
    """Check an update request; the first violation as a DomainError."""
    return GroupPatch(
        name=None if name is None else check_name(name),
        description=_description(description),
        slug=None if slug is None else check_slug(slug, field="input.slug"),
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
