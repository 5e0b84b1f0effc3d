"""The blocking client's resources."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from renku_fed.sdk.errors import ServerError
from renku_fed.sdk.models import (
    Lineage,
    Member,
    Project,
    RecordedActivity,
    RecordedDataset,
    Role,
    SearchHit,
    Session,
    SessionState,
    User,
    Visibility,
)
from renku_fed.sdk.progress import Progress
from renku_fed.sdk.resources import calls
from renku_fed.sdk.resources.calls import Call, Page

T = TypeVar("T")
Run = Callable[[Call[Any]], Any]
Stream = Callable[[Call[Any]], Iterator[Any]]
"""Runs a subscription: each event read by the call, None for a heartbeat."""
POLL_SECONDS = 1.0


def _pages(run: Run, first: Callable[[str | None], Call[Page[T]]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page: Page[T] = run(first(cursor))
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def resolve_project(run: Run, project: Project | str) -> Project:
    """A project given as a model, an id, or `namespace/slug`."""
    if isinstance(project, Project):
        return project
    if "/" in project:
        result: Project = run(calls.get_project_by_slug(project))
        return result
    by_id: Project = run(calls.get_project(project))
    return by_id


class Members:
    """A project's members."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def list(self, project: Project | str) -> builtins.list[Member]:
        """The members and their roles."""
        return resolve_project(self._run, project).members

    def set(self, project: Project | str, members: dict[str, Role | str]) -> Project:
        """Add members or change roles: user id (or username) to role."""
        ids = {self._user_id(user): role for user, role in members.items()}
        target = resolve_project(self._run, project)
        result: Project = self._run(calls.set_members(target.id, ids))
        return result

    def remove(self, project: Project | str, user: str) -> Project:
        """Remove a member (user id or username)."""
        target = resolve_project(self._run, project)
        result: Project = self._run(calls.remove_member(target.id, self._user_id(user)))
        return result

    def _user_id(self, user: str) -> str:
        if calls.is_user_id(user):
            return user
        found: User = self._run(calls.user_by_username(user))
        return found.id


class Projects:
    """Projects: list, read, create, change, delete; `members` for their members."""

    def __init__(self, run: Run) -> None:
        self._run = run
        self.members = Members(run)

    def list(
        self,
        search: str | None = None,
        visibility: Visibility | str | None = None,
        namespace: str | None = None,
        minimum_role: Role | str | None = None,
    ) -> Iterator[Project]:
        """Every project you may see that matches, fetched page by page as you iterate."""
        return _pages(
            self._run,
            lambda after: calls.list_projects(search, visibility, namespace, minimum_role, after),
        )

    def get(self, project_id: str) -> Project:
        """The project with this id (NotFound when missing or hidden)."""
        result: Project = self._run(calls.get_project(project_id))
        return result

    def get_by_slug(self, path: str) -> Project:
        """The project at `namespace/slug`, such as `alice/flights`."""
        result: Project = self._run(calls.get_project_by_slug(path))
        return result

    def create(self, name: str, **fields: Any) -> Project:
        """Create a project; `namespace`, `slug`, `visibility`, `description`, `keywords`."""
        result: Project = self._run(calls.create_project({"name": name, **fields}))
        return result

    def update(self, project: Project | str, **fields: Any) -> Project:
        """Change a project; Conflict when it changed since `project` was read (its etag)."""
        current = resolve_project(self._run, project)
        result: Project = self._run(calls.update_project(current, fields))
        return result

    def delete(self, project: Project | str) -> None:
        """Delete a project and its repository."""
        self._run(calls.delete_project(resolve_project(self._run, project).id))


class Users:
    """People with accounts."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def me(self) -> User:
        """The signed-in user."""
        result: User = self._run(calls.me())
        return result

    def get(self, user_id: str) -> User:
        """A user by id (NotFound when there is none)."""
        result: User = self._run(calls.get_user(user_id))
        return result

    def get_by_slug(self, username: str) -> User:
        """A user by username (such as `alice`), usually also their namespace's slug."""
        result: User = self._run(calls.user_by_username(username))
        return result


def settled(session: Session, deadline: float, progress: Progress) -> bool:
    """Whether waiting is over: RUNNING; FAILED raises ServerError, past `deadline` TimeoutError."""
    progress.update(session)
    if session.state is SessionState.FAILED:
        raise ServerError(f"session {session.id} failed: {session.message or 'no message'}")
    if session.state is SessionState.RUNNING:
        return True
    if time.monotonic() > deadline:
        raise TimeoutError(f"session {session.id} is still {session.state.value}")
    return False


