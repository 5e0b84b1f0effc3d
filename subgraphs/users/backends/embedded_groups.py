"""The embedded group store: groups and their members in the users subgraph's SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ulid import ULID

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.users.backends import check_keeps_owner
from renku_fed.subgraphs.users.backends.embedded_namespaces import (
    SCHEMA as USER_NAMESPACES_SCHEMA,
)
from renku_fed.subgraphs.users.backends.embedded_namespaces import (
    EmbeddedUserNamespaces,
    user_holds,
)
from renku_fed.subgraphs.users.models import (
    Group,
    GroupMember,
    GroupPage,
    GroupPatch,
    NewGroup,
    Role,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    created_by TEXT NOT NULL,
    creation_date TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX IF NOT EXISTS group_members_user ON group_members (user_id);
CREATE TABLE IF NOT EXISTS group_redirects (
    old_slug TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE
);
"""
_COLUMNS = "id, slug, name, description, created_by, creation_date"
_SEARCH = (
    "(slug LIKE :pattern ESCAPE '\\' OR name LIKE :pattern ESCAPE '\\' "
    "OR description LIKE :pattern ESCAPE '\\')"
)


class EmbeddedGroupStore:
    """A `GroupStore` in `<data_dir>/<database_file>`, beside the embedded user directory."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connect() as db:
            db.executescript(_SCHEMA + USER_NAMESPACES_SCHEMA)

    def user_namespaces(self) -> EmbeddedUserNamespaces:
        """The users' namespace slugs, kept in this store's file so both share transactions."""
        return EmbeddedUserNamespaces(self._path)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._path)

    async def get(self, group_id: str) -> Group | None:
        """The group with this id, or None."""
        return await asyncio.to_thread(self._one, "id", group_id)

    async def get_by_slug(self, slug: str) -> Group | None:
        """The group with this slug, or None."""
        return await asyncio.to_thread(self._one, "slug", slug)

    async def redirect(self, old_slug: str) -> Group | None:
        """The group that had the slug `old_slug` before a rename, or None."""

        def find() -> Group | None:
            with self._connect() as db:
                row = db.execute(
                    "SELECT group_id FROM group_redirects WHERE old_slug = ?", (old_slug,)
                ).fetchone()
                return None if row is None else self._read(db, "id", row["group_id"])

        return await asyncio.to_thread(find)

    async def search(
        self,
        text: str | None,
        page: PageRequest,
        member: str | None = None,
        minimum_role: Role | None = None,
    ) -> GroupPage:
        """Groups matching `text` (and membership), in (slug, id) order."""
        return await asyncio.to_thread(self._search, text, page, member, minimum_role)

    async def create(self, caller: Identity, new: NewGroup) -> Group:
        """Create a group owned by the caller; CONFLICT on a taken slug."""
        if caller.subject is None:
            raise DomainError(
                ErrorCode.UNAUTHENTICATED, "Sign in to create a group: send a bearer token."
            )
        group = Group(
            id=str(ULID()),
            slug=new.slug,
            name=new.name,
            description=new.description,
            created_by=caller.subject,
            creation_date=datetime.now(UTC),
            members=(GroupMember(caller.subject, Role.OWNER),),
        )
        return await asyncio.to_thread(self._insert, group)

    async def update(self, caller: Identity, slug: str, patch: GroupPatch) -> Group:
        """Change name or description; owners and admins."""

        def change(db: sqlite3.Connection, group: Group) -> Group:
            updated = replace(
                group,
                name=group.name if patch.name is None else patch.name,
                description=group.description
                if patch.description is None
                else patch.description or None,
                slug=group.slug if patch.slug is None else patch.slug,
            )
            if updated.slug != group.slug and user_holds(db, updated.slug):
                raise _user_namespace_conflict(updated.slug, "input.slug")
            try:
                db.execute(
                    "UPDATE groups SET name = ?, description = ?, slug = ? WHERE id = ?",
                    (updated.name, updated.description, updated.slug, group.id),
                )
            except sqlite3.IntegrityError as exc:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    f"The slug {updated.slug!r} is taken by another group; choose another.",
                    field="input.slug",
                ) from exc
            if updated.slug != group.slug:
                db.execute("DELETE FROM group_redirects WHERE old_slug = ?", (updated.slug,))
                db.execute(
                    "INSERT OR REPLACE INTO group_redirects (old_slug, group_id) VALUES (?, ?)",
                    (group.slug, group.id),
                )
            return updated

        return await asyncio.to_thread(self._managed, caller, slug, change)

    async def delete(self, caller: Identity, slug: str) -> Group:
        """Delete a group and its memberships; owners and admins."""

        def remove(db: sqlite3.Connection, group: Group) -> Group:
            db.execute("DELETE FROM groups WHERE id = ?", (group.id,))
            return group

        return await asyncio.to_thread(self._managed, caller, slug, remove)

    async def set_members(
        self, caller: Identity, slug: str, members: Sequence[GroupMember]
    ) -> Group:
        """Add members or change their roles; owners and admins; an OWNER remains."""

        def upsert(db: sqlite3.Connection, group: Group) -> Group:
            changed = {member.user_id: member for member in members}
            kept = tuple(changed.pop(m.user_id, m) for m in group.members)
            return self._replace_members(db, group, kept + tuple(changed.values()), "members")

        return await asyncio.to_thread(self._managed, caller, slug, upsert)

    async def remove_member(self, caller: Identity, slug: str, user_id: str) -> Group:
        """Remove one member; owners and admins; the last OWNER stays."""

        def remove(db: sqlite3.Connection, group: Group) -> Group:
            if all(member.user_id != user_id for member in group.members):
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    f"{user_id!r} is not a member of group {slug!r}; check `userId`.",
                    field="userId",
                )
            kept = tuple(m for m in group.members if m.user_id != user_id)
            return self._replace_members(db, group, kept, "userId")

        return await asyncio.to_thread(self._managed, caller, slug, remove)

    def _managed(
        self,
        caller: Identity,
        slug: str,
        change: Callable[[sqlite3.Connection, Group], Group],
    ) -> Group:
        with self._connect() as db:
            # The write lock first, so the checks and the write see the same group.
            db.execute("BEGIN IMMEDIATE")
            group = self._read(db, "slug", slug)
            if group is None:
                raise DomainError(
                    ErrorCode.NOT_FOUND, f"No group has the slug {slug!r}.", field="slug"
                )
            if not group.can_manage(caller):
                raise DomainError(
                    ErrorCode.FORBIDDEN,
                    f"Only owners of group {slug!r} and admins can change it or its members.",
                    field="slug",
                )
            return change(db, group)

    @staticmethod
    def _replace_members(
        db: sqlite3.Connection, group: Group, members: tuple[GroupMember, ...], field: str
    ) -> Group:
        check_keeps_owner(group.slug, members, field)
        db.execute("DELETE FROM group_members WHERE group_id = ?", (group.id,))
        db.executemany(
            "INSERT INTO group_members (group_id, user_id, role) VALUES (?, ?, ?)",
            [(group.id, m.user_id, m.role.value) for m in members],
        )
        return replace(group, members=members)

    def _insert(self, group: Group) -> Group:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            if user_holds(db, group.slug):
                raise _user_namespace_conflict(group.slug, "slug")
            try:
                db.execute(
                    f"INSERT INTO groups ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        group.id,
                        group.slug,
                        group.name,
                        group.description,
                        group.created_by,
                        group.creation_date.isoformat(timespec="microseconds"),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    f"The slug {group.slug!r} is taken by another group; choose another `slug`.",
                    field="slug",
                ) from exc
            db.executemany(
                "INSERT INTO group_members (group_id, user_id, role) VALUES (?, ?, ?)",
                [(group.id, m.user_id, m.role.value) for m in group.members],
            )
        return group

    def _one(self, column: str, value: str) -> Group | None:
        with self._connect() as db:
            return self._read(db, column, value)

    def _read(self, db: sqlite3.Connection, column: str, value: str) -> Group | None:
        row = db.execute(f"SELECT {_COLUMNS} FROM groups WHERE {column} = ?", (value,)).fetchone()
        return None if row is None else self._groups(db, [row])[0]

    def _search(
        self, text: str | None, page: PageRequest, member: str | None, minimum_role: Role | None
    ) -> GroupPage:
        params: dict[str, Any] = {"limit": page.first + 1}
        conditions = ["1"]
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["pattern"] = f"%{escaped}%"
            conditions.append(_SEARCH)
        if member is not None:
            roles = [r.value for r in Role if r.includes(minimum_role or Role.VIEWER)]
            params.update({"member": member, **{f"r{i}": r for i, r in enumerate(roles)}})
            marks = ", ".join(f":r{i}" for i in range(len(roles)))
            conditions.append(
                "id IN (SELECT group_id FROM group_members "
                f"WHERE user_id = :member AND role IN ({marks}))"
            )
        matching = " AND ".join(conditions)
        position = ""
        if page.after is not None:
            slug, group_id = page.after.get("slug"), page.after.get("id")
            if not isinstance(slug, str) or not isinstance(group_id, str):
                raise DomainError(
                    ErrorCode.BAD_USER_INPUT,
                    "The `after` cursor does not come from `groups`; pass an `endCursor` it "
                    "returned.",
                    field="after",
                )
            params.update(after_slug=slug, after_id=group_id)
            position = " AND (slug > :after_slug OR (slug = :after_slug AND id > :after_id))"
        with self._connect() as db:
            total = db.execute(f"SELECT COUNT(*) FROM groups WHERE {matching}", params).fetchone()
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM groups WHERE {matching}{position} "
                "ORDER BY slug, id LIMIT :limit",
                params,
            ).fetchall()
            items = self._groups(db, rows[: page.first])
        return GroupPage(
            items=tuple(items),
            cursors=tuple(encode_cursor({"slug": g.slug, "id": g.id}) for g in items),
            total=total[0],
            has_next=len(rows) > page.first,
        )

    @staticmethod
    def _groups(db: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Group]:
        ids = [row["id"] for row in rows]
        members: dict[str, list[GroupMember]] = {group_id: [] for group_id in ids}
        marks = ", ".join("?" * len(ids))
        for member in db.execute(
            f"SELECT group_id, user_id, role FROM group_members WHERE group_id IN ({marks}) "
            "ORDER BY rowid",
            ids,
        ):
            members[member["group_id"]].append(GroupMember(member["user_id"], Role(member["role"])))
        return [
            Group(
                id=row["id"],
                slug=row["slug"],
                name=row["name"],
                description=row["description"],
                created_by=row["created_by"],
                creation_date=datetime.fromisoformat(row["creation_date"]),
                members=tuple(members[row["id"]]),
            )
            for row in rows
        ]


def _user_namespace_conflict(slug: str, field: str) -> DomainError:
    return DomainError(
        ErrorCode.CONFLICT,
        f"The slug {slug!r} is a user's namespace, and namespaces are shared by users and "
        f"groups; choose another `{field.rsplit('.', 1)[-1]}`.",
        field=field,
    )
