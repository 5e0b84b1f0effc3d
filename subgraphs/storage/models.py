"""Plain domain types of the storage subgraph: data connectors, secrets and secret slots."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any


class Visibility(Enum):
    """Who may see a data connector."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Role(Enum):
    """A caller's role in a namespace; each role includes the rights of the ones before it."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    OWNER = "OWNER"

    def includes(self, other: Role) -> bool:
        """True when this role has at least the rights of `other`."""
        order = (Role.VIEWER, Role.EDITOR, Role.OWNER)
        return order.index(self) >= order.index(other)


class SecretKind(Enum):
    """What a user secret is for: any use, or a data connector's credential."""

    GENERAL = "GENERAL"
    STORAGE = "STORAGE"


@dataclass(frozen=True, slots=True)
class Storage:
    """Where a connector's data lives: an rclone remote and how it is mounted."""

    type: str
    configuration: Mapping[str, Any]
    source_path: str
    target_path: str
    read_only: bool = True


@dataclass(frozen=True, slots=True)
class DataConnector:
    """A stored data connector; credentials are never part of `storage.configuration`."""

    id: str
    name: str
    namespace: str | None
    slug: str
    visibility: Visibility
    description: str | None
    keywords: tuple[str, ...]
    storage: Storage
    created_by: str
    creation_date: datetime
    updated_at: datetime
    doi: str | None = None
    publisher: str | None = None

    @property
    def etag(self) -> str:
        """Changes whenever the connector does; `updateDataConnector` takes it as `ifMatch`."""
        return hashlib.sha256(f"{self.id}:{self.updated_at.isoformat()}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class DataConnectorDraft:
    """A validated new connector, before it has an id."""

    name: str
    namespace: str | None
    slug: str
    visibility: Visibility
    description: str | None
    keywords: tuple[str, ...]
    storage: Storage
    doi: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class DataConnectorPatch:
    """Changes to a connector; None leaves a field as it is."""

    name: str | None = None
    visibility: Visibility | None = None
    description: str | None = None
    keywords: tuple[str, ...] | None = None
    storage: Storage | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A data connector linked to a project."""

    id: str
    data_connector_id: str
    project_id: str
    created_by: str


@dataclass(frozen=True, slots=True)
class Secret:
    """A user secret's metadata; its value is only ever held encrypted by the store."""

    id: str
    owner: str
    name: str
    kind: SecretKind
    modification_date: datetime
    data_connector_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecretSlot:
    """A file a project's sessions get, filled by each user with one of their own secrets."""

    id: str
    project_id: str
    name: str
    description: str | None
    filename: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, with a cursor per item and the whole result's size."""

    items: Sequence[Any]
    cursors: Sequence[str]
    total: int
    has_next: bool
