"""The projects service's ASGI app: `uvicorn subgraphs.projects.app:create_app --factory`."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.common.app import create_subgraph_app
from subgraphs.common.logs import configure_logging
from subgraphs.common.settings import AuthSettings
from subgraphs.common.tokens import TokenVerifier
from subgraphs.projects.backends.embedded import EmbeddedProjectStore
from subgraphs.projects.schema import schema
from subgraphs.projects.settings import ProjectsSettings

SERVICE = "projects"


def build_app(settings: ProjectsSettings, verifier: TokenVerifier) -> Starlette:
    """The projects app for these settings, checking tokens with `verifier`."""
    store = EmbeddedProjectStore(settings.data_dir)
    if settings.seed_demo:
        store.seed_demo()
    return create_subgraph_app(service=SERVICE, schema=schema, backend=store, verifier=verifier)


def create_app() -> Starlette:
    """The projects app configured from the environment."""
    configure_logging(SERVICE)
    return build_app(ProjectsSettings(), TokenVerifier(AuthSettings()))
