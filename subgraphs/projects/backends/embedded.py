"""The embedded project store: rows in SQLite, repositories as bare git repositories on disk."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ulid import ULID

from subgraphs.common.demo import DEMO_PROJECTS, DemoProject
from subgraphs.common.dev_issuer import dev_subject
from subgraphs.common.errors import DomainError, ErrorCode
from subgraphs.common.pagination import PageRequest, encode_cursor
from subgraphs.common.tokens import Identity
from subgraphs.projects.backends.repositories import Author, BareRepositories
from subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPage,
    Role,
    Visibility,
)

DATABASE_FILE = "projects.sqlite3"
REPOSITORIES_DIR = "repositories"

_SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    visibility TEXT NOT NULL,
    description TEXT,
    keywords TEXT NOT NULL,
    created_by TEXT NOT NULL,
    creation_date TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (namespace, slug)
);
CREATE INDEX IF NOT EXISTS projects_order ON projects (creation_date, id);
CREATE TABLE IF NOT EXISTS members (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX IF NOT EXISTS members_user ON members (user_id);
"""
_COLUMNS = (
    "id, namespace, slug, name, visibility, description, keywords, created_by, "
    "creation_date, updated_at"
)
_VISIBLE = (
    "(:admin OR visibility = 'PUBLIC' "
    "OR id IN (SELECT project_id FROM members WHERE user_id = :caller))"
)
_SEARCH = (
    "(name LIKE :pattern ESCAPE '\\' OR slug LIKE :pattern ESCAPE '\\' "
    "OR description LIKE :pattern ESCAPE '\\' OR keywords LIKE :pattern ESCAPE '\\')"
)


