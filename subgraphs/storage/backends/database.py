"""The embedded store's SQLite file: created 0600 in a 0700 folder, its tables, its pages."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from renku_fed.subgraphs.common.pagination import encode_cursor
from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.storage.models import Page

DATABASE_FILE = "storage.sqlite3"
TABLES = """
CREATE TABLE IF NOT EXISTS connectors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, namespace TEXT, slug TEXT NOT NULL,
    visibility TEXT NOT NULL, description TEXT, keywords TEXT NOT NULL, storage TEXT NOT NULL,
    created_by TEXT NOT NULL, creation_date TEXT NOT NULL, updated_at TEXT NOT NULL,
    doi TEXT UNIQUE, publisher TEXT, UNIQUE (namespace, slug));
CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY,
    connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL, created_by TEXT NOT NULL, creation_date TEXT NOT NULL,
    UNIQUE (connector_id, project_id));
CREATE INDEX IF NOT EXISTS links_project ON links (project_id);
CREATE TABLE IF NOT EXISTS secrets (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    value BLOB NOT NULL, modification_date TEXT NOT NULL, UNIQUE (owner, name));
CREATE TABLE IF NOT EXISTS connector_secrets (
    connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
    owner TEXT NOT NULL, option TEXT NOT NULL,
    secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    PRIMARY KEY (connector_id, owner, option));
CREATE TABLE IF NOT EXISTS slots (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
    filename TEXT NOT NULL, UNIQUE (project_id, filename));
CREATE TABLE IF NOT EXISTS slot_values (
    slot_id TEXT NOT NULL REFERENCES slots(id) ON DELETE CASCADE, owner TEXT NOT NULL,
    secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    PRIMARY KEY (slot_id, owner));
CREATE TABLE IF NOT EXISTS mount_directories (
    project_id TEXT PRIMARY KEY, directory TEXT NOT NULL);
DROP TABLE IF EXISTS namespace_roles;
"""


class Database:
    """The SQLite file `<data_dir>/storage.sqlite3`, readable by its owner only."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        data_dir.chmod(0o700)
        self.path = data_dir / DATABASE_FILE
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.path.chmod(0o600)
        with self.connect() as db:
            db.executescript(TABLES)

    def connect(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection whose block is one transaction."""
        return transaction(self.path)


def now() -> str:
    """The current time as stored."""
    return datetime.now(UTC).isoformat()


def page_of(items: Sequence[Any], offset: int, first: int, total: int) -> Page:
    """A page of `items` (at most `first + 1` rows read from `offset`)."""
    shown = list(items[:first])
    cursors = [encode_cursor({"o": offset + i + 1}) for i in range(len(shown))]
    return Page(items=shown, cursors=cursors, total=total, has_next=len(items) > first)


def in_clause(values: Sequence[str]) -> str:
    """`(?, ?, ...)` for `values`, or `(NULL)` when there are none."""
    return "(" + ", ".join("?" for _ in values) + ")" if values else "(NULL)"
