"""Who may do what with sessions: signed-in callers, project viewers and editors, admins."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectLoader
from renku_fed.subgraphs.sessions.models import ProjectInfo

P = ParamSpec("P")
R = TypeVar("R")


async def blocking(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking call (the SQLite store) in a worker thread."""
    return await asyncio.to_thread(function, *args, **kwargs)


def signed_in(caller: Identity, action: str) -> str:
    """The caller's subject; UNAUTHENTICATED for anonymous callers."""
    if caller.subject is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, f"Sign in to {action}.")
    return caller.subject


def admin(caller: Identity, action: str) -> str:
    """The caller's subject when they are an admin; FORBIDDEN otherwise."""
    subject = signed_in(caller, action)
    if not caller.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN, f"Only Renku administrators may {action}.")
    return subject


async def visible_project(loader: ProjectLoader, project_id: str, field: str) -> ProjectInfo:
    """The project when the loader's caller may see it; NOT_FOUND naming `field` otherwise."""
    project = await loader.load(project_id)
    if project is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"There is no project {project_id!r}.", field)
    return project


async def editable_project(
    loader: ProjectLoader, caller: Identity, project_id: str, field: str
) -> ProjectInfo:
    """The project when the caller may change it (editor, owner or admin); FORBIDDEN if not."""
    project = await visible_project(loader, project_id, field)
    if not (project.can_write or caller.is_admin):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"Only editors of {project.namespace}/{project.slug} may change its launchers.",
            field,
        )
    return project
