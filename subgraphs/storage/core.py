"""The storage subgraph's data connector use cases: who may see and change a connector, the
checks of its storage against rclone's schema, links to projects, connectors from DOIs.

A connector belongs to a namespace (a user's or a group's) and follows the projects' rules:
anyone sees a public one, members of its namespace a private one; editors and owners of the
namespace change it, owners delete it. Global connectors (from a DOI) are public, changed by
admins only. Credentials in a configuration become the caller's STORAGE secrets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, require_sign_in
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.rules import (
    DESCRIPTION_MAX_LENGTH,
    check_keywords,
    check_max_length,
    check_name,
    check_slug,
    slug_from_name,
)
from renku_fed.subgraphs.storage.backends import StorageService
from renku_fed.subgraphs.storage.models import (
    DataConnector,
    DataConnectorDraft,
    DataConnectorPatch,
    Link,
    Page,
    Role,
    Secret,
    Storage,
    Visibility,
)
from renku_fed.subgraphs.storage.providers import MASK

PATH_MAX_LENGTH = 5000


@dataclass(frozen=True, slots=True)
class StorageInput:
    """A storage as a client sends it: rclone options (with `type`) and mount paths."""

    configuration: Mapping[str, Any]
    source_path: str
    target_path: str
    read_only: bool = True


@dataclass(frozen=True, slots=True)
class ConnectorInput:
    """A new connector as a client sends it."""

    name: str
    namespace: str
    storage: StorageInput
    slug: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    description: str | None = None
    keywords: tuple[str, ...] = ()


async def namespace_roles(service: StorageService, caller: Identity) -> dict[str, Role]:
    """The caller's namespace roles, asked of the router now."""
    return dict(await service.access.namespace_roles(caller))


def can_read(connector: DataConnector, caller: Identity, roles: Mapping[str, Role]) -> bool:
    """True when the caller may see the connector."""
    return (
        connector.visibility is Visibility.PUBLIC
        or caller.is_admin
        or (connector.namespace is not None and connector.namespace in roles)
    )


def _require_role(
    connector: DataConnector, caller: Identity, roles: Mapping[str, Role], role: Role
) -> None:
    held = roles.get(connector.namespace) if connector.namespace else None
    if caller.is_admin or (held is not None and held.includes(role)):
        return
    where = connector.namespace or "the global catalogue"
    raise DomainError(
        ErrorCode.FORBIDDEN,
        f"Only {role.value} members of {where} may do this to data connector {connector.slug!r}.",
        field="dataConnectorId",
    )


def split_credentials(
    service: StorageService, storage: StorageInput
) -> tuple[Storage, dict[str, str]]:
    """The storage to keep (credentials left empty) and the credentials given, by option."""
    for field, value in (("sourcePath", storage.source_path), ("targetPath", storage.target_path)):
        check_max_length(value, field, PATH_MAX_LENGTH, "shorten the path")
    target = PurePosixPath(storage.target_path.strip())
    if not target.parts or target.is_absolute() or ".." in target.parts:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "`targetPath` must be a relative path in the session's work folder, e.g. `data/s3`.",
            field="targetPath",
        )
    kind = service.providers.validate(storage.configuration)
    sensitive = kind.sensitive_names(_provider(storage.configuration))
    kept = {k: (None if k in sensitive else v) for k, v in storage.configuration.items()}
    given = {
        k: str(v)
        for k, v in storage.configuration.items()
        if k in sensitive and v not in (None, MASK)
    }
    stored = Storage(kind.name, kept, storage.source_path, storage.target_path, storage.read_only)
    return stored, given


def _provider(configuration: Mapping[str, Any]) -> str | None:
    provider = configuration.get("provider")
    return provider if isinstance(provider, str) else None


def sensitive_fields(service: StorageService, storage: Storage) -> list[str]:
    """The options of the storage that hold credentials, as configured."""
    kind = service.providers.types.get(storage.type)
    if kind is None:
        return []
    names = kind.sensitive_names(_provider(storage.configuration))
    return sorted(n for n in storage.configuration if n in names)


