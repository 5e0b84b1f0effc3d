"""The sessions subgraph's use cases: who may launch, see and delete which sessions.

Sessions are personal: only their owner sees or deletes them. Launchers are visible to whoever
may see their project, as the request's project loader (the supergraph's `project`) tells.
"""

from __future__ import annotations

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectLoader, SessionBackend
from renku_fed.subgraphs.sessions.models import Launcher, Session


async def launch_session(
    backend: SessionBackend,
    caller: Identity,
    projects: ProjectLoader,
    project_id: str,
    launcher_id: str | None,
) -> Session:
    """Start a session of a project the caller may see, with one of its launchers."""
    if caller.subject is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to launch a session.")
    project = await projects.load(project_id)
    if project is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, f"There is no project {project_id!r}.", field="projectId"
        )
    launcher = _pick_launcher(backend, project_id, launcher_id)
    if not project.repositories:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"The project {project.namespace}/{project.slug} has no repository to open.",
            field="projectId",
        )
    return await backend.launch(caller.subject, project, launcher)


async def delete_session(backend: SessionBackend, caller: Identity, session_id: str) -> None:
    """Stop and remove one of the caller's sessions."""
    if caller.subject is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to delete a session.")
    if session(backend, caller, session_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"You have no session {session_id!r}.", "id")
    await backend.delete(session_id)


def session(backend: SessionBackend, caller: Identity, session_id: str) -> Session | None:
    """The session, when the caller owns it."""
    found = backend.session(session_id)
    if found is None or caller.subject is None or found.owner_id != caller.subject:
        return None
    return found


def sessions(
    backend: SessionBackend, caller: Identity, project_id: str | None = None
) -> list[Session]:
    """The caller's sessions, newest first, optionally of one project; empty when anonymous."""
    if caller.subject is None:
        return []
    return backend.sessions(caller.subject, project_id)


def user_sessions(backend: SessionBackend, caller: Identity, user_id: str) -> list[Session]:
    """A user's sessions when the caller is that user, otherwise empty."""
    if caller.subject != user_id:
        return []
    return sessions(backend, caller)


async def launcher(
    backend: SessionBackend, projects: ProjectLoader, launcher_id: str
) -> Launcher | None:
    """A launcher by id, when the loader's caller may see its project."""
    found = backend.launcher(launcher_id)
    if found is None or await projects.load(found.project_id) is None:
        return None
    return found


async def launchers(
    backend: SessionBackend, projects: ProjectLoader, project_id: str
) -> list[Launcher]:
    """A project's launchers, by name; empty when the loader's caller may not see the project."""
    found = backend.launchers(project_id)
    if not found or await projects.load(project_id) is None:
        return []
    return found


def _pick_launcher(
    backend: SessionBackend, project_id: str, launcher_id: str | None
) -> Launcher | None:
    """The asked launcher of the project, or its first one when none is asked."""
    if launcher_id is None:
        found = backend.launchers(project_id)
        return found[0] if found else None
    chosen = backend.launcher(launcher_id)
    if chosen is None or chosen.project_id != project_id:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"The project has no launcher {launcher_id!r}.",
            field="launcherId",
        )
    return chosen
