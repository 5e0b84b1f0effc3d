"""The embedded connector store: data connectors and their project links in SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ulid import ULID

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.storage.backends.database import Database, in_clause, now, page_of
from renku_fed.subgraphs.storage.models import (
    DataConnector,
    DataConnectorDraft,
    DataConnectorPatch,
    Link,
    Page,
    Storage,
    Visibility,
)

COLUMNS = (
    "id, name, namespace, slug, visibility, description, keywords, storage, created_by, "
    "creation_date, updated_at, doi, publisher"
)


def _storage_json(storage: Storage) -> str:
    return json.dumps(
        {
            "type": storage.type,
            "configuration": dict(storage.configuration),
            "source_path": storage.source_path,
            "target_path": storage.target_path,
            "read_only": storage.read_only,
        }
    )


def connector_of(row: sqlite3.Row) -> DataConnector:
    """The connector of a `connectors` row."""
    storage: dict[str, Any] = json.loads(row["storage"])
    return DataConnector(
        id=row["id"],
        name=row["name"],
        namespace=row["namespace"],
        slug=row["slug"],
        visibility=Visibility(row["visibility"]),
        description=row["description"],
        keywords=tuple(json.loads(row["keywords"])),
        storage=Storage(**storage),
        created_by=row["created_by"],
        creation_date=datetime.fromisoformat(row["creation_date"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        doi=row["doi"],
        publisher=row["publisher"],
    )


class EmbeddedConnectors:
    """A `ConnectorStore` in the embedded SQLite database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def insert(self, draft: DataConnectorDraft, created_by: str) -> DataConnector:
        """Store a new connector; CONFLICT when its namespace/slug or DOI is taken."""
        stamp = datetime.now(UTC)
        connector = DataConnector(
            id=str(ULID()),
            name=draft.name,
            namespace=draft.namespace,
            slug=draft.slug,
            visibility=draft.visibility,
            description=draft.description,
            keywords=draft.keywords,
            storage=draft.storage,
            created_by=created_by,
            creation_date=stamp,
            updated_at=stamp,
            doi=draft.doi,
            publisher=draft.publisher,
        )
        try:
            with self._db.connect() as db:
                db.execute(
                    f"INSERT INTO connectors ({COLUMNS}) VALUES ({', '.join('?' * 13)})",
                    _values(connector),
                )
        except sqlite3.IntegrityError as exc:
            where = draft.doi if draft.doi else f"{draft.namespace}/{draft.slug}"
            raise DomainError(
                ErrorCode.CONFLICT,
                f"A data connector already exists at {where}; choose another `slug`.",
                field="doi" if draft.doi else "slug",
            ) from exc
        return connector

    def _one(self, where: str, *args: object) -> DataConnector | None:
        with self._db.connect() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM connectors WHERE {where}", args).fetchone()
        return None if row is None else connector_of(row)

    def get(self, connector_id: str) -> DataConnector | None:
        """The connector with this id."""
        return self._one("id = ?", connector_id)

    def get_by_slug(self, namespace: str, slug: str) -> DataConnector | None:
        """The connector at namespace/slug."""
        return self._one("namespace = ? AND slug = ?", namespace, slug)

    def get_by_doi(self, doi: str) -> DataConnector | None:
        """The global connector of this DOI."""
        return self._one("doi = ?", doi)

    def update(self, connector_id: str, if_match: str, patch: DataConnectorPatch) -> DataConnector:
        """Apply `patch` when `if_match` is the current etag; CONFLICT when it is not."""
        with self._db.connect() as db:
            row = db.execute(
                f"SELECT {COLUMNS} FROM connectors WHERE id = ?", (connector_id,)
            ).fetchone()
            if row is None:
                raise _not_found(connector_id)
            current = connector_of(row)
            if current.etag != if_match:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    "The data connector changed since you read it; read its `etag` again.",
                    field="ifMatch",
                )
            changes = {k: v for k, v in _patch_fields(patch).items() if v is not None}
            changed = replace(current, updated_at=datetime.now(UTC), **changes)
            db.execute(
                "UPDATE connectors SET name = ?, visibility = ?, description = ?, keywords = ?, "
                "storage = ?, updated_at = ? WHERE id = ?",
                (
                    changed.name,
                    changed.visibility.value,
                    changed.description,
                    json.dumps(changed.keywords),
                    _storage_json(changed.storage),
                    changed.updated_at.isoformat(),
                    connector_id,
                ),
            )
        return changed

    def delete(self, connector_id: str) -> None:
        """Delete the connector, its links and the secrets saved for it."""
        with self._db.connect() as db:
            db.execute(
                "DELETE FROM secrets WHERE id IN "
                "(SELECT secret_id FROM connector_secrets WHERE connector_id = ?)",
                (connector_id,),
            )
            db.execute("DELETE FROM connectors WHERE id = ?", (connector_id,))

    def search(
        self, readable: Collection[str] | None, namespace: str | None, offset: int, first: int
    ) -> Page:
        """Public connectors and those in `readable` namespaces (None: all), by creation."""
        conditions, args = ["1 = 1"], []
        if readable is not None:
            names = sorted(readable)
            conditions.append(f"(visibility = 'PUBLIC' OR namespace IN {in_clause(names)})")
            args += names
        if namespace is not None:
            conditions.append("namespace = ?")
            args.append(namespace)
        where = " AND ".join(conditions)
        with self._db.connect() as db:
            total = db.execute(f"SELECT COUNT(*) FROM connectors WHERE {where}", args).fetchone()
            rows = db.execute(
                f"SELECT {COLUMNS} FROM connectors WHERE {where} "
                "ORDER BY creation_date, id LIMIT ? OFFSET ?",
                (*args, first + 1, offset),
            ).fetchall()
        return page_of([connector_of(r) for r in rows], offset, first, total[0])

    def link(self, connector_id: str, project_id: str, created_by: str) -> Link:
        """Link a connector to a project; CONFLICT when already linked."""
        link = Link(str(ULID()), connector_id, project_id, created_by)
        try:
            with self._db.connect() as db:
                db.execute(
                    "INSERT INTO links (id, connector_id, project_id, created_by, creation_date) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (link.id, connector_id, project_id, created_by, now()),
                )
        except sqlite3.IntegrityError as exc:
            raise DomainError(
                ErrorCode.CONFLICT,
                "The data connector is already linked to this project.",
                field="dataConnectorId",
            ) from exc
        return link

    def unlink(self, connector_id: str, project_id: str) -> bool:
        """Remove the link; False when there was none."""
        with self._db.connect() as db:
            gone = db.execute(
                "DELETE FROM links WHERE connector_id = ? AND project_id = ?",
                (connector_id, project_id),
            )
            return gone.rowcount > 0

    def project_links(self, project_id: str) -> list[tuple[Link, DataConnector]]:
        """The project's links with their connectors, oldest first."""
        prefixed = ", ".join(f"c.{c.strip()}" for c in COLUMNS.split(","))
        with self._db.connect() as db:
            rows = db.execute(
                f"SELECT l.id AS link_id, l.created_by AS linked_by, {prefixed} FROM links l "
                "JOIN connectors c ON c.id = l.connector_id WHERE l.project_id = ? "
                "ORDER BY l.creation_date, l.id",
                (project_id,),
            ).fetchall()
        return [
            (Link(r["link_id"], r["id"], project_id, r["linked_by"]), connector_of(r)) for r in rows
        ]


def _values(c: DataConnector) -> tuple[object, ...]:
    return (
        c.id,
        c.name,
        c.namespace,
        c.slug,
        c.visibility.value,
        c.description,
        json.dumps(c.keywords),
        _storage_json(c.storage),
        c.created_by,
        c.creation_date.isoformat(),
        c.updated_at.isoformat(),
        c.doi,
        c.publisher,
    )


def _patch_fields(patch: DataConnectorPatch) -> dict[str, Any]:
    return {
        "name": patch.name,
        "visibility": patch.visibility,
        "description": patch.description,
        "keywords": patch.keywords,
        "storage": patch.storage,
    }


def _not_found(connector_id: str) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOUND, f"There is no data connector {connector_id!r}.", "dataConnectorId"
    )
