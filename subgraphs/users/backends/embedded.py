"""The embedded user directory: accounts in a SQLite file, synced from token claims."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.users.models import UserPage, UserRecord

DATABASE_FILE = "users.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0
);
"""
_COLUMNS = "id, username, email, first_name, last_name, is_admin"
_SEARCH = (
    "(username LIKE :pattern ESCAPE '\\' OR email LIKE :pattern ESCAPE '\\' "
    "OR first_name LIKE :pattern ESCAPE '\\' OR last_name LIKE :pattern ESCAPE '\\')"
)


_SEARCH_WITHOUT_EMAIL = (
    "(username LIKE :pattern ESCAPE '\\' "
    "OR first_name LIKE :pattern ESCAPE '\\' OR last_name LIKE :pattern ESCAPE '\\')"
)


class EmbeddedUserDirectory:
    """A `UserDirectory` backed by `<data_dir>/users.sqlite3`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._path = data_dir / DATABASE_FILE
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._path)

    def is_empty(self) -> bool:
        """True when no account is stored yet."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None

    def store(self, records: Iterable[UserRecord]) -> None:
        """Add these accounts or update them, by id."""
        with self._connect() as db:
            for record in records:
                # Usernames are unique at the identity provider at any moment: whoever held this
                # one before has been renamed there, so they keep their id until seen again.
                db.execute(
                    "UPDATE users SET username = id WHERE username = ? AND id != ?",
                    (record.username, record.id),
                )
                db.execute(
                    f"INSERT INTO users ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET username = excluded.username, "
                    "email = excluded.email, first_name = excluded.first_name, "
                    "last_name = excluded.last_name, is_admin = excluded.is_admin",
                    (
                        record.id,
                        record.username,
                        record.email,
                        record.first_name,
                        record.last_name,
                        int(record.is_admin),
                    ),
                )

    async def sync(self, identity: Identity) -> UserRecord:
        """Register or update the authenticated caller from their token's claims."""
        record = UserRecord.from_identity(identity)
        await asyncio.to_thread(self.store, [record])
        return record

    async def get(self, user_id: str) -> UserRecord | None:
        """The account with this id, or None."""
        return await asyncio.to_thread(self._one, "id", user_id)

    async def get_by_username(self, username: str) -> UserRecord | None:
        """The account with this username, or None."""
        return await asyncio.to_thread(self._one, "username", username)

    def _one(self, column: str, value: str) -> UserRecord | None:
        with self._connect() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM users WHERE {column} = ?", (value,)
            ).fetchone()
        return None if row is None else _record(row)

    async def search(
        self, text: str | None, page: PageRequest, *, match_email: bool = True
    ) -> UserPage:
        """Accounts whose username, name or (with `match_email`) e-mail contains `text`."""
        return await asyncio.to_thread(self._search, text, page, match_email)

    def _search(self, text: str | None, page: PageRequest, match_email: bool) -> UserPage:
        params: dict[str, Any] = {"limit": page.first + 1}
        filters = []
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["pattern"] = f"%{escaped}%"
            filters.append(_SEARCH if match_email else _SEARCH_WITHOUT_EMAIL)
        where = " AND ".join(filters) or "1"
        position = ""
        if page.after is not None:
            params["after_username"], params["after_id"] = _position(page.after)
            position = (
                " AND (username > :after_username "
                "OR (username = :after_username AND id > :after_id))"
            )
        with self._connect() as db:
            total = db.execute(f"SELECT COUNT(*) FROM users WHERE {where}", params).fetchone()[0]
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM users WHERE {where}{position} "
                "ORDER BY username, id LIMIT :limit",
                params,
            ).fetchall()
        items = tuple(_record(row) for row in rows[: page.first])
        cursors = tuple(encode_cursor({"username": u.username, "id": u.id}) for u in items)
        return UserPage(items=items, cursors=cursors, total=total, has_next=len(rows) > page.first)


def _position(after: dict[str, Any]) -> tuple[str, str]:
    username, user_id = after.get("username"), after.get("id")
    if not isinstance(username, str) or not isinstance(user_id, str):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The `after` cursor does not come from `users`; pass an `endCursor` it returned.",
            field="after",
        )
    return username, user_id


def _record(row: sqlite3.Row) -> UserRecord:
    return UserRecord(
        id=row["id"],
        username=row["username"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        is_admin=bool(row["is_admin"]),
    )
