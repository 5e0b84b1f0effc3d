"""The storage subgraph's GraphQL types: `DataConnector`, `Secret`, secret slots, the storage
types rclone offers, and the `Project` and `User` entities they meet.

Each type that shows a domain object is built by `from_model`. No type has a field that shows
a secret's value: values go in through mutations and out only to sessions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

import strawberry
from strawberry.scalars import JSON

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.pagination import (
    Connection,
    Edge,
    PageInfo,
    PageRequest,
    encode_cursor,
)
from renku_fed.subgraphs.storage import core, core_secrets, models
from renku_fed.subgraphs.storage.backends import StorageService
from renku_fed.subgraphs.storage.providers import ProviderOption, StorageType

Info: TypeAlias = strawberry.Info[RequestContext[StorageService], None]

strawberry.enum(models.Visibility, description="Who may see a project.")
strawberry.enum(models.SecretKind, description="What a secret is for.")


@strawberry.federation.type(keys=["id"], description="A Renku account, owned by `users`.")
class User:
    """The users subgraph's entity, as the creator of a data connector."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A reference to any user."""
        return cls(id=id)


@strawberry.type(description="Where a data connector's data lives and where sessions see it.")
class DataConnectorStorage:
    """An rclone remote: its type, options (credentials masked) and mount paths."""

    type: str = strawberry.field(description="The rclone storage type (`s3`, `webdav`...).")
    configuration: JSON = strawberry.field(
        description="rclone options; each credential shows as `<sensitive>`."
    )
    source_path: str = strawberry.field(description="The path in the remote, e.g. bucket/folder.")
    target_path: str = strawberry.field(description="Where sessions see it, in their work folder.")
    read_only: bool = strawberry.field(description="Sessions mount it read-only.")
    sensitive_fields: list[str] = strawberry.field(
        description="The configured options that hold credentials: each user saves their own."
    )


