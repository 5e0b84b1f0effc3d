"""Demo data: a public resource pool with two classes, a Jupyter environment, one launcher each.

Ids derive from fixed names (and the demo projects' ids), so they are the same on every machine.
"""

from __future__ import annotations

import uuid

from renku_fed.subgraphs.common.demo import ALICE, DEMO_PROJECTS
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.models import (
    Environment,
    Launcher,
    ResourceClass,
    ResourcePool,
)

_NAMESPACE = uuid.UUID("3d1c7e55-2b7f-4a8e-8f0c-5e6d7c8b9a01")


def _id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


DEMO_POOL = ResourcePool(id=_id("pool"), name="Public", public=True, default=True)
SMALL = ResourceClass(
    id=_id("small"), pool_id=DEMO_POOL.id, name="small", cpu=1, memory=2, default=True
)
LARGE = ResourceClass(
    id=_id("large"), pool_id=DEMO_POOL.id, name="large", cpu=2, memory=4, max_storage=20
)
JUPYTER = Environment(
    id=_id("jupyter"),
    name="Python/Jupyter",
    description="JupyterLab with a Python kernel.",
    container_image="quay.io/jupyter/minimal-notebook:2024-10-07",
    created_by=ALICE.id,
    working_directory="/home/jovyan/work",
    mount_directory="/home/jovyan/work",
)


def demo_launchers() -> list[Launcher]:
    """The demo launchers, one per demo project, with ids derived from the projects' ids."""
    return [
        Launcher(
            id=str(uuid.uuid5(_NAMESPACE, project.id)),
            project_id=project.id,
            name="Jupyter",
            description=f"JupyterLab on a clone of {project.namespace}/{project.slug}.",
            environment_id=JUPYTER.id,
            created_by=ALICE.id,
        )
        for project in DEMO_PROJECTS
    ]


def seed_demo(store: SqliteStore) -> bool:
    """Add the demo pool, classes, environment and launchers to an empty store; True if it did."""
    if not store.is_empty():
        return False
    store.save_pool(DEMO_POOL)
    store.save_class(SMALL)
    store.save_class(LARGE)
    store.save_environment(JUPYTER)
    for launcher in demo_launchers():
        store.save_launcher(launcher)
    return True
