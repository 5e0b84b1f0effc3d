"""Project lookups of the sessions subgraph: one router request per GraphQL request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import (
    CLIMATE,
    DEMO_PROJECTS,
    FLIGHTS,
    SECRET_NOTES,
    DemoProject,
)
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import JUPYTER, demo_launchers, seed_demo
from renku_fed.subgraphs.sessions.models import Launcher
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.sessions import serving

FLIGHTS_LAUNCHER, SECRET_LAUNCHER, CLIMATE_LAUNCHER = (launcher.id for launcher in demo_launchers())
LAUNCHERS = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Project { id launchers { id } }
    ... on SessionLauncher { id project { id } }
  }
}"""
LAUNCH = """
mutation($input: LaunchSessionInput!) {
  launchSession(input: $input) { session { id } errors { code message field } }
}"""
UNAVAILABLE = "The projects service could not be reached; try again later."


def public_projects(count: int) -> list[DemoProject]:
    """Public projects of carol's besides the demo ones, each to get one launcher."""
    return [
        DemoProject(
            id=f"01JPUB{i:020d}",
            namespace="carol",
            slug=f"public-{i}",
            name=f"public-{i}",
            visibility="PUBLIC",
            description="",
            keywords=(),
            members=(("carol", "OWNER"),),
        )
        for i in range(count)
    ]


def settings_with_launchers(
    tmp_path: Path, extra: list[DemoProject], batch_size: int = 20
) -> SessionsSettings:
    """Settings whose store holds the demo launchers and one launcher per extra project."""
    settings = SessionsSettings(data_dir=tmp_path / "sessions", graph_batch_size=batch_size)
    store = SqliteStore(settings.data_dir / "sessions.sqlite3")
    seed_demo(store)
    for project in extra:
        store.save_launcher(
            Launcher(f"launcher-{project.id}", project.id, "Jupyter", JUPYTER.id, "carol")
        )
    return settings


def project_reps(projects: list[DemoProject]) -> list[dict[str, str]]:
    return [{"__typename": "Project", "id": project.id} for project in projects]


@pytest.mark.parametrize(
    ("extra", "batch_size", "requests"), [(0, 20, 1), (17, 20, 1), (42, 20, 3)]
)
async def test_launchers_of_many_projects_take_one_router_request_per_batch(
    tmp_path: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    extra: int,
    batch_size: int,
    requests: int,
) -> None:
    others = public_projects(extra)
    projects = [*DEMO_PROJECTS, *others]
    settings = settings_with_launchers(tmp_path, others, batch_size)
    seen: list[str | None] = []
    async with serving(settings, verifier, dev_issuer, tmp_path, seen, projects) as post:
        found = (await post(LAUNCHERS, as_user="alice", reps=project_reps(projects)))["_entities"]
    assert len(seen) == requests and all(token and token.startswith("Bearer ") for token in seen)
    assert [len(project["launchers"]) for project in found] == [1] * len(projects)


async def test_private_projects_stay_hidden_from_non_members_within_a_batch(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> None:
    settings = settings_with_launchers(tmp_path, [])
    reps = [
        *project_reps([FLIGHTS, SECRET_NOTES, CLIMATE]),
        {"__typename": "SessionLauncher", "id": SECRET_LAUNCHER},
        {"__typename": "SessionLauncher", "id": FLIGHTS_LAUNCHER},
    ]
    seen: list[str | None] = []
    async with serving(settings, verifier, dev_issuer, tmp_path, seen) as post:
        for outsider in (None, "bob"):
            flights, secret, climate, secret_launcher, flights_launcher = (
                await post(LAUNCHERS, as_user=outsider, reps=reps)
            )["_entities"]
            assert flights["launchers"] == [{"id": FLIGHTS_LAUNCHER}]
            assert climate["launchers"] == [{"id": CLIMATE_LAUNCHER}]
            assert secret["launchers"] == [] and secret_launcher is None
            assert flights_launcher == {"id": FLIGHTS_LAUNCHER, "project": {"id": FLIGHTS.id}}
        member = (await post(LAUNCHERS, as_user="alice", reps=reps))["_entities"]
    assert member[1]["launchers"] == [{"id": SECRET_LAUNCHER}]
    assert member[3] == {"id": SECRET_LAUNCHER, "project": {"id": SECRET_NOTES.id}}
    # One request per GraphQL request, each with its own caller's token (none when anonymous).
    assert len(seen) == 3 and seen[0] is None and seen[1] != seen[2]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(200, json={"data": None, "errors": [{"message": "down"}]}),
        httpx.ConnectError("refused"),
    ],
    ids=["bad-gateway", "no-data", "unreachable"],
)
async def test_a_failed_lookup_is_the_same_clear_error_for_every_project_in_the_batch(
    tmp_path: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    failure: httpx.Response | httpx.ConnectError,
) -> None:
    settings = settings_with_launchers(tmp_path, [])
    calls: list[httpx.Request] = []

    def fail(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if isinstance(failure, Exception):
            raise failure
        return failure

    router = httpx.MockTransport(fail)
    reps = project_reps([FLIGHTS, SECRET_NOTES, CLIMATE])
    async with serving(settings, verifier, dev_issuer, tmp_path, [], router=router) as post:
        body = await post(LAUNCHERS, as_user="alice", errors=True, reps=reps)
        launched: dict[str, Any] = (
            await post(LAUNCH, as_user="alice", input={"projectId": FLIGHTS.id})
        )["launchSession"]
    assert body["data"] == {"_entities": [None, None, None]}
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (UNAVAILABLE, "UNAVAILABLE")
    ] * 3
    assert launched == {
        "session": None,
        "errors": [{"code": "UNAVAILABLE", "message": UNAVAILABLE, "field": None}],
    }
    assert len(calls) == 2
