"""The demo knowledge graph: the three demo projects, one dataset and one recorded run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from renku_fed.identity.dev_issuer import dev_subject
from renku_fed.subgraphs.common.demo import ALICE, DEMO_PROJECTS, FLIGHTS, DemoProject
from renku_fed.subgraphs.kg.backends import KgBackend
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetFile,
    DatasetRecord,
    ProjectMetadata,
    Visibility,
)

_DEMO_NAMESPACE = uuid.UUID("0b8f4c1e-5d2a-4e7b-9c3f-1a2b3c4d5e6f")

FLIGHT_DELAYS = DatasetRecord(
    id=str(uuid.uuid5(_DEMO_NAMESPACE, "flights/flight-delays")),
    name="flight-delays",
    title="Flight delays 2023",
    description="Departure and arrival delays of domestic flights, raw and cleaned.",
    keywords=("aviation", "delays"),
    files=(DatasetFile("data/raw.csv", 1_482_113), DatasetFile("data/clean.csv", 903_557)),
    date_created=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
)
CLEANING_RUN = ActivityRecord(
    id=str(uuid.uuid5(_DEMO_NAMESPACE, "flights/clean")),
    command="python clean.py",
    started_at=datetime(2024, 3, 2, 14, 5, tzinfo=UTC),
    agent_id=ALICE.id,
    used=("data/raw.csv",),
    generated=("data/clean.csv",),
)


def _metadata(project: DemoProject) -> ProjectMetadata:
    flights = project.id == FLIGHTS.id
    return ProjectMetadata(
        id=project.id,
        visibility=Visibility(project.visibility),
        member_ids=frozenset(dev_subject(username) for username, _ in project.members),
        datasets=(FLIGHT_DELAYS,) if flights else (),
        activities=(CLEANING_RUN,) if flights else (),
    )


def seed_demo(graph: KgBackend) -> bool:
    """Index the demo projects when the graph is empty; True when it seeded."""
    if not graph.is_empty():
        return False
    for project in DEMO_PROJECTS:
        graph.index_project(_metadata(project))
    return True