def masked(service: StorageService, storage: Storage) -> dict[str, Any]:
    """The configuration as clients see it: every credential option shows as `<sensitive>`."""
    hidden = set(sensitive_fields(service, storage))
    return {k: (MASK if k in hidden else v) for k, v in storage.configuration.items()}


async def create_connector(
    service: StorageService, caller: Identity, given: ConnectorInput
) -> tuple[DataConnector, list[Secret]]:
    """A new connector in a namespace the caller edits; its credentials become their secrets."""
    require_sign_in(caller, "create a data connector")
    roles = await namespace_roles(service, caller)
    namespace = check_slug(given.namespace, "namespace")
    if not (caller.is_admin or roles.get(namespace, Role.VIEWER).includes(Role.EDITOR)):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"You may not create data connectors in {namespace!r}; use your own namespace or "
            "a group you are an EDITOR or OWNER of.",
            field="namespace",
        )
    name = check_name(given.name)
    storage, credentials = split_credentials(service, given.storage)
    draft = DataConnectorDraft(
        name=name,
        namespace=namespace,
        slug=check_slug(given.slug) if given.slug else check_slug(slug_from_name(name)),
        visibility=given.visibility,
        description=_description(given.description),
        keywords=check_keywords(given.keywords),
        storage=storage,
    )
    subject = str(caller.subject)
    connector = await asyncio.to_thread(service.connectors.insert, draft, subject)
    saved = await asyncio.to_thread(
        service.secrets.save_connector_credentials, subject, connector, credentials
    )
    return connector, saved


def _description(text: str | None) -> str | None:
    return check_max_length(text, "description", DESCRIPTION_MAX_LENGTH, "shorten it")


async def readable_connector(
    service: StorageService, caller: Identity, connector_id: str
) -> DataConnector:
    """The connector if the caller may see it; NOT_FOUND otherwise."""
    connector = await asyncio.to_thread(service.connectors.get, connector_id)
    if connector is not None and (
        connector.visibility is Visibility.PUBLIC  # no need to ask for the caller's roles
        or can_read(connector, caller, await namespace_roles(service, caller))
    ):
        return connector
    raise DomainError(
        ErrorCode.NOT_FOUND,
        f"There is no data connector {connector_id!r} you may see; check the id.",
        field="dataConnectorId",
    )


async def find_connector(
    service: StorageService, caller: Identity, connector_id: str
) -> DataConnector | None:
    """The connector if the caller may see it."""
    try:
        return await readable_connector(service, caller, connector_id)
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            return None
        raise


async def update_connector(
    service: StorageService,
    caller: Identity,
    connector_id: str,
    if_match: str,
    patch: DataConnectorPatch,
    storage: StorageInput | None,
) -> tuple[DataConnector, list[Secret]]:
    """Change a connector when `if_match` is its etag; namespace editors and admins."""
    require_sign_in(caller, "change a data connector")
    connector = await readable_connector(service, caller, connector_id)
    _require_role(connector, caller, await namespace_roles(service, caller), Role.EDITOR)
    credentials: dict[str, str] = {}
    if storage is not None:
        stored, credentials = split_credentials(service, storage)
        patch = replace(patch, storage=stored)
    patch = replace(
        patch,
        name=check_name(patch.name) if patch.name is not None else None,
        description=_description(patch.description),
        keywords=check_keywords(patch.keywords) if patch.keywords is not None else None,
    )
    changed = await asyncio.to_thread(service.connectors.update, connector_id, if_match, patch)
    saved = await asyncio.to_thread(
        service.secrets.save_connector_credentials, str(caller.subject), changed, credentials
    )
    return changed, saved


async def delete_connector(service: StorageService, caller: Identity, connector_id: str) -> None:
    """Delete a connector with its links and saved credentials; namespace owners and admins."""
    require_sign_in(caller, "delete a data connector")
    connector = await readable_connector(service, caller, connector_id)
    _require_role(connector, caller, await namespace_roles(service, caller), Role.OWNER)
    await asyncio.to_thread(service.connectors.delete, connector_id)


