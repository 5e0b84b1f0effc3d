"""Sessions as sandboxed Jupyter servers on this machine, one folder each in the data folder.

A session's folder holds `home/` (its home, with the project's clone in `home/work`), and
`server.log` (its server's output). Hibernating stops the server and keeps the folder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectDirectory, ProjectLoader
from renku_fed.subgraphs.sessions.backends.git_credentials import git_credentials
from renku_fed.subgraphs.sessions.backends.launch_storage import LaunchStorageClient, own_token
from renku_fed.subgraphs.sessions.backends.local_git import clone, configure, local_repository
from renku_fed.subgraphs.sessions.backends.local_jupyter import (
    LOG_FILE,
    ServerSpec,
    answers,
    free_port,
    is_running,
    start_server,
    stop_server,
    tail,
)
from renku_fed.subgraphs.sessions.backends.local_mounts import (
    attach_connectors,
    detach_connectors,
    remove_secrets,
    write_secrets,
)
from renku_fed.subgraphs.sessions.backends.local_sandbox import Sandbox
from renku_fed.subgraphs.sessions.backends.project_directory import project_loader
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.models import (
    Environment,
    EnvVar,
    ProjectInfo,
    Session,
    SessionState,
    SessionTarget,
)
from renku_fed.subgraphs.sessions.settings import SessionsSettings

log = logging.getLogger(__name__)
TOKEN_FILE = ".renku-fed/token"
CREDENTIALS_FILE = ".git-credentials"


class LocalSessionBackend:
    """A `SessionBackend` running each session as a sandboxed Jupyter server on loopback."""

    def __init__(
        self, settings: SessionsSettings, store: SqliteStore, projects: ProjectDirectory
    ) -> None:
        self.store = store
        self.public_url = settings.public_url
        self.launch_lock = asyncio.Lock()
        self.max_live_sessions = settings.max_live_sessions
        self.max_live_sessions_per_user = settings.max_live_sessions_per_user
        self._settings = settings
        self._projects = projects
        self._sandbox = Sandbox(enabled=settings.sandbox == "bubblewrap")
        self._sessions_dir = settings.data_dir / "sessions"
        self._client = httpx.AsyncClient(timeout=1.0)
        secret = settings.storage_secret.get_secret_value() if settings.storage_secret else None
        self._storage = LaunchStorageClient(settings.storage_url, secret)
        self._locks: dict[str, asyncio.Lock] = {}
        self._reconciler: asyncio.Task[None] | None = None

    def session_dir(self, session_id: str) -> Path:
        """The session's folder."""
        return self._sessions_dir / session_id

    def project_loader(self, caller: Identity) -> ProjectLoader:
        """A new loader of projects as the caller sees them, for one GraphQL request."""
        return project_loader(self._projects, caller)

    async def start(self) -> None:
        """Re-adopt servers still running from an earlier run; mark vanished ones FAILED."""
        self._sandbox.check()
        live = await asyncio.to_thread(self.store.sessions_in, *_LIVE)
        for session in live:
            if session.pid is not None and is_running(session.pid, session.id):
                log.info("re-adopted a running session", extra={"session": session.id})
                continue
            await self._save(
                session.with_state(
                    SessionState.FAILED,
                    "The session's server was gone when the sessions service restarted; "
                    "resume the session to start it again.",
                )
            )
            log.warning("marked a vanished session failed", extra={"session": session.id})
        self._reconciler = asyncio.create_task(self._reconcile_forever())

    async def close(self) -> None:
        """Hibernate every running session; their files stay for a resume."""
        if self._reconciler is not None:
            self._reconciler.cancel()
            await asyncio.gather(self._reconciler, return_exceptions=True)
        live = await asyncio.to_thread(self.store.sessions_in, *_LIVE)
        await asyncio.gather(
            *(self._stop(s, "Hibernated when the sessions service stopped.") for s in live)
        )
        await self._client.aclose()
        await self._storage.close()

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    async def _current(self, session_id: str) -> Session | None:
        return await asyncio.to_thread(self.store.session, session_id)

    async def _reconcile_forever(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("reconciling sessions failed")
            await asyncio.sleep(self._settings.reconcile_interval_seconds)

    async def reconcile(self) -> None:
        """One pass: follow the servers, hibernate idle sessions, delete long-hibernated ones."""
        states = (SessionState.STARTING, SessionState.RUNNING, SessionState.HIBERNATED)
        for session in await asyncio.to_thread(self.store.sessions_in, *states):
            async with self._lock(session.id):
                current = await self._current(session.id)
                if current is not None and current.state in states:
                    await self._reconcile_one(current, datetime.now(UTC))

    async def _reconcile_one(self, session: Session, now: datetime) -> None:
        if session.state is SessionState.HIBERNATED:
            if session.will_delete_at is not None and session.will_delete_at <= now:
                await self._delete(session)
            return
        if session.pid is None or not is_running(session.pid, session.id):
            if session.pid is not None:
                # Its kernels and terminals may outlive it in its process group: end them too.
                await stop_server(session.pid, session.id, self._settings.stop_timeout_seconds)
            message = "The session's server stopped unexpectedly; see its logs, then resume it."
            await self._save(replace(session.with_state(SessionState.FAILED, message), pid=None))
            log.warning("session server exited", extra={"session": session.id})
            return
        if session.state is SessionState.STARTING:
            await self._follow_start(session, now)
        elif session.will_hibernate_at is not None and session.will_hibernate_at <= now:
            idle = session.idle_threshold_seconds
            await self._stop(session, f"Hibernated after {idle} seconds without use.")

    async def _follow_start(self, session: Session, now: datetime) -> None:
        assert session.port is not None and session.secret is not None
        if await answers(session.port, session.id, session.secret, self._client):
            # The idle timer starts when the server answers, however long it took to start.
            running = session.with_state(SessionState.RUNNING, session.message)
            await self._save(replace(running, last_interaction=now))
            log.info("session running", extra={"session": session.id})
        elif (
            now - session.last_interaction
        ).total_seconds() > self._settings.start_timeout_seconds:
            await self._stop(session, "The session's server did not start in time; resume it.")
            failed = await self._current(session.id)
            if failed is not None:
                await self._save(failed.with_state(SessionState.FAILED, failed.message))

    async def launch(
        self,
        session: Session,
        project: ProjectInfo,
        environment: Environment,
        env: Sequence[EnvVar],
        owner: Identity,
    ) -> Session:
        """Clone the project into the session's home and start its server."""
        home = self.session_dir(session.id) / "home"
        home.mkdir(parents=True)
        try:
            repository = await self._clone(project, home / "work", owner)
            remote = project.repositories[0] if project.repositories else None
            plan = LaunchPlan(
                {item.name: item.value for item in env}, repository, project.can_write, remote
            )
            await asyncio.to_thread(plan.save, self.session_dir(session.id))
            return await self._run(session, owner)
        except BaseException:
            await asyncio.to_thread(shutil.rmtree, self.session_dir(session.id), True)
            raise

    async def _clone(self, project: ProjectInfo, work: Path, owner: Identity) -> Path | None:
        if not project.repositories:
            work.mkdir()
            return None
        url = project.repositories[0]
        timeout = self._settings.clone_timeout_seconds
        await clone(url, work, timeout, read_only=not project.can_write, token=owner.token)
        repository = local_repository(url)
        author = (owner.username or "renku", owner.email or f"{owner.username}@renku.local")
        await configure(work, self._sandbox.origin(repository), author, timeout)
        return repository

    async def _run(self, session: Session, owner: Identity) -> Session:
        session_dir = self.session_dir(session.id)
        plan = await asyncio.to_thread(LaunchPlan.load, session_dir)
        taken = {s.port for s in await asyncio.to_thread(self.store.sessions_in, *_LIVE) if s.port}
        settings = self._settings
        try:
            port = free_port(settings.port_range_start, settings.port_range_end, taken)
        except OSError as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE, "No port is free for another session; try again later."
            ) from exc
        await asyncio.to_thread(self._write_token, session, owner)
        home = self._sandbox.home(session_dir)
        storage = await self._storage.launch_storage(
            session.project_id, session.owner_id, own_token(session, owner)
        )
        work = session_dir / "home" / "work"
        notes = await attach_connectors(storage, session_dir, work, settings.clone_timeout_seconds)
        await asyncio.to_thread(write_secrets, storage, session_dir)
        env = dict(plan.env)
        env.update(
            RENKU_FED_URL=self.public_url,
            RENKU_FED_TOKEN_FILE=f"{home}/{TOKEN_FILE}",
            RENKU_FED_SESSION_ID=session.id,
            RENKU_FED_SECRETS_DIR=self._sandbox.secrets(session_dir, storage.secrets_directory),
        )
        spec = ServerSpec(
            session_id=session.id,
            session_dir=session_dir,
            port=port,
            token=secrets.token_urlsafe(32),
            memory_gb=session.resources.memory,
            env=env,
            repository=plan.repository,
            writable_repository=plan.writable,
            secrets_directory=storage.secrets_directory,
        )
        process = await start_server(spec, self._sandbox)
        started = replace(
            session.with_state(SessionState.STARTING, storage.message(notes)),
            port=port,
            pid=process.pid,
            secret=spec.token,
            hibernated_at=None,
            last_interaction=datetime.now(UTC),
        )
        await self._save(started)
        log.info("session starting", extra={"session": session.id, "port": port})
        return started

    def _write_token(self, session: Session, owner: Identity) -> None:
        if owner.token is None:
            return
        home = self.session_dir(session.id) / "home"
        (home / TOKEN_FILE).parent.mkdir(mode=0o700, exist_ok=True)
        _write_private(home / TOKEN_FILE, owner.token)
        remote = LaunchPlan.load(self.session_dir(session.id)).remote
        credentials = git_credentials(remote or "", owner.token)
        if credentials:
            _write_private(home / CREDENTIALS_FILE, credentials)

    def renew_token(self, session: Session, owner: Identity) -> None:
        """Write the owner's newest access token into the running session's token file."""
        if session.state in (SessionState.STARTING, SessionState.RUNNING):
            self._write_token(session, owner)

    def _revoke_token(self, session: Session) -> None:
        (self.session_dir(session.id) / "home" / TOKEN_FILE).unlink(missing_ok=True)
        (self.session_dir(session.id) / "home" / CREDENTIALS_FILE).unlink(missing_ok=True)

    async def hibernate(self, session: Session) -> Session:
        """Stop the server, keep the files."""
        async with self._lock(session.id):
            current = await self._current(session.id) or session
            if current.state not in _LIVE:
                return current
            return await self._stop(current, None)

    async def _stop(self, session: Session, message: str | None) -> Session:
        await self._save(session.with_state(SessionState.STOPPING, message))
        if session.pid is not None:
            await stop_server(session.pid, session.id, self._settings.stop_timeout_seconds)
        await asyncio.to_thread(self._revoke_token, session)
        await detach_connectors(self.session_dir(session.id))
        await asyncio.to_thread(remove_secrets, self.session_dir(session.id))
        hibernated = replace(
            session.with_state(SessionState.HIBERNATED, message),
            pid=None,
            port=None,
            secret=None,
            hibernated_at=datetime.now(UTC),
        )
        await self._save(hibernated)
        log.info("session hibernated", extra={"session": session.id})
        return hibernated

    async def resume(self, session: Session, owner: Identity) -> Session:
        """Start the server again on the session's files."""
        async with self._lock(session.id):
            current = await self._current(session.id) or session
            if current.state in _LIVE:
                return current
            return await self._resume(current, owner)

    async def _resume(self, session: Session, owner: Identity) -> Session:
        if not (self.session_dir(session.id) / "home" / "work").is_dir():
            raise DomainError(
                ErrorCode.CONFLICT,
                "The session's files are gone; delete it and launch a new one.",
                "id",
            )
        return await self._run(session, owner)

    async def delete(self, session: Session) -> None:
        """Stop the server, forget the session and remove its folder."""
        async with self._lock(session.id):
            await self._delete(await self._current(session.id) or session)
        self._locks.pop(session.id, None)

    async def _delete(self, session: Session) -> None:
        await self._save(session.with_state(SessionState.STOPPING))
        if session.pid is not None:
            await stop_server(session.pid, session.id, self._settings.stop_timeout_seconds)
        # A mounted connector must not be emptied by removing the folder below.
        await detach_connectors(self.session_dir(session.id))
        # A clone can be large; removing it must not hold up the event loop. The record goes
        # last: once the session is gone from the API, so are its files.
        await asyncio.to_thread(shutil.rmtree, self.session_dir(session.id), True)
        await asyncio.to_thread(self.store.delete_session, session.id)
        log.info("session deleted", extra={"session": session.id})

    async def logs(self, session: Session, max_lines: int) -> str:
        """The last lines of the server's output."""
        return await asyncio.to_thread(tail, self.session_dir(session.id) / LOG_FILE, max_lines)

    def target(self, session: Session) -> SessionTarget | None:
        """The server's loopback address while it runs."""
        if session.state is not SessionState.RUNNING or not session.port or not session.secret:
            return None
        upstream = f"http://127.0.0.1:{session.port}"
        return SessionTarget(session_id=session.id, upstream=upstream, secret=session.secret)

    async def _save(self, session: Session) -> None:
        await asyncio.to_thread(self.store.save_session, session)