class Sessions:
    """Your interactive sessions."""

    def __init__(self, run: Run, stream: Stream | None = None) -> None:
        self._run = run
        self._stream = stream

    def list(self) -> builtins.list[Session]:
        """Your sessions, newest first."""
        result: builtins.list[Session] = self._run(calls.list_sessions())
        return result

    def get(self, session_id: str) -> Session:
        """One of your sessions."""
        result: Session = self._run(calls.get_session(session_id))
        return result

    def launch(
        self,
        project: Project | str,
        launcher: str | None = None,
        wait: bool = True,
        timeout: float = 600.0,
    ) -> Session:
        """Start your session of a project (its first launcher, or `launcher`), and wait for it."""
        target = resolve_project(self._run, project)
        session: Session = self._run(calls.launch_session(target.id, launcher))
        return self.wait(session, timeout) if wait else session

    def wait(self, session: Session | str, timeout: float = 600.0) -> Session:
        """Wait until the session is RUNNING (ServerError if it fails, TimeoutError if slow).

        The router's `sessionChanged` subscription tells each change where the router offers
        it; otherwise the session is polled every second. On a terminal, standard error shows
        one line updated with its state while waiting.
        """
        current = session if isinstance(session, Session) else self.get(session)
        deadline, progress = time.monotonic() + timeout, Progress()
        changes = self._changes(current.id)
        try:
            while not settled(current, deadline, progress):
                current = next(changes) or current
        finally:
            changes.close()
            progress.finish(current)
        return current

    def _changes(self, session_id: str) -> Generator[Session | None, None, None]:
        """The session after each change, as the subscription tells or polling finds."""
        if self._stream is not None:
            yield from self._stream(calls.session_changed(session_id))
        while True:
            time.sleep(POLL_SECONDS)
            yield self.get(session_id)

    def hibernate(self, session: Session | str) -> Session:
        """Stop the server and keep its files."""
        result: Session = self._run(calls.session_change("HibernateSession", id_of(session)))
        return result

    def resume(self, session: Session | str) -> Session:
        """Start a hibernated session again."""
        result: Session = self._run(calls.session_change("ResumeSession", id_of(session)))
        return result

    def delete(self, session: Session | str) -> None:
        """Stop a session and remove it with its files."""
        self._run(calls.delete_session(id_of(session)))

    def logs(self, session: Session | str, max_lines: int = 250) -> str:
        """The last lines of the session's log."""
        result: str = self._run(calls.session_logs(id_of(session), max_lines))
        return result


class KnowledgeGraph:
    """Search and lineage over the knowledge graph."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def search(
        self,
        query: str | None = None,
        types: Sequence[str] | None = None,
        keywords: Sequence[str] | None = None,
    ) -> Iterator[SearchHit]:
        """Everything matching, best first, fetched page by page as you iterate."""
        return _pages(self._run, lambda after: calls.search(query, types, keywords, after))

    def lineage(self, project: Project | str, path: str) -> Lineage:
        """The graph of files and activities that led to `path` (a picture in Jupyter)."""
        target = resolve_project(self._run, project)
        result: Lineage = self._run(calls.lineage(target.id, path))
        return result

    def record_dataset(
        self,
        project: Project | str,
        name: str,
        *,
        title: str | None = None,
        description: str | None = None,
        files: Sequence[str] = (),
        keywords: Sequence[str] = (),
        creators: Sequence[dict[str, str]] | None = None,
        same_as: str | None = None,
    ) -> RecordedDataset:
        """Record a dataset of repository files in a project, committed under `.renku/`.

        `creators` are dicts with `name` and optionally `email`, `affiliation`, `userId`
        (default: you); `same_as` is the URL it was imported from.
        """
        target = resolve_project(self._run, project)
        fields: dict[str, Any] = {"title": title, "description": description, "files": files}
        fields |= {"keywords": keywords, "creators": creators, "same_as": same_as}
        result: RecordedDataset = self._run(calls.record_dataset(target.id, name, fields))
        return result

    def record_activity(
        self,
        project: Project | str,
        command: str,
        *,
        inputs: Sequence[str] = (),
        outputs: Sequence[str] = (),
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
        workflow_name: str | None = None,
    ) -> RecordedActivity:
        """Record a run of `command` that read `inputs` and wrote `outputs` (repository paths).

        Committed under `.renku/`; the lineage of each output then leads back through it.
        """
        target = resolve_project(self._run, project)
        fields: dict[str, Any] = {"inputs": inputs, "outputs": outputs, "started_at": started_at}
        fields |= {"ended_at": ended_at, "workflow_name": workflow_name}
        result: RecordedActivity = self._run(calls.record_activity(target.id, command, fields))
        return result


def id_of(session: Session | str) -> str:
    """The id of a session given as a model or an id."""
    return session.id if isinstance(session, Session) else session