class EmbeddedProjectStore:
    """A `ProjectStore` in `<data_dir>/projects.sqlite3` and `<data_dir>/repositories/`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._path = data_dir / DATABASE_FILE
        self._repositories = BareRepositories(data_dir / REPOSITORIES_DIR)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One short-lived connection per call keeps every call safe to run in a worker thread;
        # `with db` makes the block one transaction.
        db = sqlite3.connect(self._path, timeout=10)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()

    def is_empty(self) -> bool:
        """True when no project is stored yet."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM projects LIMIT 1").fetchone() is None

    def seed_demo(self) -> bool:
        """Store the demo projects, members and repositories when empty; True when it did."""
        if not self.is_empty():
            return False
        for demo in DEMO_PROJECTS:
            author = Author(demo.namespace, f"{demo.namespace}@example.org")
            self._insert(_demo_project(demo), author)
        return True

    async def get(self, project_id: str, caller: Identity) -> Project | None:
        """The project with this id if the caller may see it, else None."""
        project = await asyncio.to_thread(self._one, "id = ?", (project_id,))
        return project if project is not None and project.is_visible_to(caller) else None

    async def get_by_slug(self, namespace: str, slug: str, caller: Identity) -> Project | None:
        """The project at `namespace/slug` if the caller may see it, else None."""
        project = await asyncio.to_thread(
            self._one, "namespace = ? AND slug = ?", (namespace, slug)
        )
        return project if project is not None and project.is_visible_to(caller) else None

    async def search(
        self, caller: Identity, where: ProjectFilter, page: PageRequest
    ) -> ProjectPage:
        """The visible projects matching `where`, in (creation date, id) order."""
        return await asyncio.to_thread(self._search, caller, where, page)

    async def create(self, caller: Identity, new: NewProject) -> Project:
        """Create a project owned by the caller, with its repository; CONFLICT on a taken slug."""
        if caller.subject is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to create a project.")
        if new.namespace != caller.username:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"You can only create projects in your own namespace {caller.username!r}; "
                "omit `namespace` or set it to your username.",
                field="namespace",
            )
        now = datetime.now(UTC)
        project = Project(
            id=str(ULID()),
            name=new.name,
            slug=new.slug,
            namespace=new.namespace,
            visibility=new.visibility,
            description=new.description,
            keywords=new.keywords,
            created_by=caller.subject,
            creation_date=now,
            updated_at=now,
            members=(Member(caller.subject, Role.OWNER),),
        )
        author = Author(
            name=" ".join(p for p in (caller.first_name, caller.last_name) if p) or new.namespace,
            email=caller.email or f"{new.namespace}@users.noreply.renku",
        )
        return await asyncio.to_thread(self._insert, project, author)

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete a project and its repository; NOT_FOUND or FORBIDDEN if refused."""
        project = await self.get(project_id, caller)
        if project is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, f"No project with id {project_id!r} exists.", field="id"
            )
        if not project.permissions_of(caller).delete:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"Only owners of {project.namespace}/{project.slug} can delete it.",
                field="id",
            )
        await asyncio.to_thread(self._remove, project)

    def _insert(self, project: Project, author: Author) -> Project:
        with self._connect() as db:
            if self._taken(db, project.namespace, project.slug):
                raise _slug_conflict(project)
        readme = f"# {project.name}\n" + (
            f"\n{project.description}\n" if project.description else ""
        )
        staged = self._repositories.stage(readme, author, project.creation_date)
        published: Path | None = None
        try:
            with self._connect() as db:
                try:
                    db.execute(
                        f"INSERT INTO projects ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _row(project),
                    )
                except sqlite3.IntegrityError as exc:
                    raise _slug_conflict(project) from exc
                db.executemany(
                    "INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)",
                    [(project.id, m.user_id, m.role.value) for m in project.members],
                )
                published = self._repositories.publish(staged, project.namespace, project.slug)
        except BaseException:
            self._repositories.discard(published or staged)
            raise
        return self._with_repository(project)

    def _remove(self, project: Project) -> None:
        withdrawn = self._repositories.withdraw(project.namespace, project.slug)
        try:
            with self._connect() as db:
                db.execute("DELETE FROM projects WHERE id = ?", (project.id,))
        except BaseException:
            if withdrawn is not None:
                self._repositories.restore(withdrawn, project.namespace, project.slug)
            raise
        self._repositories.discard(withdrawn)

    @staticmethod
    def _taken(db: sqlite3.Connection, namespace: str, slug: str) -> bool:
        query = "SELECT 1 FROM projects WHERE namespace = ? AND slug = ?"
        return db.execute(query, (namespace, slug)).fetchone() is not None

    def _one(self, condition: str, params: tuple[str, ...]) -> Project | None:
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM projects WHERE {condition}", params)
            found = row.fetchone()
            return None if found is None else self._projects(db, [found])[0]

    def _search(self, caller: Identity, where: ProjectFilter, page: PageRequest) -> ProjectPage:
        params: dict[str, Any] = {
            "admin": caller.is_admin,
            "caller": caller.subject,
            "limit": page.first + 1,
        }
        conditions = [_VISIBLE]
        if where.search:
            escaped = where.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["pattern"] = f"%{escaped}%"
            conditions.append(_SEARCH)
        if where.namespace is not None:
            params["namespace"] = where.namespace
            conditions.append("namespace = :namespace")
        if where.visibility is not None:
            params["visibility"] = where.visibility.value
            conditions.append("visibility = :visibility")
        if where.member is not None:
            params["member"] = where.member
            conditions.append("id IN (SELECT project_id FROM members WHERE user_id = :member)")
        matching = " AND ".join(conditions)
        position = ""
        if page.after is not None:
            params["after_date"], params["after_id"] = _position(page.after)
            position = (
                " AND (creation_date > :after_date "
                "OR (creation_date = :after_date AND id > :after_id))"
            )
        with self._connect() as db:
            count = f"SELECT COUNT(*) FROM projects WHERE {matching}"
            total = db.execute(count, params).fetchone()[0]
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM projects WHERE {matching}{position} "
                "ORDER BY creation_date, id LIMIT :limit",
                params,
            ).fetchall()
            items = self._projects(db, rows[: page.first])
        cursors = tuple(
            encode_cursor({"created": row["creation_date"], "id": row["id"]})
            for row in rows[: page.first]
        )
        return ProjectPage(
            items=tuple(items), cursors=cursors, total=total, has_next=len(rows) > page.first
        )

    def _projects(self, db: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Project]:
        ids = [row["id"] for row in rows]
        members: dict[str, list[Member]] = {project_id: [] for project_id in ids}
        marks = ", ".join("?" * len(ids))
        for member in db.execute(
            f"SELECT project_id, user_id, role FROM members WHERE project_id IN ({marks}) "
            "ORDER BY rowid",
            ids,
        ):
            members[member["project_id"]].append(Member(member["user_id"], Role(member["role"])))
        return [self._with_repository(_project(row, tuple(members[row["id"]]))) for row in rows]

    def _with_repository(self, project: Project) -> Project:
        url = self._repositories.url(project.namespace, project.slug)
        return replace(project, repositories=(url,))


def _position(after: dict[str, Any]) -> tuple[str, str]:
    created, project_id = after.get("created"), after.get("id")
    if not isinstance(created, str) or not isinstance(project_id, str):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The `after` cursor does not come from a project list; pass an `endCursor` it "
            "returned.",
            field="after",
        )
    return created, project_id


def _slug_conflict(project: Project) -> DomainError:
    return DomainError(
        ErrorCode.CONFLICT,
        f"A project with slug {project.slug!r} already exists in namespace "
        f"{project.namespace!r}; choose another `slug`.",
        field="slug",
    )


def _timestamp(moment: datetime) -> str:
    # A fixed-width UTC form, so that text order in SQLite is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _row(project: Project) -> tuple[Any, ...]:
    return (
        project.id,
        project.namespace,
        project.slug,
        project.name,
        project.visibility.value,
        project.description,
        json.dumps(list(project.keywords)),
        project.created_by,
        _timestamp(project.creation_date),
        _timestamp(project.updated_at),
    )


def _project(row: sqlite3.Row, members: tuple[Member, ...]) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        slug=row["slug"],
        namespace=row["namespace"],
        visibility=Visibility(row["visibility"]),
        description=row["description"],
        keywords=tuple(json.loads(row["keywords"])),
        created_by=row["created_by"],
        creation_date=datetime.fromisoformat(row["creation_date"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        members=members,
    )


def _demo_project(demo: DemoProject) -> Project:
    now = datetime.now(UTC)
    return Project(
        id=demo.id,
        name=demo.name,
        slug=demo.slug,
        namespace=demo.namespace,
        visibility=Visibility(demo.visibility),
        description=demo.description,
        keywords=demo.keywords,
        created_by=dev_subject(demo.namespace),
        creation_date=now,
        updated_at=now,
        members=tuple(Member(dev_subject(user), Role(role)) for user, role in demo.members),
    )
