"""The demo projects (alice/flights, alice/secret-notes, bob/climate) seeded into an empty
embedded store, each with its members and a first commit by its owner."""

from __future__ import annotations

from datetime import UTC, datetime

from renku_fed.identity.dev_issuer import dev_subject
from renku_fed.subgraphs.common.demo import DEMO_PROJECTS, DemoProject
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.repositories import Author
from renku_fed.subgraphs.projects.models import Member, Project, Role, Visibility


def demo_project(demo: DemoProject) -> Project:
    """The stored form of a demo catalog project, created now."""
    now = datetime.now(UTC)
    return Project(
        id=demo.id,
        name=demo.name,
        slug=demo.slug,
        namespace=demo.namespace,
        visibility=Visibility(demo.visibility),
        description=demo.description,
        keywords=demo.keywords,
        created_by=dev_subject(demo.namespace),
        creation_date=now,
        updated_at=now,
        members=tuple(Member(dev_subject(user), Role(role)) for user, role in demo.members),
    )


def seed_demo(store: EmbeddedProjectStore) -> bool:
    """Store the demo projects, members and repositories when empty; True when it did."""
    if not store.is_empty():
        return False
    for demo in DEMO_PROJECTS:
        store.add(demo_project(demo), Author(demo.namespace, f"{demo.namespace}@example.org"))
    return True
