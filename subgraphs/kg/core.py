"""The kg subgraph's use cases: what a caller may read of the knowledge graph.

Access is decided in the graph's queries (a project is readable when public, when the caller
is a member, or when it lies in the namespace of one of the caller's groups); each use case
hands them the caller as a `Viewer` (`groups`). Store calls block, so each runs in a worker
thread. Arguments are checked here and refused with a coded `DomainError`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode, require_sign_in
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.rules import check_slug
from renku_fed.subgraphs.kg.events import EventKind, access_to_json
from renku_fed.subgraphs.kg.ingest import KgService
from renku_fed.subgraphs.kg.models import (
    Activity,
    ActivityRecord,
    Dataset,
    DatasetRecord,
    DatasetSort,
    EntityType,
    IndexingStatus,
    Lineage,
    Page,
    Person,
    Role,
    SearchQuery,
    SearchResults,
    SearchSort,
    Visibility,
    Workflow,
    WorkflowRecord,
)
from renku_fed.subgraphs.kg.recording import (
    check_path,
    dataset_id,
    plan_id,
    plan_name,
    write_activity,
    write_dataset,
)
from renku_fed.subgraphs.kg.repository import Author, GitRepository, PushRefused, RepositoryError

MAX_QUERY_LENGTH = 200
T = TypeVar("T")


def _offset(first: int | None, after: str | None) -> tuple[int, int]:
    page = PageRequest.of(first, after)
    offset = (page.after or {}).get("offset", 0)
    if not isinstance(offset, int) or offset < 0:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "The `after` cursor is malformed.", "after")
    return page.first, offset


async def dataset(service: KgService, caller: Identity, dataset_id: str) -> Dataset | None:
    """One dataset, when the caller may read its project."""
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.dataset, dataset_id, viewer)


async def project_datasets(
    service: KgService,
    caller: Identity,
    project_id: str,
    sort: DatasetSort,
    first: int | None,
    after: str | None,
) -> Page[Dataset]:
    """A page of a project's datasets; empty when the caller may not read the project."""
    size, offset = _offset(first, after)
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(
        service.graph.project_datasets, project_id, viewer, sort, size, offset
    )


async def dataset_used_in(service: KgService, caller: Identity, dataset_id: str) -> list[str]:
    """Other projects the caller may read that hold a copy of the dataset."""
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.dataset_used_in, dataset_id, viewer)


async def dataset_versions(service: KgService, caller: Identity, dataset_id: str) -> list[Dataset]:
    """The dataset's other versions the caller may read, oldest first."""
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.dataset_versions, dataset_id, viewer)


async def project_workflows(
    service: KgService, caller: Identity, project_id: str
) -> list[Workflow]:
    """A project's workflows; empty when the caller may not read the project."""
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.project_workflows, project_id, viewer)


async def project_activities(
    service: KgService, caller: Identity, project_id: str
) -> list[Activity]:
    """A project's activities, oldest first; empty when the caller may not read the project."""
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.project_activities, project_id, viewer)


async def user_activities(service: KgService, caller: Identity, user_id: str) -> list[Activity]:
    """Activities a user was the agent of, in projects the caller may read."""
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.user_activities, user_id, viewer)


async def lineage(service: KgService, caller: Identity, project_id: str, path: str) -> Lineage:
    """Everything upstream and downstream of a file; NOT_FOUND when it is unknown to the caller."""
    path = path.strip().lstrip("/")
    if not path:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`path` must name a file.", "path")
    viewer = await service.groups.viewer(caller)
    found = await asyncio.to_thread(service.graph.lineage, project_id, path, viewer)
    if found is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"No recorded file `{path}` in this project (or you may not read it); "
            "check the path against the project's datasets and runs.",
            "path",
        )
    return found


