"""The embedded project store: rows in SQLite, repositories as bare git repositories on disk."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ulid import ULID

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.projects.backends import NamespaceDirectory, push_hook, refusals
from renku_fed.subgraphs.projects.backends.embedded_namespaces import NamespaceMoves
from renku_fed.subgraphs.projects.backends.project_rows import (
    COLUMNS,
    cursor_of,
    listing_query,
    migrate,
    project_of,
    row_values,
    timestamp,
)
from renku_fed.subgraphs.projects.backends.repositories import Author, BareRepositories
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPage,
    ProjectPatch,
    ProjectSort,
    Role,
)

LOG = logging.getLogger(__name__)
DATABASE_FILE = "projects.sqlite3"
REPOSITORIES_DIR = "repositories"


class EmbeddedProjectStore:
    """A `ProjectStore` in `<data_dir>/projects.sqlite3` and `<data_dir>/repositories/`."""

    def __init__(self, data_dir: Path, namespaces: NamespaceDirectory | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._path = data_dir / DATABASE_FILE
        root = data_dir / REPOSITORIES_DIR
        self._repositories = BareRepositories(root, push_hook.SCRIPT)
        self._namespaces = namespaces
        with self._connect() as db:
            migrate(db)
        self._moves = NamespaceMoves(self._connect, self._repositories)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._path)

    def is_empty(self) -> bool:
        """True when no project is stored yet."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM projects LIMIT 1").fetchone() is None

    def all_projects(self) -> list[Project]:
        """Every stored project, oldest first; no permission checks (for announcing them)."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM projects ORDER BY creation_date, id")
            return self._projects(db, rows.fetchall(), {})

    def stored(self, project_id: str) -> Project | None:
        """The stored project with this id; no permission checks (for telling the kg)."""
        return self._one("id = ?", (project_id,), {})

    @property
    def database(self) -> Path:
        """The store's SQLite database file."""
        return self._path

    @property
    def repositories(self) -> Path:
        """The folder holding the projects' bare repositories."""
        return self._path.parent / REPOSITORIES_DIR

    def add(self, project: Project, author: Author) -> Project:
        """Store a project as it is, with a first commit by `author`; no permission checks.

        For seeding and imports; a taken slug is a CONFLICT.
        """
        return self._insert(project, partial(self._stage, project, author))

    def import_projects(self, projects: Sequence[Project], author: Author) -> None:
        """Store many projects at once, each with a copy of one initial repository.

        For bulk loads (migrations, tests): no permission checks; ids and slugs must be free.
        """
        staged = self._repositories.stage("# Imported project\n", author, datetime.now(UTC))
        try:
            with self._connect() as db:
                db.executemany(
                    f"INSERT INTO projects ({COLUMNS}) VALUES ({_MARKS})",
                    [row_values(project) for project in projects],
                )
                db.executemany(
                    "INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)",
                    [(p.id, m.user_id, m.role.value) for p in projects for m in p.members],
                )
                for project in projects:
                    self._repositories.publish(
                        self._repositories.duplicate(staged), project.namespace, project.slug
                    )
        finally:
            self._repositories.discard(staged)

    async def group_roles(self, caller: Identity) -> Mapping[str, Role]:
        """The caller's group roles by group slug; none when the users service cannot say."""
        if caller.subject is None or self._namespaces is None:
            return {}
        try:
            return await self._namespaces.group_roles(caller)
        except DomainError as error:
            # Failing closed: without the answer, group members see only what they would see
            # as non-members.
            LOG.warning("group roles unavailable, granting none: %s", error.message)
            return {}

    async def get(self, project_id: str, caller: Identity) -> Project | None:
        """The project with this id if the caller may see it, else None."""
        groups = await self.group_roles(caller)
        project = await asyncio.to_thread(self._one, "id = ?", (project_id,), groups)
        return project if project is not None and project.is_visible_to(caller) else None

    async def get_by_slug(self, namespace: str, slug: str, caller: Identity) -> Project | None:
        """The project at `namespace/slug` if the caller may see it, else None."""
        groups = await self.group_roles(caller)
        project = await asyncio.to_thread(
            self._one, "namespace = ? AND slug = ?", (namespace, slug), groups
        )
        if project is None:
            moved = await asyncio.to_thread(self._moves.redirect, namespace, slug)
            project = None if moved is None else await self.get(moved, caller)
        return project if project is not None and project.is_visible_to(caller) else None

    async def move(self, caller: Identity, project_id: str, namespace: str) -> Project:
        """Move a project to another namespace; see `NamespaceChanges`."""
        project = await self.get(project_id, caller)
        if project is None:
            raise refusals.not_found(project_id)
        if not project.permissions_of(caller).delete:
            raise refusals.cannot_delete(project)
        await self._check_namespace(caller, namespace)
        moved = await asyncio.to_thread(self._moves.move, project, namespace)
        return self._with_repository(moved)

    async def follow_rename(self, caller: Identity, old: str, new: str) -> list[str]:
        """Move a renamed group's projects; see `NamespaceChanges`."""
        found = None if self._namespaces is None else await self._namespaces.namespace(caller, old)
        if found is None or found.slug != new or not found.owned_group(caller):
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"Group {old!r} was not renamed to {new!r}, or you do not own it; rename the "
                "group with `updateGroup`, which moves its projects.",
                field="old",
            )
        return await asyncio.to_thread(self._moves.rename, old, new)

    async def delete_namespace(self, caller: Identity, namespace: str) -> list[str]:
        """Delete every project of a group; see `NamespaceChanges`."""
        found = None
        if self._namespaces is not None:
            found = await self._namespaces.namespace(caller, namespace)
        if found is None or found.redirected_from or not found.owned_group(caller):
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"Only the OWNERs of group {namespace!r} can delete all its projects.",
                field="namespace",
            )
        ids = await asyncio.to_thread(self._moves.ids_in, namespace)
        for project_id in ids:
            project = await asyncio.to_thread(self._one, "id = ?", (project_id,), {})
            if project is not None:
                await asyncio.to_thread(self._remove, project)
        return ids

    async def search(
        self,
        caller: Identity,
        where: ProjectFilter,
        page: PageRequest,
        sort: ProjectSort = ProjectSort.CREATION_DATE,
    ) -> ProjectPage:
        """The visible projects matching `where`, a page in `sort` order (ties broken by id)."""
        groups = await self.group_roles(caller)
        return await asyncio.to_thread(self._search, caller, where, page, sort, groups)

    async def create(self, caller: Identity, new: NewProject) -> Project:
        """Create a project owned by the caller, with its repository; see `ProjectStore`."""
        project = await self._new_project(caller, new, template_id=None)
        author = _author(caller, new.namespace)
        stage = partial(self._stage, project, author)
        return await asyncio.to_thread(self._insert, project, stage)

    async def copy(self, caller: Identity, source_id: str, new: NewProject) -> Project:
        """Copy a visible project and its repository into `new`; see `ProjectStore`."""
        source = await self.get(source_id, caller)
        if source is None:
            raise refusals.not_found(source_id, field="projectId")
        project = await self._new_project(caller, new, template_id=source.id)

        stage = partial(self._repositories.stage_copy, source.namespace, source.slug)
        return await asyncio.to_thread(self._insert, project, stage)

    async def _new_project(
        self, caller: Identity, new: NewProject, template_id: str | None
    ) -> Project:
        if caller.subject is None:
            raise DomainError(
                ErrorCode.UNAUTHENTICATED, "Sign in to create a project: send a bearer token."
            )
        await self._check_namespace(caller, new.namespace)
        now = datetime.now(UTC)
        return Project(
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
            documentation=new.documentation,
            is_template=new.is_template,
            template_id=template_id,
        )

    async def own_namespace(self, caller: Identity) -> str:
        """The caller's own namespace: the users subgraph's slug for them (their username
        without one); UNAVAILABLE when the users subgraph cannot say."""
        if self._namespaces is None:
            return caller.username or caller.subject or ""
        return await self._namespaces.own_namespace(caller)

    async def _check_namespace(self, caller: Identity, namespace: str) -> None:
        own = await self.own_namespace(caller)
        if namespace == own:
            return
        if self._namespaces is None:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"You can only create projects in your own namespace {own!r}; "
                "omit `namespace` or set it to that.",
                field="namespace",
            )
        role = await self._namespaces.group_role(caller, namespace)
        if caller.is_admin or (role is not None and role.includes(Role.EDITOR)):
            return
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"Creating projects in {namespace!r} needs the EDITOR or OWNER role in that group "
            f"(yours: {role.value if role else 'none'}); use your own namespace "
            f"{own!r} or ask a group owner.",
            field="namespace",
        )

    async def update(
        self, caller: Identity, project_id: str, if_match: str, patch: ProjectPatch
    ) -> Project:
        """Apply `patch` when `if_match` is the current etag; see `ProjectStore`."""
        groups = await self.group_roles(caller)
        return await asyncio.to_thread(self._update, caller, project_id, if_match, patch, groups)

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete a project and its repository; NOT_FOUND or FORBIDDEN if refused."""
        project = await self.get(project_id, caller)
        if project is None:
            raise refusals.not_found(project_id)
        if not project.permissions_of(caller).delete:
            raise refusals.cannot_delete(project)
        await asyncio.to_thread(self._remove, project)

    async def set_members(
        self, caller: Identity, project_id: str, members: Sequence[Member]
    ) -> Project:
        """Add members or change their roles; see `ProjectStore`. Every user must exist."""
        if self._namespaces is not None:
            unknown = await self._namespaces.unknown_users(caller, [m.user_id for m in members])
            if unknown:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    f"No user has the id {unknown[0]!r}; pass the `id` of a `User`.",
                    field="members",
                )

        def merge(project: Project) -> tuple[Member, ...]:
            changed = {member.user_id: member for member in members}
            kept = tuple(changed.pop(m.user_id, m) for m in project.members)
            return kept + tuple(changed.values())

        groups = await self.group_roles(caller)
        return await asyncio.to_thread(
            self._change_members, caller, project_id, merge, None, groups
        )

    async def remove_member(self, caller: Identity, project_id: str, user_id: str) -> Project:
        """Remove one member; see `ProjectStore`."""

        def without(project: Project) -> tuple[Member, ...]:
            if all(member.user_id != user_id for member in project.members):
                raise refusals.not_a_member(project, user_id)
            return tuple(member for member in project.members if member.user_id != user_id)

        groups = await self.group_roles(caller)
        return await asyncio.to_thread(
            self._change_members, caller, project_id, without, "userId", groups
        )

    def _locked(
        self,
        db: sqlite3.Connection,
        caller: Identity,
        project_id: str,
        groups: Mapping[str, Role],
    ) -> Project:
        # BEGIN IMMEDIATE takes the write lock before reading, so the checks below and the write
        # that follows see the same project.
        db.execute("BEGIN IMMEDIATE")
        project = self._read(db, "id = ?", (project_id,), groups)
        if project is None or not project.is_visible_to(caller):
            raise refusals.not_found(project_id)
        return project

    def _update(
        self,
        caller: Identity,
        project_id: str,
        if_match: str,
        patch: ProjectPatch,
        groups: Mapping[str, Role],
    ) -> Project:
        moved: tuple[str, str, str] | None = None
        try:
            with self._connect() as db:
                project = self._locked(db, caller, project_id, groups)
                if not project.permissions_of(caller).write:
                    raise refusals.cannot_write(project)
                if if_match != project.etag:
                    raise refusals.stale_etag(project, if_match)
                updated = replace(patch.apply(project), updated_at=datetime.now(UTC))
                renamed = updated.slug != project.slug
                if renamed and self._taken(db, project.namespace, updated.slug):
                    raise refusals.slug_conflict(updated)
                db.execute(
                    f"UPDATE projects SET ({COLUMNS}) = ({_MARKS}) WHERE id = ?",
                    (*row_values(updated), project.id),
                )
                if renamed:
                    self._repositories.move(project.namespace, project.slug, updated.slug)
                    moved = (project.namespace, updated.slug, project.slug)
        except BaseException:
            # The row was rolled back, so the repository goes back to the slug it still has.
            if moved is not None:
                self._repositories.move(*moved)
            raise
        return self._with_repository(updated)

    def _change_members(
        self,
        caller: Identity,
        project_id: str,
        change: Callable[[Project], tuple[Member, ...]],
        field: str | None,
        groups: Mapping[str, Role],
    ) -> Project:
        with self._connect() as db:
            project = self._locked(db, caller, project_id, groups)
            if not project.permissions_of(caller).change_membership:
                raise refusals.cannot_change_members(project)
            members = change(project)
            try:
                refusals.check_keeps_owner(project, members)
            except DomainError as error:
                raise DomainError(error.code, error.message, field or error.field) from None
            updated = replace(project, members=members, updated_at=datetime.now(UTC))
            db.execute("DELETE FROM members WHERE project_id = ?", (project.id,))
            db.executemany(
                "INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)",
                [(project.id, m.user_id, m.role.value) for m in members],
            )
            db.execute(
                "UPDATE projects SET updated_at = ? WHERE id = ?",
                (timestamp(updated.updated_at), project.id),
            )
        return self._with_repository(updated)

    def _stage(self, project: Project, author: Author) -> Path:
        readme = f"# {project.name}\n" + (
            f"\n{project.description}\n" if project.description else ""
        )
        return self._repositories.stage(readme, author, project.creation_date)

    def _insert(self, project: Project, stage: Callable[[], Path]) -> Project:
        with self._connect() as db:
            if self._taken(db, project.namespace, project.slug):
                raise refusals.slug_conflict(project)
        staged = stage()
        published: Path | None = None
        try:
            with self._connect() as db:
                try:
                    db.execute(
                        f"INSERT INTO projects ({COLUMNS}) VALUES ({_MARKS})", row_values(project)
                    )
                except sqlite3.IntegrityError as exc:
                    raise refusals.slug_conflict(project) from exc
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

    def _one(
        self, condition: str, params: tuple[str, ...], groups: Mapping[str, Role]
    ) -> Project | None:
        with self._connect() as db:
            return self._read(db, condition, params, groups)

    def _read(
        self,
        db: sqlite3.Connection,
        condition: str,
        params: tuple[str, ...],
        groups: Mapping[str, Role],
    ) -> Project | None:
        found = db.execute(f"SELECT {COLUMNS} FROM projects WHERE {condition}", params).fetchone()
        return None if found is None else self._projects(db, [found], groups)[0]

    def _search(
        self,
        caller: Identity,
        where: ProjectFilter,
        page: PageRequest,
        sort: ProjectSort,
        groups: Mapping[str, Role],
    ) -> ProjectPage:
        query = listing_query(caller, where, page, sort, groups)
        with self._connect() as db:
            total = db.execute(query.count, query.params).fetchone()[0]
            rows = db.execute(query.rows, query.params).fetchall()[: page.first + 1]
            items = self._projects(db, rows[: page.first], groups)
        return ProjectPage(
            items=tuple(items),
            cursors=tuple(cursor_of(row, sort) for row in rows[: page.first]),
            total=total,
            has_next=len(rows) > page.first,
        )

    def _projects(
        self,
        db: sqlite3.Connection,
        rows: list[sqlite3.Row],
        groups: Mapping[str, Role] | None = None,
    ) -> list[Project]:
        groups = groups or {}
        ids = [row["id"] for row in rows]
        members: dict[str, list[Member]] = {project_id: [] for project_id in ids}
        marks = ", ".join("?" * len(ids))
        for member in db.execute(
            f"SELECT project_id, user_id, role FROM members WHERE project_id IN ({marks}) "
            "ORDER BY rowid",
            ids,
        ):
            members[member["project_id"]].append(Member(member["user_id"], Role(member["role"])))
        return [
            self._with_repository(
                replace(
                    project_of(row, tuple(members[row["id"]])),
                    group_role=groups.get(row["namespace"]),
                )
            )
            for row in rows
        ]

    def _with_repository(self, project: Project) -> Project:
        url = self._repositories.url(project.namespace, project.slug)
        return replace(project, repositories=(url,))


_MARKS = ", ".join("?" * len(COLUMNS.split(",")))


def _author(caller: Identity, namespace: str) -> Author:
    return Author(
        name=" ".join(p for p in (caller.first_name, caller.last_name) if p) or namespace,
        email=caller.email or f"{namespace}@users.noreply.renku",
    )