async def search_connectors(
    service: StorageService, caller: Identity, namespace: str | None, page: PageRequest
) -> Page:
    """The connectors the caller may see, optionally of one namespace."""
    roles = await namespace_roles(service, caller)
    readable = None if caller.is_admin else set(roles)
    offset = int((page.after or {}).get("o", 0))
    return await asyncio.to_thread(
        service.connectors.search, readable, namespace, offset, page.first
    )


async def save_credentials(
    service: StorageService, caller: Identity, connector_id: str, values: Mapping[str, str]
) -> list[Secret]:
    """Save the caller's credentials for a connector's sensitive options as their secrets."""
    require_sign_in(caller, "save data connector credentials")
    connector = await readable_connector(service, caller, connector_id)
    allowed = set(sensitive_fields(service, connector.storage))
    for option in values:
        if option not in allowed:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"{option!r} is not a credential of this connector; save one of "
                f"{', '.join(sorted(allowed)) or '(none: it needs no credentials)'}.",
                field="secrets",
            )
    return await asyncio.to_thread(
        service.secrets.save_connector_credentials, str(caller.subject), connector, values
    )


async def create_from_doi(service: StorageService, caller: Identity, doi: str) -> DataConnector:
    """The global, read-only connector of a DOI's deposit (the existing one if made before)."""
    require_sign_in(caller, "add a data connector from a DOI")
    doi = doi.strip().lower().removeprefix("https://doi.org/").removeprefix("doi:")
    if not doi.startswith("10.") or "/" not in doi:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT, f"{doi!r} is not a DOI (10.<prefix>/<suffix>).", "doi"
        )
    existing = await asyncio.to_thread(service.connectors.get_by_doi, doi)
    if existing is not None:
        return existing
    deposit = await service.doi.resolve(doi)
    storage = StorageInput({"type": "http", "url": deposit.url}, "", slug_from_name(doi), True)
    draft = DataConnectorDraft(
        name=check_name(deposit.title[:99]),
        namespace=None,
        slug=check_slug(slug_from_name(doi)),
        visibility=Visibility.PUBLIC,
        description=(deposit.description or "")[:DESCRIPTION_MAX_LENGTH] or None,
        keywords=check_keywords([k[:99] for k in deposit.keywords]),
        storage=split_credentials(service, storage)[0],
        doi=deposit.doi,
        publisher=deposit.publisher,
    )
    return await asyncio.to_thread(service.connectors.insert, draft, str(caller.subject))


async def link_connector(
    service: StorageService, caller: Identity, connector_id: str, project_id: str
) -> Link:
    """Link a connector the caller sees to a project they edit."""
    require_sign_in(caller, "link a data connector")
    await editable_project(service, caller, project_id)
    await readable_connector(service, caller, connector_id)
    return await asyncio.to_thread(
        service.connectors.link, connector_id, project_id, str(caller.subject)
    )


async def unlink_connector(
    service: StorageService, caller: Identity, connector_id: str, project_id: str
) -> None:
    """Remove a connector's link from a project the caller edits."""
    require_sign_in(caller, "unlink a data connector")
    await editable_project(service, caller, project_id)
    if not await asyncio.to_thread(service.connectors.unlink, connector_id, project_id):
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "That data connector is not linked to this project.",
            field="dataConnectorId",
        )


async def editable_project(service: StorageService, caller: Identity, project_id: str) -> None:
    """Nothing when the caller may change the project; NOT_FOUND or FORBIDDEN otherwise."""
    project = await service.access.project(caller, project_id)
    if project is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, f"There is no project {project_id!r} you may see.", "projectId"
        )
    if not (project.can_write or caller.is_admin):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"Only editors of {project.namespace}/{project.slug} may change its data "
            "connectors and secret slots.",
            field="projectId",
        )


async def project_connectors(
    service: StorageService, caller: Identity, project_id: str
) -> tuple[list[tuple[Link, DataConnector]], int]:
    """The project's links the caller may see, and how many others it has."""
    links = await asyncio.to_thread(service.connectors.project_links, project_id)
    roles = await namespace_roles(service, caller) if links else {}
    seen = [(link, c) for link, c in links if can_read(c, caller, roles)]
    return seen, len(links) - len(seen)