async def search(
    service: KgService,
    caller: Identity,
    text: str | None,
    *,
    types: list[EntityType] | None = None,
    creators: list[str] | None = None,
    roles: list[Role] | None = None,
    visibilities: list[Visibility] | None = None,
    namespaces: list[str] | None = None,
    keywords: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: SearchSort = SearchSort.MATCHING_SCORE,
    first: int | None = None,
    after: str | None = None,
) -> SearchResults:
    """Entities the caller may read that match the query and filters."""
    if text is not None and len(text) > MAX_QUERY_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`query` is longer than {MAX_QUERY_LENGTH} characters; shorten it.",
            "query",
        )
    if since is not None and until is not None and since > until:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`since` is after `until`.", "since")
    size, offset = _offset(first, after)
    query = SearchQuery(
        text=text or "",
        types=frozenset(types) if types else frozenset(EntityType),
        creators=tuple(creators or ()),
        roles=tuple(roles or ()),
        visibilities=tuple(visibilities or ()),
        namespaces=tuple(namespaces or ()),
        keywords=tuple(keywords or ()),
        since=since,
        until=until,
        sort=sort,
        first=size,
        offset=offset,
    )
    viewer = await service.groups.viewer(caller)
    return await asyncio.to_thread(service.graph.search, query, viewer)


def _author(caller: Identity) -> Author:
    name = " ".join(p for p in (caller.first_name, caller.last_name) if p)
    username = caller.username or caller.subject or "renku"
    return Author(name=name or username, email=caller.email or f"{username}@users.noreply.renku")


def _person(caller: Identity) -> Person:
    author = _author(caller)
    return Person(name=author.name, user_id=caller.subject, email=author.email)


async def _editable(service: KgService, caller: Identity, project_id: str) -> GitRepository:
    """The repository of a project the caller may write to (EDITOR or OWNER)."""
    require_sign_in(caller, "record metadata")
    known = await asyncio.to_thread(service.ingester.events.project, project_id)
    role = None
    if known is not None:
        access, url = known
        viewer = await service.groups.viewer(caller)
        role = viewer.role_in(access) if viewer is not None else None
        if role is None and access.visibility is not Visibility.PUBLIC:
            known = None
    if known is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"No project with id {project_id!r} is known, or you may not see it; check "
            "`projectId`.",
            "projectId",
        )
    if role not in (Role.EDITOR, Role.OWNER) or url is None:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "Recording metadata commits to the project's repository: you need the EDITOR or "
            "OWNER role in the project; ask an owner.",
            "projectId",
        )
    try:
        repository = service.open_repository(url)
    except RepositoryError as exc:
        raise _unwritable(exc) from exc
    if repository.remote is None:
        return repository
    return repository.pushing_as(await _gitlab_token(service, caller))


async def _gitlab_token(service: KgService, caller: Identity) -> str:
    """The caller's GitLab token, to push to a GitLab project's repository as them."""
    if service.gitlab_tokens is None:
        raise DomainError(
            ErrorCode.UNAVAILABLE,
            "The project's repository is on GitLab, where the kg records as you with your GitLab "
            "token from Keycloak, but the kg has no Keycloak URL; an administrator must set "
            "RENKU_FED_KG_KEYCLOAK_URL.",
            "projectId",
        )
    token = await service.gitlab_tokens.token_for(caller)
    if token is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED,
            "Recording into a GitLab project needs your bearer token, to ask Keycloak for your "
            "GitLab token; sign in again.",
            "projectId",
        )
    return token


async def _write(service: KgService, caller: Identity, write: Callable[[], T]) -> T:
    """Run a blocking write into the project's repository; its failures as domain errors."""
    try:
        return await asyncio.to_thread(write)
    except PushRefused as exc:
        if service.gitlab_tokens is not None:
            service.gitlab_tokens.forget(caller)
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "Your GitLab account may not push to this project's repository (GitLab refused "
            "your token); ask a maintainer of the GitLab project for the Developer role, then "
            "try again.",
            "projectId",
        ) from exc
    except RepositoryError as exc:
        raise _unwritable(exc) from exc


def _unwritable(exc: RepositoryError) -> DomainError:
    return DomainError(
        ErrorCode.UNAVAILABLE,
        f"The project's repository cannot be written now ({exc}); try again later or commit "
        "the `.renku/` files yourself.",
        "projectId",
    )


