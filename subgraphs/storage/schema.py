"""The storage subgraph's GraphQL schema: data connectors, secrets, slots and storage types.

Queries report bad arguments as GraphQL errors with `extensions.code`; mutations report every
refusal as typed `errors` in their payload. Types live in `types`, use cases in `core`.
"""

from __future__ import annotations

import asyncio

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.storage import core, core_secrets, models
from renku_fed.subgraphs.storage.mutations import Mutation
from renku_fed.subgraphs.storage.types import (
    DataConnector,
    DataConnectorConnection,
    Info,
    Project,
    Secret,
    SecretConnection,
    StorageTypeInfo,
    User,
)


async def resolve_data_connector(info: Info, id: strawberry.ID) -> DataConnector | None:
    """One data connector, null when missing or hidden."""
    return await DataConnector.resolve_reference(info, id)


async def resolve_by_slug(info: Info, namespace: str, slug: str) -> DataConnector | None:
    """The data connector at namespace/slug, null when missing or hidden."""
    service = info.context.backend
    found = await asyncio.to_thread(service.connectors.get_by_slug, namespace, slug)
    return (
        None
        if found is None
        else await DataConnector.resolve_reference(info, strawberry.ID(found.id))
    )


async def resolve_data_connectors(
    info: Info, namespace: str | None = None, first: int | None = 20, after: str | None = None
) -> DataConnectorConnection:
    """The data connectors you may see, optionally of one namespace."""
    service, page = info.context.backend, PageRequest.of(first, after)
    found = await core.search_connectors(service, info.context.identity, namespace, page)
    return DataConnectorConnection.from_page(
        found, lambda c: DataConnector.from_model(c, service), after
    )


async def resolve_my_secrets(
    info: Info,
    kind: models.SecretKind | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> SecretConnection:
    """Your secrets, by name; never their values."""
    page = PageRequest.of(first, after)
    found = await core_secrets.my_secrets(info.context.backend, info.context.identity, kind, page)
    return SecretConnection.from_page(found, Secret.from_model, after)


def resolve_storage_types(info: Info) -> list[StorageTypeInfo]:
    """The storage types rclone offers, with their options."""
    kinds = info.context.backend.providers.types.values()
    return [StorageTypeInfo.from_model(kind) for kind in sorted(kinds, key=lambda k: k.name)]


@strawberry.type
class Query:
    """Find data connectors, your secrets and the storage types."""

    data_connector: DataConnector | None = strawberry.field(
        resolver=resolve_data_connector, description="The data connector with this id."
    )
    data_connector_by_slug: DataConnector | None = strawberry.field(
        resolver=resolve_by_slug, description="The data connector at namespace/slug."
    )
    data_connectors: DataConnectorConnection = strawberry.field(
        resolver=resolve_data_connectors,
        description="Public data connectors and those of your namespaces.",
    )
    my_secrets: SecretConnection = strawberry.field(
        resolver=resolve_my_secrets,
        directives=[Authenticated()],
        description="Your secrets (names and kinds; values are never shown).",
    )
    storage_types: list[StorageTypeInfo] = strawberry.field(
        resolver=resolve_storage_types,
        description="The storage types and options of rclone, which mounts data connectors.",
    )


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[User, Project, DataConnector],
    extensions=[mask_errors],
)
