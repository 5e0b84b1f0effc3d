"""Strawberry subgraphs shaped like the platform's, built live so their `_service.sdl` is real."""

from __future__ import annotations

import enum

import strawberry
from strawberry.federation.schema_directives import Key

from renku_fed.router.composition import SubgraphSource


@strawberry.enum
class Visibility(enum.Enum):
    """Who can see a project."""

    PUBLIC = "public"
    PRIVATE = "private"


@strawberry.input
class ProjectInput:
    """Input of createProject."""

    name: str
    visibility: Visibility = Visibility.PUBLIC
    keywords: list[str] | None = None


@strawberry.federation.type(keys=["id"], name="User")
class ProjectsUser:
    """A user, as the projects subgraph references it."""

    id: strawberry.ID


@strawberry.federation.type(keys=["id"], name="Project")
class Project:
    """A project, owned by the projects subgraph."""

    id: strawberry.ID
    name: str
    visibility: Visibility
    owner: ProjectsUser
    keywords: list[str]


@strawberry.type(name="Query")
class ProjectsQuery:
    """Projects queries."""

    @strawberry.field
    def project(self, id: strawberry.ID) -> Project | None:
        return None

    @strawberry.field
    def projects(self, first: int = 10, after: str | None = None) -> list[Project]:
        return []


@strawberry.type(name="Mutation")
class ProjectsMutation:
    """Projects mutations."""

    @strawberry.mutation
    def create_project(self, input: ProjectInput) -> Project:
        raise NotImplementedError


@strawberry.federation.type(keys=["id"], name="User")
class User:
    """A user, owned by the users subgraph."""

    id: strawberry.ID
    username: str
    email: str | None


@strawberry.type(name="Query")
class UsersQuery:
    """Users queries."""

    @strawberry.field
    def me(self) -> User | None:
        return None


@strawberry.federation.type(keys=["id"], name="Project")
class SessionsProject:
    """A project, extended with its sessions."""

    id: strawberry.ID

    @strawberry.field
    def sessions(self) -> list[Session]:
        return []


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)], name="User")
class SessionsUser:
    """A user, referenced but not resolved by the sessions subgraph."""

    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class Session:
    """An interactive session."""

    id: strawberry.ID
    project: SessionsProject
    user: SessionsUser
    url: str | None


@strawberry.type(name="Query")
class SessionsQuery:
    """Sessions queries."""

    @strawberry.field
    def sessions(self) -> list[Session]:
        return []


@strawberry.type(name="Mutation")
class SessionsMutation:
    """Sessions mutations."""

    @strawberry.mutation
    def stop_session(self, id: strawberry.ID) -> bool:
        return False


def _sdl(schema: strawberry.federation.Schema) -> str:
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.data is not None, result.errors
    return str(result.data["_service"]["sdl"])


def strawberry_sets() -> dict[str, list[SubgraphSource]]:
    """The `strawberry_live` set: three Strawberry subgraphs composed at test time."""
    schemas = {
        "projects": strawberry.federation.Schema(
            query=ProjectsQuery, mutation=ProjectsMutation, types=[ProjectsUser]
        ),
        "users": strawberry.federation.Schema(query=UsersQuery),
        "sessions": strawberry.federation.Schema(query=SessionsQuery, mutation=SessionsMutation),
    }
    return {
        "strawberry_live": [
            SubgraphSource(name, f"http://{name}:8000/graphql", _sdl(schema))
            for name, schema in schemas.items()
        ]
    }
