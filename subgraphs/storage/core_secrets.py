"""The storage subgraph's secret use cases: users' own secrets, key rotation, projects' secret
slots, and what a session of a project gets for its user at launch.

A secret's value goes in (create, update) and out only to the session-launch route; no query
returns it and nothing logs it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, require_sign_in
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.rules import check_max_length, check_name
from renku_fed.subgraphs.storage.backends import StorageService
from renku_fed.subgraphs.storage.core import can_read, editable_project, sensitive_fields
from renku_fed.subgraphs.storage.models import (
    DataConnector,
    Page,
    Role,
    Secret,
    SecretKind,
    SecretSlot,
    Visibility,
)

# Renku's limits: names of 1 to 99 characters, values of 1 to 5000.
SECRET_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_\-.]{1,99}$")
SECRET_VALUE_MAX_LENGTH = 5000
FILENAME_PATTERN = re.compile(r"^[a-zA-Z0-9_\-.]{1,99}$")


def _subject(caller: Identity, action: str) -> str:
    require_sign_in(caller, action)
    return str(caller.subject)


def _check_secret_name(name: str) -> str:
    if not SECRET_NAME_PATTERN.match(name):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`name` {name[:100]!r} is not valid: use 1 to 99 letters, digits, `_`, `-` or `.`.",
            field="name",
        )
    return name


def _check_value(value: str) -> str:
    if not value:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`value` must not be empty.", field="value")
    check_max_length(value, "value", SECRET_VALUE_MAX_LENGTH, "store a shorter value")
    return value


async def create_secret(
    service: StorageService, caller: Identity, name: str, kind: SecretKind, value: str
) -> Secret:
    """Store a new encrypted secret of the caller's."""
    owner = _subject(caller, "save a secret")
    return await asyncio.to_thread(
        service.secrets.create, owner, _check_secret_name(name), kind, _check_value(value)
    )


async def update_secret(
    service: StorageService, caller: Identity, secret_id: str, name: str | None, value: str | None
) -> Secret:
    """Rename one of the caller's secrets or replace its value."""
    owner = _subject(caller, "change a secret")
    if name is not None:
        _check_secret_name(name)
    if value is not None:
        _check_value(value)
    return await asyncio.to_thread(service.secrets.update, owner, secret_id, name, value)


async def delete_secret(service: StorageService, caller: Identity, secret_id: str) -> None:
    """Delete one of the caller's secrets (and every slot it fills)."""
    owner = _subject(caller, "delete a secret")
    if not await asyncio.to_thread(service.secrets.delete, owner, secret_id):
        raise DomainError(ErrorCode.NOT_FOUND, f"You have no secret {secret_id!r}.", "secretId")


async def my_secrets(
    service: StorageService, caller: Identity, kind: SecretKind | None, page: PageRequest
) -> Page:
    """One page of the caller's secrets, by name."""
    owner = _subject(caller, "list your secrets")
    offset = int((page.after or {}).get("o", 0))
    return await asyncio.to_thread(service.secrets.search, owner, kind, offset, page.first)


async def rotate_keys(service: StorageService, caller: Identity) -> int:
    """Re-encrypt every secret with the first key; admins only."""
    require_sign_in(caller, "rotate the secrets keys")
    if not caller.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN, "Only Renku administrators may rotate keys.")
    return await asyncio.to_thread(service.secrets.rotate)


async def add_slot(
    service: StorageService,
    caller: Identity,
    project_id: str,
    name: str,
    description: str | None,
    filename: str,
) -> SecretSlot:
    """A new secret slot of a project the caller edits."""
    require_sign_in(caller, "add a secret slot")
    if not FILENAME_PATTERN.match(filename) or filename in (".", ".."):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`filename` {filename[:100]!r} is not a plain file name: use letters, digits, "
            "`_`, `-` or `.`.",
            field="filename",
        )
    name = check_name(name)
    description = check_max_length(description, "description", 500, "shorten it")
    await editable_project(service, caller, project_id)
    return await asyncio.to_thread(
        service.secrets.add_slot, project_id, name, description, filename
    )


async def delete_slot(service: StorageService, caller: Identity, slot_id: str) -> None:
    """Delete a slot of a project the caller edits."""
    require_sign_in(caller, "delete a secret slot")
    slot = await _slot(service, slot_id)
    await editable_project(service, caller, slot.project_id)
    await asyncio.to_thread(service.secrets.delete_slot, slot_id)


