"""The embedded secret store: users' secrets encrypted in SQLite, and project slots."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime

from ulid import ULID

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.storage.backends.database import Database, in_clause, now, page_of
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.models import (
    DataConnector,
    Page,
    Secret,
    SecretKind,
    SecretSlot,
)

SECRET_COLUMNS = (
    "s.id, s.owner, s.name, s.kind, s.modification_date, (SELECT group_concat(connector_id) "
    "FROM connector_secrets c WHERE c.secret_id = s.id) AS connectors"
)


def _secret_of(row: sqlite3.Row) -> Secret:
    return Secret(
        id=row["id"],
        owner=row["owner"],
        name=row["name"],
        kind=SecretKind(row["kind"]),
        modification_date=datetime.fromisoformat(row["modification_date"]),
        data_connector_ids=tuple(sorted(set((row["connectors"] or "").split(",")) - {""})),
    )


def _slot_of(row: sqlite3.Row) -> SecretSlot:
    return SecretSlot(
        row["id"], row["project_id"], row["name"], row["description"], row["filename"]
    )


def _taken(name: str) -> DomainError:
    return DomainError(
        ErrorCode.CONFLICT,
        f"You already have a secret named {name!r}; choose another name.",
        field="name",
    )


class EmbeddedSecrets:
    """A `SecretStore` in the embedded SQLite database, values encrypted by `box`."""

    def __init__(self, database: Database, box: SecretBox) -> None:
        self._db = database
        self._box = box

    def create(self, owner: str, name: str, kind: SecretKind, value: str) -> Secret:
        """Encrypt and store a secret; CONFLICT when the owner has one of that name."""
        secret_id = str(ULID())
        try:
            with self._db.connect() as db:
                db.execute(
                    "INSERT INTO secrets (id, owner, name, kind, value, modification_date) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (secret_id, owner, name, kind.value, self._box.encrypt(value), now()),
                )
        except sqlite3.IntegrityError as exc:
            raise _taken(name) from exc
        return self._require(owner, secret_id)

    def _require(self, owner: str, secret_id: str) -> Secret:
        secret = self.get(owner, secret_id)
        if secret is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, f"You have no secret {secret_id!r}.", field="secretId"
            )
        return secret

    def update(self, owner: str, secret_id: str, name: str | None, value: str | None) -> Secret:
        """Rename or replace the value of one of the owner's secrets."""
        current = self._require(owner, secret_id)
        try:
            with self._db.connect() as db:
                if value is not None:
                    db.execute(
                        "UPDATE secrets SET value = ? WHERE id = ?",
                        (self._box.encrypt(value), secret_id),
                    )
                db.execute(
                    "UPDATE secrets SET name = ?, modification_date = ? WHERE id = ?",
                    (name or current.name, now(), secret_id),
                )
        except sqlite3.IntegrityError as exc:
            raise _taken(name or current.name) from exc
        return self._require(owner, secret_id)

    def delete(self, owner: str, secret_id: str) -> bool:
        """Delete one of the owner's secrets; False when they have none with that id."""
        with self._db.connect() as db:
            gone = db.execute("DELETE FROM secrets WHERE id = ? AND owner = ?", (secret_id, owner))
            return gone.rowcount > 0

    def get(self, owner: str, secret_id: str) -> Secret | None:
        """One of the owner's secrets (metadata only)."""
        with self._db.connect() as db:
            row = db.execute(
                f"SELECT {SECRET_COLUMNS} FROM secrets s WHERE s.id = ? AND s.owner = ?",
                (secret_id, owner),
            ).fetchone()
        return None if row is None else _secret_of(row)

    def search(self, owner: str, kind: SecretKind | None, offset: int, first: int) -> Page:
        """The owner's secrets by name."""
        where, args = "s.owner = ?", [owner]
        if kind is not None:
            where, args = where + " AND s.kind = ?", [owner, kind.value]
        with self._db.connect() as db:
            total = db.execute(f"SELECT COUNT(*) FROM secrets s WHERE {where}", args).fetchone()
            rows = db.execute(
                f"SELECT {SECRET_COLUMNS} FROM secrets s WHERE {where} "
                "ORDER BY s.name LIMIT ? OFFSET ?",
                (*args, first + 1, offset),
            ).fetchall()
        return page_of([_secret_of(r) for r in rows], offset, first, total[0])

    def save_connector_credentials(
        self, owner: str, connector: DataConnector, values: Mapping[str, str]
    ) -> list[Secret]:
        """Store the owner's credentials (option to value) for a connector as STORAGE secrets."""
        saved = []
        for option, value in sorted(values.items()):
            with self._db.connect() as db:
                row = db.execute(
                    "SELECT secret_id FROM connector_secrets "
                    "WHERE connector_id = ? AND owner = ? AND option = ?",
                    (connector.id, owner, option),
                ).fetchone()
            if row is not None:
                saved.append(self.update(owner, row["secret_id"], None, value))
                continue
            name = f"{connector.slug}-{option}-{connector.id[-6:].lower()}"
            secret = self.create(owner, name, SecretKind.STORAGE, value)
            with self._db.connect() as db:
                db.execute(
                    "INSERT INTO connector_secrets VALUES (?, ?, ?, ?)",
                    (connector.id, owner, option, secret.id),
                )
            saved.append(self._require(owner, secret.id))
        return saved

    def connector_credentials(
        self, owner: str, connector_ids: Sequence[str]
    ) -> dict[str, dict[str, str]]:
        """The owner's decrypted credentials for these connectors: by connector, by option."""
        with self._db.connect() as db:
            rows = db.execute(
                "SELECT c.connector_id, c.option, s.value FROM connector_secrets c JOIN secrets s "
                f"ON s.id = c.secret_id WHERE c.owner = ? AND c.connector_id IN "
                f"{in_clause(connector_ids)}",
                (owner, *connector_ids),
            ).fetchall()
        found: dict[str, dict[str, str]] = {}
        for row in rows:
            found.setdefault(row["connector_id"], {})[row["option"]] = self._box.decrypt(
                row["value"]
            )
        return found

    def rotate(self) -> int:
        """Re-encrypt every value with the first key; how many were re-encrypted."""
        with self._db.connect() as db:
            rows = db.execute("SELECT id, value FROM secrets").fetchall()
            for row in rows:
                db.execute(
                    "UPDATE secrets SET value = ? WHERE id = ?",
                    (self._box.rotate(row["value"]), row["id"]),
                )
        return len(rows)

    def slots(self, project_id: str) -> list[SecretSlot]:
        """The project's secret slots by name."""
        with self._db.connect() as db:
            rows = db.execute(
                "SELECT * FROM slots WHERE project_id = ? ORDER BY name, id", (project_id,)
            ).fetchall()
        return [_slot_of(row) for row in rows]

    def get_slot(self, slot_id: str) -> SecretSlot | None:
        """The slot with this id."""
        with self._db.connect() as db:
            row = db.execute("SELECT * FROM slots WHERE id = ?", (slot_id,)).fetchone()
        return None if row is None else _slot_of(row)

    def add_slot(
        self, project_id: str, name: str, description: str | None, filename: str
    ) -> SecretSlot:
        """A new slot; CONFLICT when the project has one with that filename."""
        slot = SecretSlot(str(ULID()), project_id, name, description, filename)
        try:
            with self._db.connect() as db:
                db.execute(
                    "INSERT INTO slots VALUES (?, ?, ?, ?, ?)",
                    (slot.id, project_id, name, description, filename),
                )
        except sqlite3.IntegrityError as exc:
            raise DomainError(
                ErrorCode.CONFLICT,
                f"The project already has a secret slot for the file {filename!r}; "
                "choose another `filename`.",
                field="filename",
            ) from exc
        return slot

    def delete_slot(self, slot_id: str) -> bool:
        """Delete the slot and every user's value of it."""
        with self._db.connect() as db:
            return db.execute("DELETE FROM slots WHERE id = ?", (slot_id,)).rowcount > 0

    def fill_slot(self, slot_id: str, owner: str, secret_id: str | None) -> None:
        """Fill the slot with one of the owner's secrets, or empty it (None)."""
        with self._db.connect() as db:
            db.execute("DELETE FROM slot_values WHERE slot_id = ? AND owner = ?", (slot_id, owner))
            if secret_id is not None:
                db.execute("INSERT INTO slot_values VALUES (?, ?, ?)", (slot_id, owner, secret_id))

    def slot_secret(self, slot_id: str, owner: str) -> str | None:
        """The id of the owner's secret filling the slot."""
        with self._db.connect() as db:
            row = db.execute(
                "SELECT secret_id FROM slot_values WHERE slot_id = ? AND owner = ?",
                (slot_id, owner),
            ).fetchone()
        return None if row is None else str(row["secret_id"])

    def slot_values(self, project_id: str, owner: str) -> dict[str, str]:
        """The owner's decrypted values of the project's filled slots, by slot id."""
        with self._db.connect() as db:
            rows = db.execute(
                "SELECT v.slot_id, s.value FROM slot_values v JOIN slots l ON l.id = v.slot_id "
                "JOIN secrets s ON s.id = v.secret_id WHERE l.project_id = ? AND v.owner = ?",
                (project_id, owner),
            ).fetchall()
        return {row["slot_id"]: self._box.decrypt(row["value"]) for row in rows}

    def mount_directory(self, project_id: str) -> str | None:
        """Where the project's sessions get its secrets, when set."""
        with self._db.connect() as db:
            row = db.execute(
                "SELECT directory FROM mount_directories WHERE project_id = ?", (project_id,)
            ).fetchone()
        return None if row is None else str(row["directory"])

    def set_mount_directory(self, project_id: str, directory: str) -> None:
        """Set where the project's sessions get its secrets."""
        with self._db.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO mount_directories VALUES (?, ?)", (project_id, directory)
            )
