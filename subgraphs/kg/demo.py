"""The demo metadata: flights' dataset, workflow and run, committed into its repository.

The projects subgraph announces the demo projects like any other; when the kg first hears of
alice/flights, `seed_repository` commits this metadata as `.renku/` files, and the ingester
reads it from there like any push.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from renku_fed.identity.dev_issuer import dev_subject
from renku_fed.subgraphs.common.demo import ALICE, DEMO_PROJECTS, FLIGHTS, DemoProject
from renku_fed.subgraphs.kg.metadata import (
    activity_document,
    dataset_document,
    encode,
    path_of,
    plan_document,
)
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetRecord,
    Person,
    ProjectAccess,
    ProjectMetadata,
    Role,
    Visibility,
    WorkflowRecord,
)
from renku_fed.subgraphs.kg.repository import Author, GitRepository

_DEMO_NAMESPACE = uuid.UUID("0b8f4c1e-5d2a-4e7b-9c3f-1a2b3c4d5e6f")
_DEMO_IDS = {p.id for p in DEMO_PROJECTS}
ALICE_PERSON = Person(name="Alice Liddell", user_id=ALICE.id, email=ALICE.email)

FLIGHT_DELAYS = DatasetRecord(
    id=str(uuid.uuid5(_DEMO_NAMESPACE, "flights/flight-delays")),
    name="flight-delays",
    title="Flight delays 2023",
    description="Departure and arrival delays of domestic flights, raw and cleaned.",
    keywords=("aviation", "delays"),
    creators=(ALICE_PERSON,),
    files=("data/clean.csv", "data/raw.csv"),
    date_created=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
)
CLEAN_WORKFLOW = WorkflowRecord(
    id=str(uuid.uuid5(_DEMO_NAMESPACE, "flights/clean-plan")),
    name="clean.py",
    command="python clean.py",
    inputs=("data/raw.csv",),
    outputs=("data/clean.csv",),
    keywords=("cleaning",),
    creators=(ALICE_PERSON,),
)
CLEANING_RUN = ActivityRecord(
    id=str(uuid.uuid5(_DEMO_NAMESPACE, "flights/clean")),
    workflow_id=CLEAN_WORKFLOW.id,
    command="python clean.py",
    used=("data/raw.csv",),
    generated=("data/clean.csv",),
    started_at=datetime(2024, 3, 2, 14, 5, tzinfo=UTC),
    ended_at=datetime(2024, 3, 2, 14, 6, tzinfo=UTC),
    agent=ALICE_PERSON,
)
FLIGHTS_METADATA = ProjectMetadata(
    datasets=(FLIGHT_DELAYS,), workflows=(CLEAN_WORKFLOW,), activities=(CLEANING_RUN,)
)


def demo_access(project: DemoProject) -> ProjectAccess:
    """The access entry of a demo project, as the projects subgraph's events describe it."""
    return ProjectAccess(
        id=project.id,
        namespace=project.namespace,
        slug=project.slug,
        visibility=Visibility(project.visibility),
        members=tuple((dev_subject(user), Role(role)) for user, role in project.members),
        name=project.name,
        description=project.description,
        keywords=project.keywords,
    )


def demo_metadata(project: DemoProject | ProjectAccess) -> ProjectMetadata:
    """What a demo project's repository holds under `.renku/`."""
    return FLIGHTS_METADATA if project.id == FLIGHTS.id else ProjectMetadata()


DEMO = [(demo_access(p), demo_metadata(p)) for p in DEMO_PROJECTS]
ALICE_AUTHOR = Author(name="Alice Liddell", email="alice@example.org")


def demo_files(metadata: ProjectMetadata) -> dict[str, bytes]:
    """The `.renku/` files of a project's metadata."""
    files = {path_of("datasets", d.id): encode(dataset_document(d)) for d in metadata.datasets}
    files |= {path_of("plans", w.id): encode(plan_document(w)) for w in metadata.workflows}
    files |= {
        path_of("activities", a.id): encode(activity_document(a)) for a in metadata.activities
    }
    return files


def seed_repository(access: ProjectAccess, repository: str | None) -> None:
    """Commit a demo project's metadata into its repository, as alice, unless it has some."""
    metadata = demo_metadata(access) if access.id in _DEMO_IDS else ProjectMetadata()
    if repository is None or not metadata.datasets:
        return
    git = GitRepository(repository)
    head = git.head()
    if head is not None and git.metadata_files(head):
        return
    when = CLEANING_RUN.ended_at or datetime.now(UTC)
    git.commit_files(demo_files(metadata), ALICE_AUTHOR, "renku: record the demo metadata", when)