async def _slot(service: StorageService, slot_id: str) -> SecretSlot:
    slot = await asyncio.to_thread(service.secrets.get_slot, slot_id)
    if slot is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"There is no secret slot {slot_id!r}.", "slotId")
    return slot


async def fill_slot(
    service: StorageService, caller: Identity, slot_id: str, secret_id: str | None
) -> SecretSlot:
    """Fill a slot of a project the caller sees with one of their secrets (None empties it)."""
    owner = _subject(caller, "fill a secret slot")
    slot = await _slot(service, slot_id)
    if await service.access.project(caller, slot.project_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"There is no secret slot {slot_id!r}.", "slotId")
    if (
        secret_id is not None
        and await asyncio.to_thread(service.secrets.get, owner, secret_id) is None
    ):
        raise DomainError(ErrorCode.NOT_FOUND, f"You have no secret {secret_id!r}.", "secretId")
    await asyncio.to_thread(service.secrets.fill_slot, slot_id, owner, secret_id)
    return slot


async def set_mount_directory(
    service: StorageService, caller: Identity, project_id: str, directory: str
) -> str:
    """Set where the project's sessions get its secrets; project editors."""
    require_sign_in(caller, "set the secrets mount directory")
    if not directory.startswith("/") or ".." in directory.split("/") or len(directory) > 500:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "`directory` must be an absolute path without `..`, e.g. /secrets.",
            field="directory",
        )
    await editable_project(service, caller, project_id)
    await asyncio.to_thread(service.secrets.set_mount_directory, project_id, directory)
    return directory


async def mount_directory(service: StorageService, project_id: str) -> str:
    """Where the project's sessions get its secrets."""
    found = await asyncio.to_thread(service.secrets.mount_directory, project_id)
    return found or service.secrets_mount_directory


async def session_launch(
    service: StorageService, project_id: str, user: Identity
) -> dict[str, Any]:
    """What a session of the project gets for the user: readable connectors with the user's
    credentials, and the user's values of the project's secret slots.

    The user's namespace roles are asked of the router with their own token, now; without a
    token, or when the router cannot answer, connectors only namespace members may read are
    withheld and `problems` says which.
    """
    links = await asyncio.to_thread(service.connectors.project_links, project_id)
    connectors = [connector for _, connector in links]
    roles, problems = await _launch_roles(service, user, connectors)
    readable = [c for c in connectors if can_read(c, user, roles)]
    answer = await asyncio.to_thread(_launch, service, project_id, str(user.subject), readable)
    return {**answer, "problems": problems}


async def _launch_roles(
    service: StorageService, user: Identity, connectors: list[DataConnector]
) -> tuple[Mapping[str, Role], list[str]]:
    """The user's namespace roles, and what is withheld when they cannot be known."""
    private = [c for c in connectors if c.visibility is not Visibility.PUBLIC]
    if not private:
        return {}, []
    if user.token is None:
        reason = "your group roles cannot be checked without your sign-in; resume it yourself"
    else:
        try:
            return await service.access.namespace_roles(user), []
        except DomainError:
            reason = "your group roles could not be checked; resume the session later"
    # Counted, not named: the user may not be allowed to see them.
    return {}, [f"{len(private)} private data connector(s) not mounted: {reason}"]


def _launch(
    service: StorageService, project_id: str, user_id: str, readable: list[DataConnector]
) -> dict[str, Any]:
    saved = service.secrets.connector_credentials(user_id, [c.id for c in readable])
    connectors = []
    for connector in readable:
        credentials = saved.get(connector.id, {})
        needed = sensitive_fields(service, connector.storage)
        configuration = {
            k: credentials.get(k, v) for k, v in connector.storage.configuration.items()
        }
        connectors.append(
            {
                "id": connector.id,
                "slug": connector.slug,
                "name": connector.name,
                "storageType": connector.storage.type,
                "configuration": {k: v for k, v in configuration.items() if v is not None},
                "sourcePath": connector.storage.source_path,
                "targetPath": connector.storage.target_path,
                "readOnly": connector.storage.read_only,
                "missingCredentials": [n for n in needed if n not in credentials],
            }
        )
    values = service.secrets.slot_values(project_id, user_id)
    directory = service.secrets.mount_directory(project_id) or service.secrets_mount_directory
    return {
        "dataConnectors": connectors,
        "secretsMountDirectory": directory,
        "secretSlots": [
            {"id": s.id, "name": s.name, "filename": s.filename, "value": values.get(s.id)}
            for s in service.secrets.slots(project_id)
        ],
    }
