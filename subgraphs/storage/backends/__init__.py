"""What the storage use cases call: the connector and secret stores, and who may do what."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.storage.backends.doi import Deposit
from renku_fed.subgraphs.storage.models import (
    DataConnector,
    DataConnectorDraft,
    DataConnectorPatch,
    Link,
    Page,
    Role,
    Secret,
    SecretKind,
    SecretSlot,
)
from renku_fed.subgraphs.storage.providers import ProviderSchema

__all__ = [
    "AccessDirectory",
    "ConnectorStore",
    "DoiResolver",
    "ProjectAccess",
    "SecretStore",
    "StorageService",
]


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    """A project as the projects subgraph shows it to a caller."""

    id: str
    namespace: str
    slug: str
    can_write: bool


class AccessDirectory(Protocol):
    """The caller's namespace roles (users subgraph) and project rights (projects subgraph)."""

    async def namespace_roles(self, caller: Identity) -> Mapping[str, Role]:
        """The caller's role in their own namespace and each of their groups, by slug."""
        ...

    async def project(self, caller: Identity, project_id: str) -> ProjectAccess | None:
        """The project if the caller may see it."""
        ...


class ConnectorStore(Protocol):
    """Data connectors and their links to projects."""

    def insert(self, draft: DataConnectorDraft, created_by: str) -> DataConnector:
        """Store a new connector; CONFLICT when its namespace/slug or DOI is taken."""
        ...

    def get(self, connector_id: str) -> DataConnector | None:
        """The connector with this id."""
        ...

    def get_by_slug(self, namespace: str, slug: str) -> DataConnector | None:
        """The connector at namespace/slug."""
        ...

    def get_by_doi(self, doi: str) -> DataConnector | None:
        """The global connector of this DOI."""
        ...

    def update(self, connector_id: str, if_match: str, patch: DataConnectorPatch) -> DataConnector:
        """Apply `patch` when `if_match` is the current etag; CONFLICT when it is not."""
        ...

    def delete(self, connector_id: str) -> None:
        """Delete the connector, its links and the secrets saved for it."""
        ...

    def search(
        self, readable: Collection[str] | None, namespace: str | None, offset: int, first: int
    ) -> Page:
        """Public connectors and those in `readable` namespaces (None: all), by creation."""
        ...

    def link(self, connector_id: str, project_id: str, created_by: str) -> Link:
        """Link a connector to a project; CONFLICT when already linked."""
        ...

    def unlink(self, connector_id: str, project_id: str) -> bool:
        """Remove the link; False when there was none."""
        ...

    def project_links(self, project_id: str) -> list[tuple[Link, DataConnector]]:
        """The project's links with their connectors, oldest first."""
        ...


class SecretStore(Protocol):
    """Users' encrypted secrets and the project slots they fill."""

    def create(self, owner: str, name: str, kind: SecretKind, value: str) -> Secret:
        """Encrypt and store a secret; CONFLICT when the owner has one of that name."""
        ...

    def update(self, owner: str, secret_id: str, name: str | None, value: str | None) -> Secret:
        """Rename or replace the value of one of the owner's secrets."""
        ...

    def delete(self, owner: str, secret_id: str) -> bool:
        """Delete one of the owner's secrets; False when they have none with that id."""
        ...

    def get(self, owner: str, secret_id: str) -> Secret | None:
        """One of the owner's secrets (metadata only)."""
        ...

    def search(self, owner: str, kind: SecretKind | None, offset: int, first: int) -> Page:
        """The owner's secrets by name."""
        ...

    def save_connector_credentials(
        self, owner: str, connector: DataConnector, values: Mapping[str, str]
    ) -> list[Secret]:
        """Store the owner's credentials (option to value) for a connector as STORAGE secrets."""
        ...

    def connector_credentials(
        self, owner: str, connector_ids: Sequence[str]
    ) -> dict[str, dict[str, str]]:
        """The owner's decrypted credentials for these connectors: by connector, by option."""
        ...

    def rotate(self) -> int:
        """Re-encrypt every value with the first key; how many were re-encrypted."""
        ...

    def slots(self, project_id: str) -> list[SecretSlot]:
        """The project's secret slots by name."""
        ...

    def get_slot(self, slot_id: str) -> SecretSlot | None:
        """The slot with this id."""
        ...

    def add_slot(
        self, project_id: str, name: str, description: str | None, filename: str
    ) -> SecretSlot:
        """A new slot; CONFLICT when the project has one with that filename."""
        ...

    def delete_slot(self, slot_id: str) -> bool:
        """Delete the slot and every user's value of it."""
        ...

    def fill_slot(self, slot_id: str, owner: str, secret_id: str | None) -> None:
        """Fill the slot with one of the owner's secrets, or empty it (None)."""
        ...

    def slot_secret(self, slot_id: str, owner: str) -> str | None:
        """The id of the owner's secret filling the slot."""
        ...

    def slot_values(self, project_id: str, owner: str) -> dict[str, str]:
        """The owner's decrypted values of the project's filled slots, by slot id."""
        ...

    def mount_directory(self, project_id: str) -> str | None:
        """Where the project's sessions get its secrets, when set."""
        ...

    def set_mount_directory(self, project_id: str, directory: str) -> None:
        """Set where the project's sessions get its secrets."""
        ...


@dataclass(frozen=True)
class StorageService:
    """What the storage resolvers reach as `info.context.backend`."""

    connectors: ConnectorStore
    secrets: SecretStore
    access: AccessDirectory
    providers: ProviderSchema
    doi: DoiResolver
    secrets_mount_directory: str


class DoiResolver(Protocol):
    """Looks a DOI's deposit up."""

    async def resolve(self, doi: str) -> Deposit:
        """The deposit of `doi`."""
        ...
