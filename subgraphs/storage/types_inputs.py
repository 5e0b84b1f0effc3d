"""The storage subgraph's mutation inputs and payloads; each payload carries typed `errors`."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from renku_fed.subgraphs.common.errors import UserError
from renku_fed.subgraphs.storage import core, models
from renku_fed.subgraphs.storage.types import DataConnector, DataConnectorLink, Secret, SecretSlot


@strawberry.input(description="Where a connector's data lives and where sessions see it.")
class StorageInput:
    """rclone options (with `type`) and mount paths."""

    configuration: JSON = strawberry.field(
        description="rclone options with `type` (e.g. {type: s3, provider: AWS, region: ...}); "
        "credential options given here are saved as your STORAGE secrets, not in the connector."
    )
    target_path: str = strawberry.field(description="Relative path in the session, e.g. data/x.")
    source_path: str = strawberry.field(default="", description="Path in the remote (bucket).")
    read_only: bool = strawberry.field(default=True, description="Mount read-only.")

    def to_model(self) -> core.StorageInput:
        """The use cases' form of the storage."""
        configuration = self.configuration if isinstance(self.configuration, dict) else {}
        return core.StorageInput(configuration, self.source_path, self.target_path, self.read_only)


@strawberry.input(description="A new data connector in a namespace you edit.")
class CreateDataConnectorInput:
    """A new data connector."""

    name: str
    namespace: str = strawberry.field(
        description="Your own namespace (`User.namespace`) or a group's slug."
    )
    storage: StorageInput
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    visibility: models.Visibility = models.Visibility.PRIVATE
    description: str | None = None
    keywords: list[str] = strawberry.field(default_factory=list)

    def to_model(self) -> core.ConnectorInput:
        """The use cases' form of the input."""
        return core.ConnectorInput(
            name=self.name,
            namespace=self.namespace,
            storage=self.storage.to_model(),
            slug=self.slug,
            visibility=self.visibility,
            description=self.description,
            keywords=tuple(self.keywords),
        )


@strawberry.input(description="Changes to a data connector; omitted fields stay as they are.")
class UpdateDataConnectorInput:
    """Changes to a data connector."""

    name: str | None = None
    visibility: models.Visibility | None = None
    description: str | None = None
    keywords: list[str] | None = None
    storage: StorageInput | None = None

    def to_patch(self) -> models.DataConnectorPatch:
        """The change, storage aside (it is checked on its own)."""
        return models.DataConnectorPatch(
            name=self.name,
            visibility=self.visibility,
            description=self.description,
            keywords=None if self.keywords is None else tuple(self.keywords),
        )


@strawberry.input(description="A credential of a data connector: the option and its value.")
class CredentialInput:
    """One credential option's value."""

    name: str = strawberry.field(description="The option, one of `storage.sensitiveFields`.")
    value: str


@strawberry.type(description="The data connector changed, or why not.")
class DataConnectorPayload:
    """A connector and the secrets its credentials were saved as."""

    data_connector: DataConnector | None
    secrets: list[Secret] = strawberry.field(description="Credentials saved as your secrets.")
    errors: list[UserError]


@strawberry.type(description="The id of what was deleted, or why not.")
class StorageDeletionPayload:
    """A deletion's outcome."""

    id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type(description="The link made, or why not.")
class DataConnectorLinkPayload:
    """A link's outcome."""

    link: DataConnectorLink | None
    errors: list[UserError]


@strawberry.type(description="The secret (never its value), or why not.")
class SecretPayload:
    """A secret's outcome."""

    secret: Secret | None
    errors: list[UserError]


@strawberry.type(description="The secrets saved, or why not.")
class SecretsPayload:
    """Saved credentials."""

    secrets: list[Secret]
    errors: list[UserError]


@strawberry.type(description="The secret slot, or why not.")
class SecretSlotPayload:
    """A slot's outcome."""

    secret_slot: SecretSlot | None
    errors: list[UserError]


@strawberry.type(description="How many secrets were re-encrypted with the first key.")
class RotateSecretsKeysPayload:
    """A rotation's outcome."""

    reencrypted: int
    errors: list[UserError]


@strawberry.type(description="The project's secrets mount directory, or why not.")
class SecretsMountDirectoryPayload:
    """A mount directory change's outcome."""

    secrets_mount_directory: str | None
    errors: list[UserError]
