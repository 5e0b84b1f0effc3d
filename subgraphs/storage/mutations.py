"""The storage subgraph's mutations: connectors and their links, secrets, slots, key rotation.

Every refusal comes back as typed `errors` in the payload, and nothing was changed then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.storage import core, core_secrets, models
from renku_fed.subgraphs.storage.types import (
    DataConnector,
    DataConnectorLink,
    Info,
    Secret,
    SecretSlot,
    User,
)
from renku_fed.subgraphs.storage.types_inputs import (
    CreateDataConnectorInput,
    CredentialInput,
    DataConnectorLinkPayload,
    DataConnectorPayload,
    RotateSecretsKeysPayload,
    SecretPayload,
    SecretSlotPayload,
    SecretsMountDirectoryPayload,
    SecretsPayload,
    StorageDeletionPayload,
    UpdateDataConnectorInput,
)

T = TypeVar("T")
P = TypeVar("P")


async def _outcome(
    change: Awaitable[T], ok: Callable[[T], P], failed: Callable[[list[UserError]], P]
) -> P:
    try:
        found = await change
    except DomainError as error:
        return failed([UserError.from_domain(error)])
    return ok(found)


def _connector_payload(
    info: Info,
) -> tuple[
    Callable[[tuple[models.DataConnector, list[models.Secret]]], DataConnectorPayload],
    Callable[[list[UserError]], DataConnectorPayload],
]:
    service = info.context.backend
    return (
        lambda done: DataConnectorPayload(
            data_connector=DataConnector.from_model(done[0], service),
            secrets=[Secret.from_model(s) for s in done[1]],
            errors=[],
        ),
        lambda errors: DataConnectorPayload(data_connector=None, secrets=[], errors=errors),
    )


async def create_data_connector(
    info: Info, input: CreateDataConnectorInput
) -> DataConnectorPayload:
    """Create a data connector; credentials in its configuration become your secrets."""
    change = core.create_connector(info.context.backend, info.context.identity, input.to_model())
    return await _outcome(change, *_connector_payload(info))


async def create_global_data_connector(info: Info, doi: str) -> DataConnectorPayload:
    """The public, read-only data connector of a DOI's deposit (the existing one if any)."""
    change = core.create_from_doi(info.context.backend, info.context.identity, doi)

    async def with_no_secrets() -> tuple[models.DataConnector, list[models.Secret]]:
        return await change, []

    return await _outcome(with_no_secrets(), *_connector_payload(info))


async def update_data_connector(
    info: Info, id: strawberry.ID, if_match: str, input: UpdateDataConnectorInput
) -> DataConnectorPayload:
    """Change a data connector when `ifMatch` is its etag."""
    storage = input.storage.to_model() if input.storage else None
    change = core.update_connector(
        info.context.backend, info.context.identity, str(id), if_match, input.to_patch(), storage
    )
    return await _outcome(change, *_connector_payload(info))


async def _deleted(change: Awaitable[None], id: strawberry.ID) -> StorageDeletionPayload:
    return await _outcome(
        change,
        lambda _: StorageDeletionPayload(id=id, errors=[]),
        lambda errors: StorageDeletionPayload(id=None, errors=errors),
    )


async def delete_data_connector(info: Info, id: strawberry.ID) -> StorageDeletionPayload:
    """Delete a data connector, its links and the credentials saved for it."""
    context = info.context
    return await _deleted(core.delete_connector(context.backend, context.identity, str(id)), id)


async def link_data_connector(
    info: Info, data_connector_id: strawberry.ID, project_id: strawberry.ID
) -> DataConnectorLinkPayload:
    """Link a data connector you see to a project you edit."""
    service, caller = info.context.backend, info.context.identity
    connector_id = str(data_connector_id)

    async def link() -> DataConnectorLink:
        made = await core.link_connector(service, caller, connector_id, str(project_id))
        connector = await core.readable_connector(service, caller, connector_id)
        return DataConnectorLink(
            id=strawberry.ID(made.id),
            data_connector=DataConnector.from_model(connector, service),
            project_id=project_id,
            created_by=User(id=strawberry.ID(made.created_by)),
        )

    return await _outcome(
        link(),
        lambda made: DataConnectorLinkPayload(link=made, errors=[]),
        lambda errors: DataConnectorLinkPayload(link=None, errors=errors),
    )


