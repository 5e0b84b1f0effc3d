"""The Renku fields GitLab has no place for (documentation, template flag), in a SQLite file.

Keyed by GitLab project id. Everything else about a project lives in GitLab; a row whose
project was deleted in GitLab directly is never read again and is harmless. A SQLite failure
is a DomainError (UNAVAILABLE), so the store can undo what it wrote in GitLab and say why.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.sqlite import transaction

DATABASE_FILE = "gitlab-metadata.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS project_metadata (
    gitlab_id INTEGER PRIMARY KEY,
    documentation TEXT,
    is_template INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class ProjectMetadata:
    """Renku-only fields of one GitLab project and when they last changed."""

    documentation: str | None
    is_template: bool
    updated_at: datetime | None


NO_METADATA = ProjectMetadata(documentation=None, is_template=False, updated_at=None)


class MetadataTable:
    """`ProjectMetadata` rows in `<data_dir>/gitlab-metadata.sqlite3`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._path = data_dir / DATABASE_FILE
        # At start a SQLite failure stays a SQLite error: it is a broken setup, not a request's.
        with transaction(self._path) as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with transaction(self._path) as db:
                yield db
        except sqlite3.Error as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                "Renku could not read or store projects' documentation and template flags; "
                "nothing was changed, try again later.",
            ) from exc

    def read(self, gitlab_ids: list[int]) -> dict[int, ProjectMetadata]:
        """The stored metadata of these projects; those without a row are left out."""
        marks = ", ".join("?" * len(gitlab_ids))
        with self._connect() as db:
            rows = db.execute(
                "SELECT gitlab_id, documentation, is_template, updated_at FROM project_metadata "
                f"WHERE gitlab_id IN ({marks})",
                gitlab_ids,
            ).fetchall()
        return {
            row[0]: ProjectMetadata(row[1], bool(row[2]), datetime.fromisoformat(row[3]))
            for row in rows
        }

    def write(self, gitlab_id: int, metadata: ProjectMetadata, now: datetime) -> None:
        """Store a project's metadata, stamped `now`."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO project_metadata (gitlab_id, documentation, is_template, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (gitlab_id) DO UPDATE SET "
                "documentation = excluded.documentation, is_template = excluded.is_template, "
                "updated_at = excluded.updated_at",
                (gitlab_id, metadata.documentation, int(metadata.is_template), now.isoformat()),
            )

    def restore(self, gitlab_id: int, before: ProjectMetadata | None) -> None:
        """Put a project's row back as `read` returned it (None: it had no row)."""
        if before is None or before.updated_at is None:
            self.forget(gitlab_id)
        else:
            self.write(gitlab_id, before, before.updated_at)

    def forget(self, gitlab_id: int) -> None:
        """Drop a deleted project's row."""
        with self._connect() as db:
            db.execute("DELETE FROM project_metadata WHERE gitlab_id = ?", (gitlab_id,))
