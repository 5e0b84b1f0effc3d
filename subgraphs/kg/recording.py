"""Writing datasets and runs into a project's repository as `.renku/` JSON-LD, one commit each.

Ids are stable where re-recording means the same thing: a dataset's id comes from its project
and name, a plan's from its project and name; a run is always new. Each attempt syncs a GitLab
project's mirror first and builds its files on the head it finds, so a commit that lost a race
(`BranchMoved`) is made again on the new head. Blocking: call in a thread.
"""

from __future__ import annotations

import json
import shlex
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import PurePosixPath
from typing import TypeVar

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.kg.metadata import (
    activity_document,
    dataset_document,
    encode,
    path_of,
    plan_document,
    read_dataset,
)
from renku_fed.subgraphs.kg.models import ActivityRecord, DatasetRecord, WorkflowRecord
from renku_fed.subgraphs.kg.repository import Author, BranchMoved, GitRepository

_IDS = uuid.UUID("6d1c7a9e-2f4b-4c8d-9e0a-5b3f7c1d2e4a")
_INTERPRETERS = {"python", "python3", "rscript", "bash", "sh", "julia", "node", "perl", "ruby"}
COMMIT_ATTEMPTS = 3
T = TypeVar("T")


def dataset_id(project_id: str, name: str) -> str:
    """The id of a project's dataset called `name`."""
    return str(uuid.uuid5(_IDS, f"{project_id}/datasets/{name}"))


def plan_id(project_id: str, name: str) -> str:
    """The id of a project's plan called `name`."""
    return str(uuid.uuid5(_IDS, f"{project_id}/plans/{name}"))


def plan_name(command: str) -> str:
    """A plan's default name: the script a command runs (`python clean.py` -> `clean.py`)."""
    words = shlex.split(command)
    for word in words:
        if PurePosixPath(word).name.lower() not in _INTERPRETERS and not word.startswith("-"):
            return PurePosixPath(word).name
    return words[0] if words else command


def check_path(path: str, field: str) -> str:
    """A file path relative to the repository's root; BAD_USER_INPUT otherwise."""
    clean = path.strip()
    parts = PurePosixPath(clean).parts
    if not clean or clean.startswith("/") or ".." in parts or (parts and parts[0] == ".git"):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"{path!r} in `{field}` is not a path inside the repository; give it relative to "
            "the repository's root, without `..`.",
            field,
        )
    return str(PurePosixPath(clean))


def _commit(repository: GitRepository, make: Callable[[], tuple[T, dict[str, bytes]]],
            author: Author, message: str, when: datetime) -> tuple[T, str]:  # fmt: skip
    for attempt in range(COMMIT_ATTEMPTS):
        repository.sync()
        result, files = make()
        try:
            return result, repository.commit_files(files, author, message, when)
        except BranchMoved:
            if attempt == COMMIT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _dataset_files(
    repository: GitRepository, record: DatasetRecord, when: datetime
) -> tuple[DatasetRecord, dict[str, bytes]]:
    """The record, keeping the creation date it has at the head, and its file."""
    head = repository.head()
    path = path_of("datasets", record.id)
    existing = repository.read_file(head, path) if head else None
    if existing is not None:
        created = read_dataset(json.loads(existing)).date_created
        record = replace(record, date_created=created or when, date_modified=when)
    return record, {path: encode(dataset_document(record))}


def write_dataset(
    repository: GitRepository, record: DatasetRecord, author: Author, when: datetime
) -> tuple[DatasetRecord, str]:
    """Commit a dataset (keeping its creation date when it exists); the record and commit."""
    make = partial(_dataset_files, repository, record, when)
    return _commit(repository, make, author, f"renku dataset: record {record.name}", when)


def write_activity(
    repository: GitRepository,
    plan: WorkflowRecord,
    activity: ActivityRecord,
    author: Author,
    when: datetime,
) -> str:
    """Commit a run and its plan (created or updated); the commit."""
    files = {
        path_of("plans", plan.id): encode(plan_document(plan)),
        path_of("activities", activity.id): encode(activity_document(activity)),
    }
    _, commit = _commit(
        repository, lambda: (None, files), author, f"renku run: {activity.command}", when
    )
    return commit
