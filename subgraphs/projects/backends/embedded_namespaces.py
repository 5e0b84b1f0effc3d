"""Namespace changes in the embedded store: moving projects between namespaces, following a
group's rename, deleting a group's projects, and the redirects old paths leave behind."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime

from renku_fed.subgraphs.projects.backends import refusals
from renku_fed.subgraphs.projects.backends.project_rows import timestamp
from renku_fed.subgraphs.projects.backends.repositories import BareRepositories
from renku_fed.subgraphs.projects.models import Project

SCHEMA = """
CREATE TABLE IF NOT EXISTS project_redirects (
    namespace TEXT NOT NULL,
    slug TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    PRIMARY KEY (namespace, slug)
);
"""


class NamespaceMoves:
    """Rewrites of projects' namespaces in one SQLite file, with their repositories."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[sqlite3.Connection]],
        repositories: BareRepositories,
    ) -> None:
        self._connect = connect
        self._repositories = repositories
        with connect() as db:
            db.executescript(SCHEMA)

    def redirect(self, namespace: str, slug: str) -> str | None:
        """The id of the project that was at `namespace/slug` before it moved, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT project_id FROM project_redirects WHERE namespace = ? AND slug = ?",
                (namespace, slug),
            ).fetchone()
        return None if row is None else str(row["project_id"])

    def move(self, project: Project, namespace: str) -> Project:
        """The project moved to `namespace`, its old path kept as a redirect; CONFLICT on `slug`."""
        moved = replace(project, namespace=namespace, updated_at=datetime.now(UTC))
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            taken = db.execute(
                "SELECT 1 FROM projects WHERE namespace = ? AND slug = ?", (namespace, project.slug)
            ).fetchone()
            if taken is not None:
                raise refusals.slug_conflict(moved)
            self._rewrite(db, project.id, project.namespace, project.slug, namespace)
            db.execute(
                "UPDATE projects SET updated_at = ? WHERE id = ?",
                (timestamp(moved.updated_at), project.id),
            )
        return moved

    def rename(self, old: str, new: str) -> list[str]:
        """Move every project of namespace `old` to `new`; the moved projects' ids."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute("SELECT id, slug FROM projects WHERE namespace = ?", (old,))
            moved = [(row["id"], row["slug"]) for row in rows]
            for project_id, slug in moved:
                self._rewrite(db, project_id, old, slug, new)
        return [project_id for project_id, _ in moved]

    def ids_in(self, namespace: str) -> list[str]:
        """The ids of every project in `namespace`, hidden ones included."""
        with self._connect() as db:
            rows = db.execute("SELECT id FROM projects WHERE namespace = ?", (namespace,))
            return [str(row["id"]) for row in rows]

    def _rewrite(
        self, db: sqlite3.Connection, project_id: str, old: str, slug: str, new: str
    ) -> None:
        db.execute("UPDATE projects SET namespace = ? WHERE id = ?", (new, project_id))
        db.execute("DELETE FROM project_redirects WHERE namespace = ? AND slug = ?", (new, slug))
        db.execute(
            "INSERT OR REPLACE INTO project_redirects (namespace, slug, project_id) "
            "VALUES (?, ?, ?)",
            (old, slug, project_id),
        )
        withdrawn = self._repositories.withdraw(old, slug)
        if withdrawn is not None:
            self._repositories.publish(withdrawn, new, slug)
