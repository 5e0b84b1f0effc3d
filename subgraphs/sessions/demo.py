"""Demo launchers: one local Jupyter launcher per demo project."""

from __future__ import annotations

import uuid

from renku_fed.subgraphs.common.demo import DEMO_PROJECTS
from renku_fed.subgraphs.sessions.backends.local_store import SessionStore
from renku_fed.subgraphs.sessions.models import LOCAL_JUPYTER, Launcher

_DEMO_NAMESPACE = uuid.UUID("3d1c7e55-2b7f-4a8e-8f0c-5e6d7c8b9a01")


def demo_launchers() -> list[Launcher]:
    """The demo launchers, with ids derived from their projects' ids."""
    return [
        Launcher(
            id=str(uuid.uuid5(_DEMO_NAMESPACE, project.id)),
            project_id=project.id,
            name="Jupyter",
            description=f"A Jupyter server on a clone of {project.namespace}/{project.slug}.",
            environment_kind=LOCAL_JUPYTER,
        )
        for project in DEMO_PROJECTS
    ]


def seed_demo(store: SessionStore) -> bool:
    """Add the demo launchers when there is no launcher yet; True when it seeded."""
    if store.has_launchers():
        return False
    for launcher in demo_launchers():
        store.add_launcher(launcher)
    return True
