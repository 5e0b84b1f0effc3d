"""Sessions as `jupyter server` processes on this machine, one folder each in the data folder."""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ulid import ULID

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectDirectory, ProjectLoader
from renku_fed.subgraphs.sessions.backends.local_git import clone
from renku_fed.subgraphs.sessions.backends.local_jupyter import (
    JupyterServer,
    free_port,
    kill_orphan,
)
from renku_fed.subgraphs.sessions.backends.local_store import SessionStore
from renku_fed.subgraphs.sessions.backends.project_directory import project_loader
from renku_fed.subgraphs.sessions.models import Launcher, ProjectInfo, Session, SessionState
from renku_fed.subgraphs.sessions.settings import SessionsSettings

log = logging.getLogger(__name__)


class LocalSessionBackend:
    """A `SessionBackend` running each session as a child `jupyter server` on loopback."""

    def __init__(
        self, settings: SessionsSettings, store: SessionStore, projects: ProjectDirectory
    ) -> None:
        self._settings = settings
        self._store = store
        self._projects = projects
        self._sessions_dir = settings.data_dir / "sessions"
        self._servers: dict[str, JupyterServer] = {}
        self._supervisors: dict[str, asyncio.Task[None]] = {}
        self._stopping: set[str] = set()
        self._launching: Counter[str] = Counter()

    def _session_dir(self, session_id: str) -> Path:
        return self._sessions_dir / session_id

    async def start(self) -> None:
        """Mark sessions a previous run left live as STOPPED, killing servers still around."""
        for session in self._store.live_sessions():
            if session.pid is not None and kill_orphan(session.pid, self._work_dir(session.id)):
                log.warning("killed an orphaned session server", extra={"session": session.id})
            self._store.set_state(session.id, SessionState.STOPPED)
            log.info("marked a stale session stopped", extra={"session": session.id})

    async def close(self) -> None:
        """Stop every running server and mark its session STOPPED."""
        await asyncio.gather(*(self._stop(session_id) for session_id in list(self._servers)))
        for session_id in list(self._servers):
            self._store.set_state(session_id, SessionState.STOPPED)
        self._servers.clear()

    def project_loader(self, caller: Identity) -> ProjectLoader:
        """A new loader of projects as the caller sees them, for one GraphQL request."""
        return project_loader(self._projects, caller)

    async def launch(self, owner: str, project: ProjectInfo, launcher: Launcher | None) -> Session:
        """Clone the project's first repository and start a Jupyter server on it for `owner`."""
        self._check_live_sessions(owner)
        self._launching[owner] += 1
        try:
            return await self._start(owner, project, launcher)
        finally:
            self._launching[owner] -= 1
            if not self._launching[owner]:
                del self._launching[owner]

    def _check_live_sessions(self, owner: str) -> None:
        most = self._settings.max_live_sessions_per_user
        live = sum(s.state.is_live for s in self._store.sessions(owner)) + self._launching[owner]
        if live >= most:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"You may have at most {most} sessions starting or running at once, and have "
                f"{live}; delete one (`deleteSession`) before launching another.",
            )

    async def _start(self, owner: str, project: ProjectInfo, launcher: Launcher | None) -> Session:
        session_id = str(ULID()).lower()
        session_dir = self._session_dir(session_id)
        session_dir.mkdir(parents=True)
        work_dir = self._work_dir(session_id)
        try:
            await clone(
                project.repositories[0],
                work_dir,
                self._settings.clone_timeout_seconds,
                read_only=not project.can_write,
            )
            server = await JupyterServer.start(
                session_dir, work_dir, free_port(), secrets.token_urlsafe(32)
            )
        except BaseException:
            await asyncio.to_thread(shutil.rmtree, session_dir, ignore_errors=True)
            raise
        session = Session(
            id=session_id,
            name=f"{project.slug}-{session_id[-6:]}",
            project_id=project.id,
            owner_id=owner,
            state=SessionState.STARTING,
            started_at=datetime.now(UTC),
            launcher_id=launcher.id if launcher else None,
            port=server.port,
            pid=server.pid,
        )
        self._store.save(session)
        self._servers[session_id] = server
        self._supervisors[session_id] = asyncio.create_task(self._supervise(session_id, server))
        log.info(
            "session starting",
            extra={"session": session_id, "project": project.id, "port": server.port},
        )
        return self._with_url(session)

    async def delete(self, session_id: str) -> None:
        """Stop the session, then forget it and its folder."""
        self._store.set_state(session_id, SessionState.STOPPING)
        await self._stop(session_id)
        self._servers.pop(session_id, None)
        self._store.remove(session_id)
        # A clone can be large; removing it must not hold up the event loop.
        await asyncio.to_thread(shutil.rmtree, self._session_dir(session_id), ignore_errors=True)
        log.info("session deleted", extra={"session": session_id})

    def session(self, session_id: str) -> Session | None:
        """A session by id, with its URL while its server runs."""
        session = self._store.session(session_id)
        return self._with_url(session) if session else None

    def sessions(self, owner_id: str, project_id: str | None = None) -> list[Session]:
        """An owner's sessions, newest first."""
        return [self._with_url(s) for s in self._store.sessions(owner_id, project_id)]

    def launcher(self, launcher_id: str) -> Launcher | None:
        """A launcher by id."""
        return self._store.launcher(launcher_id)

    def launchers(self, project_id: str) -> list[Launcher]:
        """A project's launchers, by name."""
        return self._store.launchers(project_id)

    def _work_dir(self, session_id: str) -> Path:
        return self._session_dir(session_id) / "work"

    def _with_url(self, session: Session) -> Session:
        server = self._servers.get(session.id)
        if server is None or not session.state.is_live:
            return session
        return replace(session, url=server.url)

    async def _supervise(self, session_id: str, server: JupyterServer) -> None:
        """Follow a server: RUNNING once it answers, FAILED if it dies or never answers."""
        if await server.wait_ready(self._settings.start_timeout_seconds):
            if session_id not in self._stopping:
                self._store.set_state(session_id, SessionState.RUNNING)
                log.info("session running", extra={"session": session_id})
        elif session_id not in self._stopping:
            log.warning("session server did not start", extra={"session": session_id})
            await server.stop(self._settings.stop_timeout_seconds)
        code = await server.process.wait()
        if session_id not in self._stopping:
            self._servers.pop(session_id, None)
            self._store.set_state(session_id, SessionState.FAILED)
            log.warning("session server exited", extra={"session": session_id, "code": code})

    async def _stop(self, session_id: str) -> None:
        server = self._servers.get(session_id)
        supervisor = self._supervisors.pop(session_id, None)
        self._stopping.add(session_id)
        try:
            if server is not None:
                await server.stop(self._settings.stop_timeout_seconds)
            if supervisor is not None:
                supervisor.cancel()
                await asyncio.gather(supervisor, return_exceptions=True)
        finally:
            self._stopping.discard(session_id)
