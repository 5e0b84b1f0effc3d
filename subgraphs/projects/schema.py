"""The projects subgraph's GraphQL schema: queries over `Project`, and the mutations.

Queries report bad arguments as GraphQL errors with `extensions.code`; mutations report every
refusal as `errors` in their payload (see `mutations`). Types live in `project_types`.
"""

from __future__ import annotations

import strawberry

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.projects import models
from renku_fed.subgraphs.projects.mutations import Mutation
from renku_fed.subgraphs.projects.project_types import (
    Group,
    Info,
    Project,
    ProjectConnection,
    User,
    project_connection,
)


async def resolve_project(info: Info, id: strawberry.ID) -> Project | None:
    """Look a project up by id."""
    return await Project.resolve_reference(info, id)


async def resolve_project_by_slug(info: Info, namespace: str, slug: str) -> Project | None:
    """Look a project up by its path."""
    project = await info.context.backend.get_by_slug(namespace, slug, info.context.identity)
    return None if project is None else Project.from_model(project)


async def resolve_projects(
    info: Info,
    search: str | None = None,
    namespace: str | None = None,
    visibility: models.Visibility | None = None,
    minimum_role: models.Role | None = None,
    sort: models.ProjectSort = models.ProjectSort.CREATION_DATE,
    first: int | None = 20,
    after: str | None = None,
) -> ProjectConnection:
    """Search projects by name, slug, description or keyword."""
    where = models.ProjectFilter(
        search=search, namespace=namespace, visibility=visibility, minimum_role=minimum_role
    )
    return await project_connection(info, where, first, after, sort)


@strawberry.type
class Query:
    """Find projects."""

    project: Project | None = strawberry.field(
        resolver=resolve_project, description="The project with this id, or null if hidden."
    )
    project_by_slug: Project | None = strawberry.field(
        resolver=resolve_project_by_slug,
        description="The project at namespace/slug, or null if missing or hidden.",
    )
    projects: ProjectConnection = strawberry.field(
        resolver=resolve_projects,
        description="Every project the caller may see (public only if anonymous) matching the "
        "filters; `minimumRole` keeps those where the caller's own role includes it.",
    )


schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[User, Group, Project], extensions=[mask_errors]
)
