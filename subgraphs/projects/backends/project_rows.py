"""The embedded store's SQLite tables: schema, row mapping, and keyset-paged listing queries."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.projects.models import (
    Member,
    Project,
    ProjectFilter,
    ProjectSort,
    Role,
    Visibility,
)

SCHEMA = """
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
# Columns added after the walking skeleton; a store created by it gains them at start.
ADDED_COLUMNS = {
    "documentation": "TEXT",
    "is_template": "INTEGER NOT NULL DEFAULT 0",
    "template_id": "TEXT",
}
COLUMNS = (
    "id, namespace, slug, name, visibility, description, keywords, created_by, "
    "creation_date, updated_at, documentation, is_template, template_id"
)
# `:groups` is a JSON array of the slugs of the caller's groups: their projects are visible.
_VISIBLE = (
    "(:admin OR visibility = 'PUBLIC' "
    "OR id IN (SELECT project_id FROM members WHERE user_id = :caller) "
    "OR namespace IN (SELECT value FROM json_each(:groups)))"
)
_SEARCH = (
    "(name LIKE :pattern ESCAPE '\\' OR slug LIKE :pattern ESCAPE '\\' "
    "OR description LIKE :pattern ESCAPE '\\' OR keywords LIKE :pattern ESCAPE '\\')"
)


@dataclass(frozen=True, slots=True)
class SortOrder:
    """How one `ProjectSort` orders rows: a key expression and its direction, then id."""

    key: str
    descending: bool

    @property
    def order_by(self) -> str:
        """The ORDER BY clause."""
        direction = "DESC" if self.descending else "ASC"
        return f"{self.key} {direction}, id {direction}"

    @property
    def after(self) -> str:
        """The condition for rows after the cursor's (key, id) position."""
        op = "<" if self.descending else ">"
        return f"({self.key} {op} :after_key OR ({self.key} = :after_key AND id {op} :after_id))"


SORT_ORDERS = {
    ProjectSort.CREATION_DATE: SortOrder("creation_date", descending=False),
    ProjectSort.CREATION_DATE_DESC: SortOrder("creation_date", descending=True),
    ProjectSort.UPDATED_AT_DESC: SortOrder("updated_at", descending=True),
    ProjectSort.NAME: SortOrder("lower(name)", descending=False),
}
_SORT_KEYS = {
    ProjectSort.CREATION_DATE: "creation_date",
    ProjectSort.CREATION_DATE_DESC: "creation_date",
    ProjectSort.UPDATED_AT_DESC: "updated_at",
    ProjectSort.NAME: "sort_name",
}


def migrate(db: sqlite3.Connection) -> None:
    """Create the tables, and add the columns a walking-skeleton store lacks."""
    db.executescript(SCHEMA)
    present = {row[1] for row in db.execute("PRAGMA table_info(projects)")}
    for column, declaration in ADDED_COLUMNS.items():
        if column not in present:
            db.execute(f"ALTER TABLE projects ADD COLUMN {column} {declaration}")
    db.execute("CREATE INDEX IF NOT EXISTS projects_updated ON projects (updated_at, id)")
    db.execute("CREATE INDEX IF NOT EXISTS projects_template ON projects (template_id)")


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """The SQL of one page of a project listing, with its parameters."""

    count: str
    rows: str
    params: dict[str, Any]


def listing_query(
    caller: Identity,
    where: ProjectFilter,
    page: PageRequest,
    sort: ProjectSort,
    groups: Mapping[str, Role] | None = None,
) -> ListingQuery:
    """The count and page queries for the projects `caller` may see that match `where`.

    `groups` holds the caller's role in each of their groups, by slug: a group's role applies to
    every project in its namespace.
    """
    groups = groups or {}
    order = SORT_ORDERS[sort]
    params: dict[str, Any] = {
        "admin": caller.is_admin,
        "caller": caller.subject,
        "limit": page.first + 1,
        "groups": json.dumps(sorted(groups)),
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
    if where.template_id is not None:
        params["template_id"] = where.template_id
        conditions.append("template_id = :template_id")
    if where.minimum_role is not None:
        minimum = where.minimum_role
        roles = [role.value for role in Role if role.includes(minimum)]
        marks = ", ".join(f":role_{i}" for i in range(len(roles)))
        params.update({f"role_{i}": role for i, role in enumerate(roles)})
        params["strong_groups"] = json.dumps(
            sorted(g for g, r in groups.items() if r.includes(minimum))
        )
        conditions.append(
            f"(id IN (SELECT project_id FROM members WHERE user_id = :caller AND role IN ({marks}))"
            " OR namespace IN (SELECT value FROM json_each(:strong_groups)))"
        )
    matching = " AND ".join(conditions)
    position = ""
    if page.after is not None:
        params["after_key"], params["after_id"] = _position(page.after, sort)
        position = f" AND {order.after}"
    return ListingQuery(
        count=f"SELECT COUNT(*) FROM projects WHERE {matching}",
        rows=f"SELECT {COLUMNS}, lower(name) AS sort_name FROM projects "
        f"WHERE {matching}{position} ORDER BY {order.order_by} LIMIT :limit",
        params=params,
    )


def cursor_of(row: sqlite3.Row, sort: ProjectSort) -> str:
    """The cursor after `row` in a listing sorted by `sort`."""
    return encode_cursor({"sort": sort.value, "key": row[_SORT_KEYS[sort]], "id": row["id"]})


def _position(after: dict[str, Any], sort: ProjectSort) -> tuple[str, str]:
    key, project_id = after.get("key"), after.get("id")
    if not isinstance(key, str) or not isinstance(project_id, str):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The `after` cursor does not come from a project list; pass an `endCursor` it "
            "returned.",
            field="after",
        )
    if after.get("sort") != sort.value:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"The `after` cursor comes from a list sorted by {after.get('sort')}, not "
            f"{sort.value}; keep `sort` the same while paging.",
            field="after",
        )
    return key, project_id


def timestamp(moment: datetime) -> str:
    """A fixed-width UTC form, so that text order in SQLite is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def row_values(project: Project) -> tuple[Any, ...]:
    """The `COLUMNS` values of a project."""
    return (
        project.id,
        project.namespace,
        project.slug,
        project.name,
        project.visibility.value,
        project.description,
        json.dumps(list(project.keywords)),
        project.created_by,
        timestamp(project.creation_date),
        timestamp(project.updated_at),
        project.documentation,
        int(project.is_template),
        project.template_id,
    )


def project_of(row: sqlite3.Row, members: tuple[Member, ...]) -> Project:
    """The project a row and its members describe (without repository URLs)."""
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
        documentation=row["documentation"],
        is_template=bool(row["is_template"]),
        template_id=row["template_id"],
    )
