"""The `ProjectStore` protocol every projects backend (embedded, GitLab) implements."""

from __future__ import annotations

from typing import Protocol

from subgraphs.common.pagination import PageRequest
from subgraphs.common.tokens import Identity
from subgraphs.projects.models import NewProject, Project, ProjectFilter, ProjectPage


class ProjectStore(Protocol):
    """Where projects live; every call acts on behalf of `caller` and sees what they may see.

    A backend like GitLab answers with the caller's own token, so visibility and permission
    checks belong to the store rather than to the schema.
    """

    async def get(self, project_id: str, caller: Identity) -> Project | None:
        """The project with this id if the caller may see it, else None."""
        ...

    async def get_by_slug(self, namespace: str, slug: str, caller: Identity) -> Project | None:
        """The project at `namespace/slug` if the caller may see it, else None."""
        ...

    async def search(
        self, caller: Identity, where: ProjectFilter, page: PageRequest
    ) -> ProjectPage:
        """The visible projects matching `where`, in (creation date, id) order."""
        ...

    async def create(self, caller: Identity, new: NewProject) -> Project:
        """Create a project owned by the caller, with its repository; DomainError if refused."""
        ...

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete a project and its repository; DomainError NOT_FOUND or FORBIDDEN if refused."""
        ...