async def unlink_data_connector(
    info: Info, data_connector_id: strawberry.ID, project_id: strawberry.ID
) -> StorageDeletionPayload:
    """Remove a data connector from a project you edit."""
    change = core.unlink_connector(
        info.context.backend, info.context.identity, str(data_connector_id), str(project_id)
    )
    return await _deleted(change, data_connector_id)


def _secrets_payload(change: Awaitable[list[models.Secret]]) -> Awaitable[SecretsPayload]:
    return _outcome(
        change,
        lambda saved: SecretsPayload(secrets=[Secret.from_model(s) for s in saved], errors=[]),
        lambda errors: SecretsPayload(secrets=[], errors=errors),
    )


async def save_data_connector_credentials(
    info: Info, data_connector_id: strawberry.ID, credentials: list[CredentialInput]
) -> SecretsPayload:
    """Save your credentials for a data connector as STORAGE secrets."""
    values = {c.name: c.value for c in credentials}
    change = core.save_credentials(
        info.context.backend, info.context.identity, str(data_connector_id), values
    )
    return await _secrets_payload(change)


def _secret_payload(change: Awaitable[models.Secret]) -> Awaitable[SecretPayload]:
    return _outcome(
        change,
        lambda s: SecretPayload(secret=Secret.from_model(s), errors=[]),
        lambda errors: SecretPayload(secret=None, errors=errors),
    )


async def create_secret(
    info: Info, name: str, value: str, kind: models.SecretKind = models.SecretKind.GENERAL
) -> SecretPayload:
    """Save a secret, encrypted; its value is never shown again."""
    context = info.context
    change = core_secrets.create_secret(context.backend, context.identity, name, kind, value)
    return await _secret_payload(change)


async def update_secret(
    info: Info, id: strawberry.ID, name: str | None = None, value: str | None = None
) -> SecretPayload:
    """Rename one of your secrets or replace its value."""
    context = info.context
    change = core_secrets.update_secret(context.backend, context.identity, str(id), name, value)
    return await _secret_payload(change)


async def delete_secret(info: Info, id: strawberry.ID) -> StorageDeletionPayload:
    """Delete one of your secrets; the slots it filled are empty again."""
    context = info.context
    return await _deleted(
        core_secrets.delete_secret(context.backend, context.identity, str(id)), id
    )


def _slot_payload(change: Awaitable[models.SecretSlot]) -> Awaitable[SecretSlotPayload]:
    return _outcome(
        change,
        lambda s: SecretSlotPayload(secret_slot=SecretSlot.from_model(s), errors=[]),
        lambda errors: SecretSlotPayload(secret_slot=None, errors=errors),
    )


async def add_secret_slot(
    info: Info,
    project_id: strawberry.ID,
    name: str,
    filename: str,
    description: str | None = None,
) -> SecretSlotPayload:
    """Add a secret slot to a project you edit."""
    context = info.context
    change = core_secrets.add_slot(
        context.backend, context.identity, str(project_id), name, description, filename
    )
    return await _slot_payload(change)


async def delete_secret_slot(info: Info, id: strawberry.ID) -> StorageDeletionPayload:
    """Delete a secret slot of a project you edit."""
    context = info.context
    return await _deleted(core_secrets.delete_slot(context.backend, context.identity, str(id)), id)


async def set_secret_slot_value(
    info: Info, slot_id: strawberry.ID, secret_id: strawberry.ID | None
) -> SecretSlotPayload:
    """Fill a secret slot with one of your secrets (null empties it)."""
    context = info.context
    secret = None if secret_id is None else str(secret_id)
    change = core_secrets.fill_slot(context.backend, context.identity, str(slot_id), secret)
    return await _slot_payload(change)