async def _pushed(service: KgService, project_id: str, commit: str) -> None:
    await service.ingester.enqueue(EventKind.PUSH, project_id, {"commit": commit})


async def record_dataset(
    service: KgService, caller: Identity, project_id: str, draft: DatasetRecord
) -> tuple[DatasetRecord, str]:
    """Commit a dataset's metadata to the project's repository; the record and the commit."""
    repository = await _editable(service, caller, project_id)
    record = replace(
        draft,
        id=dataset_id(project_id, check_slug(draft.name, "name")),
        files=tuple(sorted({check_path(p, "files") for p in draft.files})),
        creators=draft.creators or (_person(caller),),
    )
    now = datetime.now(UTC)
    record = replace(record, date_created=record.date_created or now)
    write = partial(write_dataset, repository, record, _author(caller), now)
    written, commit = await _write(service, caller, write)
    await _pushed(service, project_id, commit)
    return written, commit


async def record_activity(
    service: KgService,
    caller: Identity,
    project_id: str,
    run: ActivityRecord,
    workflow_name: str | None,
) -> tuple[ActivityRecord, str]:
    """Commit a run and its plan to the project's repository; the run and the commit."""
    repository = await _editable(service, caller, project_id)
    command = run.command.strip()
    if not command:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`command` must not be empty.", "command")
    if run.ended_at is not None and run.started_at is not None and run.ended_at < run.started_at:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`endedAt` is before `startedAt`.", "endedAt")
    name = (workflow_name or "").strip() or plan_name(command)
    used = tuple(sorted({check_path(p, "inputs") for p in run.used}))
    generated = tuple(sorted({check_path(p, "outputs") for p in run.generated}))
    now = datetime.now(UTC)
    plan = WorkflowRecord(
        id=plan_id(project_id, name), name=name, command=command, inputs=used,
        outputs=generated, creators=(_person(caller),),
    )  # fmt: skip
    activity = replace(
        run, id=str(uuid.uuid4()), workflow_id=plan.id, command=command, used=used,
        generated=generated, started_at=run.started_at or now, agent=_person(caller),
    )  # fmt: skip
    write = partial(write_activity, repository, plan, activity, _author(caller), now)
    commit = await _write(service, caller, write)
    await _pushed(service, project_id, commit)
    return activity, commit


def _require_admin(caller: Identity) -> None:
    require_sign_in(caller, "reindex the knowledge graph")
    if not caller.is_admin:
        raise DomainError(
            ErrorCode.FORBIDDEN, "Only Renku administrators may rebuild the knowledge graph."
        )


async def reindex_project(service: KgService, caller: Identity, project_id: str) -> int:
    """Queue a rebuild of one project's graphs from its repository; admins. Events queued."""
    _require_admin(caller)
    known = await asyncio.to_thread(service.ingester.events.project, project_id)
    if known is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, f"No project with id {project_id!r} is known.", "projectId"
        )
    access, url = known
    payload = {"project": access_to_json(access), "repository": url}
    await service.ingester.enqueue(EventKind.ACCESS, project_id, payload)
    await service.ingester.enqueue(EventKind.PUSH, project_id, {})
    return 2


async def reindex_all(service: KgService, caller: Identity) -> int:
    """Drop the graph and queue a rebuild of every known project; admins. Events queued."""
    _require_admin(caller)
    ids = await asyncio.to_thread(service.ingester.events.project_ids)
    await service.ingester.enqueue(EventKind.CLEAR, "*")
    queued = 1
    for project_id in ids:
        queued += await reindex_project(service, caller, project_id)
    return queued


async def indexing_status(
    service: KgService, caller: Identity, project_id: str
) -> IndexingStatus | None:
    """Where the project's ingestion is, when the caller may read the project."""
    known = await asyncio.to_thread(service.ingester.events.project, project_id)
    if known is not None:
        access, _ = known
        viewer = await service.groups.viewer(caller)
        member = viewer is not None and viewer.role_in(access) is not None
        if access.visibility is not Visibility.PUBLIC and not member:
            return None
    return await asyncio.to_thread(service.ingester.events.status, project_id)
