"""The kg's mutations: record datasets and runs into a repository, rebuild the graph.

Recording commits `.renku/` JSON-LD to the project's repository with the caller as author; the
graph changes when the ingester has read that commit (see `Project.indexingStatus`). Every
refusal comes back in the payload's `errors`.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.kg import core, models
from renku_fed.subgraphs.kg.types import Info


@strawberry.input(description="A creator of a dataset: a platform user, or a name and contact.")
class PersonInput:
    """A dataset creator."""

    name: str
    email: str | None = None
    affiliation: str | None = None
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The platform user's id, when the creator is one."
    )


@strawberry.input(description="A dataset to record in a project's repository.")
class RecordDatasetInput:
    """What `recordDataset` commits; recording the same name again updates the dataset."""

    project_id: strawberry.ID
    name: str = strawberry.field(description="The dataset's slug in the project.")
    title: str | None = None
    description: str | None = None
    files: list[str] = strawberry.field(
        default_factory=list, description="Repository paths of its files."
    )
    keywords: list[str] = strawberry.field(default_factory=list)
    creators: list[PersonInput] | None = strawberry.field(
        default=None, description="Its creators; you when unset."
    )
    same_as: str | None = strawberry.field(
        default=None, description="The URL it was imported from."
    )


@strawberry.input(description="A run of a command to record in a project's repository.")
class RecordActivityInput:
    """What `recordActivity` commits: the run and its workflow (plan)."""

    project_id: strawberry.ID
    command: str = strawberry.field(description="The command line, e.g. `python clean.py`.")
    inputs: list[str] = strawberry.field(
        default_factory=list, description="Repository paths it read."
    )
    outputs: list[str] = strawberry.field(
        default_factory=list, description="Repository paths it wrote."
    )
    started_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    ended_at: datetime | None = None
    workflow_name: str | None = strawberry.field(
        default=None, description="The workflow's name; default: the script the command runs."
    )


@strawberry.type(description="The result of recordDataset.")
class RecordDatasetPayload:
    """The recorded dataset's id and the commit that holds it, or why not."""

    dataset_id: strawberry.ID | None
    commit: str | None = strawberry.field(description="The commit under `.renku/`.")
    errors: list[UserError]


@strawberry.type(description="The result of recordActivity.")
class RecordActivityPayload:
    """The recorded run's and workflow's ids and the commit, or why not."""

    activity_id: strawberry.ID | None
    workflow_id: strawberry.ID | None
    commit: str | None = strawberry.field(description="The commit under `.renku/`.")
    errors: list[UserError]


@strawberry.type(description="The result of a reindex.")
class ReindexPayload:
    """How many ingestion events were queued, or why not."""

    queued: int
    errors: list[UserError]


async def resolve_record_dataset(info: Info, input: RecordDatasetInput) -> RecordDatasetPayload:
    """Commit a dataset's metadata to the project's repository; editors and owners."""
    draft = models.DatasetRecord(
        id="",
        name=input.name.strip(),
        title=input.title,
        description=input.description,
        keywords=tuple(k.strip() for k in input.keywords if k.strip()),
        creators=tuple(
            models.Person(p.name, str(p.user_id) if p.user_id else None, p.email, p.affiliation)
            for p in input.creators or ()
        ),
        files=tuple(input.files),
        same_as=input.same_as,
    )
    try:
        record, commit = await core.record_dataset(
            info.context.backend, info.context.identity, str(input.project_id), draft
        )
    except DomainError as error:
        return RecordDatasetPayload(
            dataset_id=None, commit=None, errors=[UserError.from_domain(error)]
        )
    return RecordDatasetPayload(dataset_id=strawberry.ID(record.id), commit=commit, errors=[])


async def resolve_record_activity(info: Info, input: RecordActivityInput) -> RecordActivityPayload:
    """Commit a run and its workflow to the project's repository; editors and owners."""
    run = models.ActivityRecord(
        id="",
        workflow_id=None,
        command=input.command,
        used=tuple(input.inputs),
        generated=tuple(input.outputs),
        started_at=input.started_at,
        ended_at=input.ended_at,
    )
    try:
        activity, commit = await core.record_activity(
            info.context.backend,
            info.context.identity,
            str(input.project_id),
            run,
            input.workflow_name,
        )
    except DomainError as error:
        return RecordActivityPayload(
            activity_id=None, workflow_id=None, commit=None, errors=[UserError.from_domain(error)]
        )
    return RecordActivityPayload(
        activity_id=strawberry.ID(activity.id),
        workflow_id=strawberry.ID(activity.workflow_id or ""),
        commit=commit,
        errors=[],
    )


async def resolve_reindex_project(info: Info, project_id: strawberry.ID) -> ReindexPayload:
    """Rebuild one project's graph from its repository; administrators."""
    try:
        queued = await core.reindex_project(
            info.context.backend, info.context.identity, str(project_id)
        )
    except DomainError as error:
        return ReindexPayload(queued=0, errors=[UserError.from_domain(error)])
    return ReindexPayload(queued=queued, errors=[])


async def resolve_reindex_all(info: Info) -> ReindexPayload:
    """Drop the whole graph and rebuild it from the repositories; administrators."""
    try:
        queued = await core.reindex_all(info.context.backend, info.context.identity)
    except DomainError as error:
        return ReindexPayload(queued=0, errors=[UserError.from_domain(error)])
    return ReindexPayload(queued=queued, errors=[])


@strawberry.type
class Mutation:
    """The kg subgraph's mutations."""

    record_dataset: RecordDatasetPayload = strawberry.mutation(
        resolver=resolve_record_dataset,
        description="Commit a dataset as `.renku/` metadata to the project's repository, with "
        "you as author; the graph shows it once ingested.",
    )
    record_activity: RecordActivityPayload = strawberry.mutation(
        resolver=resolve_record_activity,
        description="Commit a run of a command (and its workflow) as `.renku/` metadata to the "
        "project's repository, with you as author; lineage shows it once ingested.",
    )
    reindex_project: ReindexPayload = strawberry.mutation(
        resolver=resolve_reindex_project,
        description="Rebuild a project's graph from its repository (administrators).",
    )
    reindex_all: ReindexPayload = strawberry.mutation(
        resolver=resolve_reindex_all,
        description="Drop the knowledge graph and rebuild it from every repository "
        "(administrators).",
    )