_LIVE = (SessionState.STARTING, SessionState.RUNNING, SessionState.STOPPING)


@dataclass(frozen=True, slots=True)
class LaunchPlan:
    """What a session's server is started with, kept outside its sandbox for resumes."""

    env: dict[str, str]
    repository: Path | None
    writable: bool
    remote: str | None = None

    def save(self, session_dir: Path) -> None:
        """Write the plan into the session's folder."""
        repository = str(self.repository) if self.repository else None
        data = {
            "env": self.env,
            "repository": repository,
            "writable": self.writable,
            "remote": self.remote,
        }
        (session_dir / "launch.json").write_text(json.dumps(data))

    @classmethod
    def load(cls, session_dir: Path) -> LaunchPlan:
        """The plan the session was launched with."""
        path = session_dir / "launch.json"
        data = json.loads(path.read_text()) if path.exists() else {}
        repository = data.get("repository")
        return cls(
            env=dict(data.get("env", {})),
            repository=Path(repository) if repository else None,
            writable=bool(data.get("writable")),
            remote=data.get("remote"),
        )


def _write_private(path: Path, text: str) -> None:
    """Replace a file's content with `text`, readable by its owner only (0600)."""
    temporary = path.with_suffix(".new")
    temporary.touch(mode=0o600)
    temporary.chmod(0o600)
    temporary.write_text(text)
    temporary.replace(path)