@strawberry.federation.type(keys=["id"], description="Remote data that sessions mount.")
class DataConnector:
    """A data connector, as the caller may see it."""

    id: strawberry.ID
    name: str
    namespace: str | None = strawberry.field(description="Null for a global connector (a DOI).")
    slug: str
    visibility: models.Visibility
    description: str | None
    keywords: list[str]
    storage: DataConnectorStorage
    created_by: User
    creation_date: datetime
    etag: str = strawberry.field(description="Send it as `ifMatch` to change the connector.")
    doi: str | None = strawberry.field(description="The deposit's DOI, for global connectors.")
    publisher: str | None = strawberry.field(description="The deposit's publisher.")

    @classmethod
    def from_model(cls, connector: models.DataConnector, service: StorageService) -> DataConnector:
        """The GraphQL view of a connector, its credentials masked."""
        storage = connector.storage
        return cls(
            id=strawberry.ID(connector.id),
            name=connector.name,
            namespace=connector.namespace,
            slug=connector.slug,
            visibility=connector.visibility,
            description=connector.description,
            keywords=list(connector.keywords),
            storage=DataConnectorStorage(
                type=storage.type,
                configuration=JSON(core.masked(service, storage)),
                source_path=storage.source_path,
                target_path=storage.target_path,
                read_only=storage.read_only,
                sensitive_fields=core.sensitive_fields(service, storage),
            ),
            created_by=User(id=strawberry.ID(connector.created_by)),
            creation_date=connector.creation_date,
            etag=connector.etag,
            doi=connector.doi,
            publisher=connector.publisher,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> DataConnector | None:
        """The connector, null when the caller may not see it."""
        service = info.context.backend
        found = await core.find_connector(service, info.context.identity, str(id))
        return None if found is None else cls.from_model(found, service)


@strawberry.type(description="A data connector's connection.")
class DataConnectorEdge(Edge[DataConnector]):
    """An edge of a data connector connection."""


@strawberry.type(description="A page of data connectors.")
class DataConnectorConnection(Connection[DataConnector]):
    """A page of data connectors."""

    edges: Sequence[DataConnectorEdge]


@strawberry.type(description="A user secret; its value is never shown.")
class Secret:
    """A secret's name and kind, without its value."""

    id: strawberry.ID
    name: str
    kind: models.SecretKind
    modification_date: datetime
    data_connector_ids: list[strawberry.ID] = strawberry.field(
        description="The data connectors whose credential it is (STORAGE secrets)."
    )

    @classmethod
    def from_model(cls, secret: models.Secret) -> Secret:
        """The GraphQL view of a secret: never its value."""
        return cls(
            id=strawberry.ID(secret.id),
            name=secret.name,
            kind=secret.kind,
            modification_date=secret.modification_date,
            data_connector_ids=[strawberry.ID(i) for i in secret.data_connector_ids],
        )


@strawberry.type(description="An edge of a secret connection.")
class SecretEdge(Edge[Secret]):
    """An edge of a secret connection."""


@strawberry.type(description="A page of the caller's secrets.")
class SecretConnection(Connection[Secret]):
    """A page of secrets."""

    edges: Sequence[SecretEdge]


async def resolve_slot_secret(root: SecretSlot, info: Info) -> Secret | None:
    """The caller's secret filling the slot."""
    caller, secrets = info.context.identity, info.context.backend.secrets
    if caller.subject is None:
        return None
    secret_id = await asyncio.to_thread(secrets.slot_secret, str(root.id), caller.subject)
    found = (
        None
        if secret_id is None
        else await asyncio.to_thread(secrets.get, caller.subject, secret_id)
    )
    return None if found is None else Secret.from_model(found)


@strawberry.type(description="A file a project's sessions get; each user fills it with a secret.")
class SecretSlot:
    """A project's secret slot."""

    id: strawberry.ID
    name: str
    description: str | None
    filename: str = strawberry.field(description="The file's name in the mount directory.")
    my_secret: Secret | None = strawberry.field(
        resolver=resolve_slot_secret, description="Your secret filling it; null when empty."
    )

    @classmethod
    def from_model(cls, slot: models.SecretSlot) -> SecretSlot:
        """The GraphQL view of a slot."""
        return cls(
            id=strawberry.ID(slot.id),
            name=slot.name,
            description=slot.description,
            filename=slot.filename,
        )


@strawberry.type(description="A data connector linked to a project.")
class DataConnectorLink:
    """A link and its connector."""

    id: strawberry.ID
    data_connector: DataConnector
    project_id: strawberry.ID
    created_by: User


@strawberry.type(description="An edge of a project's data connector links.")
class DataConnectorLinkEdge(Edge[DataConnectorLink]):
    """An edge of a link connection."""


@strawberry.type(description="A page of a project's data connectors you may see.")
class DataConnectorLinkConnection(Connection[DataConnectorLink]):
    """A page of links, and how many links you may not see."""

    edges: Sequence[DataConnectorLinkEdge]
    hidden_count: int = strawberry.field(
        default=0, description="Links to data connectors you may not see."
    )


async def resolve_project_connectors(
    root: Project, info: Info, first: int | None = 20, after: str | None = None
) -> DataConnectorLinkConnection:
    """The project's data connectors the caller may see."""
    service, caller = info.context.backend, info.context.identity
    page = PageRequest.of(first, after)
    links, hidden = await core.project_connectors(service, caller, str(root.id))
    offset = int((page.after or {}).get("o", 0))
    shown = links[offset : offset + page.first]
    edges = [
        DataConnectorLinkEdge(
            cursor=encode_cursor({"o": offset + i + 1}),
            node=DataConnectorLink(
                id=strawberry.ID(link.id),
                data_connector=DataConnector.from_model(c, service),
                project_id=root.id,
                created_by=User(id=strawberry.ID(link.created_by)),
            ),
        )
        for i, (link, c) in enumerate(shown)
    ]
    cursors = [edge.cursor for edge in edges]
    has_next = offset + page.first < len(links)
    return DataConnectorLinkConnection(
        edges=edges,
        page_info=PageInfo.of(cursors, has_next, after),
        total_count=len(links),
        hidden_count=hidden,
    )


async def resolve_secret_slots(root: Project, info: Info) -> list[SecretSlot]:
    """The project's secret slots."""
    slots = await asyncio.to_thread(info.context.backend.secrets.slots, str(root.id))
    return [SecretSlot.from_model(slot) for slot in slots]


async def resolve_mount_directory(root: Project, info: Info) -> str:
    """Where the project's sessions get their secret slots."""
    return await core_secrets.mount_directory(info.context.backend, str(root.id))


@strawberry.federation.type(keys=["id"])
class Project:
    """The project entity, extended with its data connectors and secret slots."""

    id: strawberry.ID
    data_connectors: DataConnectorLinkConnection = strawberry.field(
        resolver=resolve_project_connectors,
        description="The project's data connectors you may see; `hiddenCount` counts the rest.",
    )
    secret_slots: list[SecretSlot] = strawberry.field(
        resolver=resolve_secret_slots,
        description="The files its sessions get, each filled by every user with their secret.",
    )
    secrets_mount_directory: str = strawberry.field(
        resolver=resolve_mount_directory,
        description="Where sessions get the secret slots' files (default /secrets).",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Project:
        """A project stub; the projects subgraph decided the caller may see it."""
        return cls(id=id)


@strawberry.type(description="One option of a storage type, from rclone's schema.")
class StorageOption:
    """An rclone option."""

    name: str
    help: str
    type: str
    required: bool
    sensitive: bool
    advanced: bool
    provider: str = strawberry.field(description="The providers it exists for (`!` negates).")
    examples: list[str]
    exclusive: bool = strawberry.field(description="The value must be one of `examples`.")

    @classmethod
    def from_model(cls, option: ProviderOption) -> StorageOption:
        """The GraphQL view of an option."""
        return cls(
            name=option.name,
            help=option.help,
            type=option.type,
            required=option.required,
            sensitive=option.sensitive,
            advanced=option.advanced,
            provider=option.provider,
            examples=list(option.examples),
            exclusive=option.exclusive,
        )


@strawberry.type(description="A storage type rclone offers.")
class StorageTypeInfo:
    """An rclone backend and its options."""

    name: str
    description: str
    options: list[StorageOption]

    @classmethod
    def from_model(cls, kind: StorageType) -> StorageTypeInfo:
        """The GraphQL view of a storage type."""
        return cls(
            name=kind.name,
            description=kind.description,
            options=[StorageOption.from_model(o) for o in kind.options],
        )