async def set_secrets_mount_directory(
    info: Info, project_id: strawberry.ID, directory: str
) -> SecretsMountDirectoryPayload:
    """Set where a project's sessions get its secret slots."""
    context = info.context
    change = core_secrets.set_mount_directory(
        context.backend, context.identity, str(project_id), directory
    )
    return await _outcome(
        change,
        lambda d: SecretsMountDirectoryPayload(secrets_mount_directory=d, errors=[]),
        lambda errors: SecretsMountDirectoryPayload(secrets_mount_directory=None, errors=errors),
    )


async def rotate_secrets_keys(info: Info) -> RotateSecretsKeysPayload:
    """Re-encrypt every secret with the first key; admins only."""
    change = core_secrets.rotate_keys(info.context.backend, info.context.identity)
    return await _outcome(
        change,
        lambda n: RotateSecretsKeysPayload(reencrypted=n, errors=[]),
        lambda errors: RotateSecretsKeysPayload(reencrypted=0, errors=errors),
    )


@strawberry.type
class Mutation:
    """Manage data connectors, their links, your secrets and projects' secret slots."""

    create_data_connector: DataConnectorPayload = strawberry.mutation(
        resolver=create_data_connector,
        directives=[Authenticated()],
        description="Create a data connector; credential options become your STORAGE secrets.",
    )
    create_global_data_connector: DataConnectorPayload = strawberry.mutation(
        resolver=create_global_data_connector,
        directives=[Authenticated()],
        description="The public, read-only data connector of a DOI's deposit.",
    )
    update_data_connector: DataConnectorPayload = strawberry.mutation(
        resolver=update_data_connector,
        directives=[Authenticated()],
        description="Change a data connector; a stale `ifMatch` is a CONFLICT.",
    )
    delete_data_connector: StorageDeletionPayload = strawberry.mutation(
        resolver=delete_data_connector,
        directives=[Authenticated()],
        description="Delete a data connector (its namespace's OWNERs).",
    )
    link_data_connector: DataConnectorLinkPayload = strawberry.mutation(
        resolver=link_data_connector,
        directives=[Authenticated()],
        description="Link a data connector you see to a project you edit.",
    )
    unlink_data_connector: StorageDeletionPayload = strawberry.mutation(
        resolver=unlink_data_connector,
        directives=[Authenticated()],
        description="Remove a data connector from a project you edit.",
    )
    save_data_connector_credentials: SecretsPayload = strawberry.mutation(
        resolver=save_data_connector_credentials,
        directives=[Authenticated()],
        description="Save your credentials for a data connector as STORAGE secrets.",
    )
    create_secret: SecretPayload = strawberry.mutation(
        resolver=create_secret,
        directives=[Authenticated()],
        description="Save a secret, encrypted at rest; its value is never shown.",
    )
    update_secret: SecretPayload = strawberry.mutation(
        resolver=update_secret,
        directives=[Authenticated()],
        description="Rename one of your secrets or replace its value.",
    )
    delete_secret: StorageDeletionPayload = strawberry.mutation(
        resolver=delete_secret,
        directives=[Authenticated()],
        description="Delete one of your secrets.",
    )
    add_secret_slot: SecretSlotPayload = strawberry.mutation(
        resolver=add_secret_slot,
        directives=[Authenticated()],
        description="Add a secret slot (a file its sessions get) to a project you edit.",
    )
    delete_secret_slot: StorageDeletionPayload = strawberry.mutation(
        resolver=delete_secret_slot,
        directives=[Authenticated()],
        description="Delete a secret slot of a project you edit.",
    )
    set_secret_slot_value: SecretSlotPayload = strawberry.mutation(
        resolver=set_secret_slot_value,
        directives=[Authenticated()],
        description="Fill a project's secret slot with one of your secrets; null empties it.",
    )
    set_secrets_mount_directory: SecretsMountDirectoryPayload = strawberry.mutation(
        resolver=set_secrets_mount_directory,
        directives=[Authenticated()],
        description="Set where a project's sessions get its secret slots.",
    )
    rotate_secrets_keys: RotateSecretsKeysPayload = strawberry.mutation(
        resolver=rotate_secrets_keys,
        directives=[Authenticated()],
        description="Re-encrypt every secret with the first configured key (admins).",
    )
