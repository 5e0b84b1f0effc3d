"""The embedded store of users' namespace slugs, in the same SQLite file as the groups.

Sharing the file lets one transaction see both: `claim` refuses a slug a group (or a group's
old slug) holds, and the group store refuses one a user holds (`user_holds`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.users.models import UserNamespace

SCHEMA = """
CREATE TABLE IF NOT EXISTS user_namespaces (
    user_id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    wanted TEXT NOT NULL,
    held_by TEXT
);
"""
_COLUMNS = "user_id, slug, wanted, held_by"


def user_holds(db: sqlite3.Connection, slug: str) -> bool:
    """True when `slug` is a user's namespace (for the group store's own transactions)."""
    found = db.execute("SELECT 1 FROM user_namespaces WHERE slug = ?", (slug,)).fetchone()
    return found is not None


class EmbeddedUserNamespaces:
    """A `UserNamespaceStore` in `<data_dir>/<database_file>`, beside the group store."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._path)

    async def get(self, user_id: str) -> UserNamespace | None:
        """The user's stored namespace, or None before their first sign-in."""
        return await asyncio.to_thread(self._one, "user_id", user_id)

    async def owner(self, slug: str) -> UserNamespace | None:
        """The stored user namespace with this slug, or None."""
        return await asyncio.to_thread(self._one, "slug", slug)

    async def holder(self, slug: str, user_id: str) -> str | None:
        """Who holds `slug` other than this user, in words; None when it is free."""

        def find() -> str | None:
            with self._connect() as db:
                return _holder(db, slug, user_id)

        return await asyncio.to_thread(find)

    async def claim(self, namespace: UserNamespace) -> UserNamespace | None:
        """Store `namespace` unless the user has one; None when its slug is taken."""
        return await asyncio.to_thread(self._claim, namespace)

    def _claim(self, namespace: UserNamespace) -> UserNamespace | None:
        with self._connect() as db:
            # The write lock first, so no group takes the slug between the check and the insert.
            db.execute("BEGIN IMMEDIATE")
            stored = _read(db, "user_id", namespace.user_id)
            if stored is not None:
                return stored
            if _holder(db, namespace.slug, namespace.user_id) is not None:
                return None
            db.execute(
                f"INSERT INTO user_namespaces ({_COLUMNS}) VALUES (?, ?, ?, ?)",
                (namespace.user_id, namespace.slug, namespace.wanted, namespace.held_by),
            )
        return namespace

    def _one(self, column: str, value: str) -> UserNamespace | None:
        with self._connect() as db:
            return _read(db, column, value)


def _holder(db: sqlite3.Connection, slug: str, user_id: str) -> str | None:
    group = db.execute("SELECT name FROM groups WHERE slug = ?", (slug,)).fetchone()
    if group is not None:
        return f"the namespace of group {group['name']!r}"
    moved = db.execute(
        "SELECT g.name FROM group_redirects r JOIN groups g ON g.id = r.group_id "
        "WHERE r.old_slug = ?",
        (slug,),
    ).fetchone()
    if moved is not None:
        return f"a former namespace of group {moved['name']!r}, whose old paths lead there"
    user = db.execute(
        "SELECT 1 FROM user_namespaces WHERE slug = ? AND user_id != ?", (slug, user_id)
    ).fetchone()
    return None if user is None else "another user's namespace"


def _read(db: sqlite3.Connection, column: str, value: str) -> UserNamespace | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM user_namespaces WHERE {column} = ?", (value,)
    ).fetchone()
    if row is None:
        return None
    return UserNamespace(row["user_id"], row["slug"], row["wanted"], row["held_by"])
