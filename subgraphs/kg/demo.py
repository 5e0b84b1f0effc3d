"""The demo knowledge graph: the three demo projects, and flights' dataset, workflow and run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from renku_fed.identity.dev_issuer import dev_subject
from renku_fed.subgraphs.common.demo import ALICE, DEMO_PROJECTS, FLIGHTS, DemoProject
from renku_fed.subgraphs.kg.backends import KgBackend
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

_DEMO_NAMESPACE = uuid.UUID("0b8f4c1e-5d2a-4e7b-9c3f-1a2b3c4d5e6f")
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
    keywords=("cleaning", "flights"),
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


def demo_metadata(project: DemoProject) -> ProjectMetadata:
    """What a demo project's repository holds under `.renku/`."""
    return FLIGHTS_METADATA if project.id == FLIGHTS.id else ProjectMetadata()


DEMO = [(demo_access(p), demo_metadata(p)) for p in DEMO_PROJECTS]


def seed_demo(graph: KgBackend) -> bool:
    """Index the demo projects when the graph knows no project yet; True when it seeded."""
    if graph.project_ids():
        return False
    for access, metadata in DEMO:
        graph.set_access(access)
        graph.replace_metadata(access.id, metadata)
    return True
