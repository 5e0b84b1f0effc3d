"""A GitLab-backed projects service's kg events: journalled on disk, so a kg that is down and a
restart of the service lose none, and delivered in the order the changes happened.

The projects app runs on the GitLab and Keycloak doubles with the test provider's real tokens;
the kg is the real kg app. Before it is entered, its port is bound but not listening, so every
post is refused like a kg that is down.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.kg.app import EVENTS_FILE
from renku_fed.subgraphs.kg.app import build_app as build_kg
from renku_fed.subgraphs.kg.settings import KgSettings
from renku_fed.subgraphs.projects.app import build_app as build_projects
from renku_fed.subgraphs.projects.backends.events import EventDelivery
from renku_fed.subgraphs.projects.backends.journal import JOURNAL_FILE, EventJournal
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from tests.support.doubles.server import LoopbackServer
from tests.support.doubles.world import GitLabWorld
from tests.support.oidc.provider import OidcProvider

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]

SECRET = "gitlab-events-test-secret"
ERRORS = "errors { code field }"
CREATE = f"""mutation($input: CreateProjectInput!) {{
  createProject(input: $input) {{ project {{ id etag }} {ERRORS} }} }}"""
UPDATE = f"""mutation($id: ID!, $etag: String!, $input: UpdateProjectInput!) {{
  updateProject(id: $id, ifMatch: $etag, input: $input) {{ project {{ id }} {ERRORS} }} }}"""
DELETE = f"mutation($id: ID!) {{ deleteProject(id: $id) {{ id {ERRORS} }} }}"


class ProjectsService:
    """The GitLab-backed projects app on one data dir, telling the kg at `kg_url`."""

    def __init__(
        self, world: GitLabWorld, provider: OidcProvider, data_dir: Path, kg_url: str
    ) -> None:
        settings = ProjectsSettings(
            data_dir=data_dir,
            backend="gitlab",
            gitlab_url=world.gitlab_url,
            gitlab_admin_token=SecretStr(world.accounts["root"].token),
            keycloak_url=world.keycloak_url,
            kg_events_url=f"{kg_url}/internal/events",
            events_secret=SecretStr(SECRET),
        )
        verifier = TokenVerifier(AuthSettings(issuer=provider.issuer, audiences=["renku"]))
        self.app = build_projects(settings, verifier, events_client=httpx.AsyncClient())

    @asynccontextmanager
    async def running(self) -> AsyncIterator[EventDelivery]:
        """The app between its start and its stop; its event delivery."""
        async with self.app.router.lifespan_context(self.app):
            yield self.app.state.kg_events

    async def mutate(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        """One GraphQL mutation as the token's user; its payload, which has no errors."""
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        payload: dict[str, Any] = next(iter(response.json()["data"].values()))
        assert payload["errors"] == [], payload
        return payload


def kg_server(kg_dir: Path, verifier: TokenVerifier) -> LoopbackServer:
    """The real kg app on a 127.0.0.1 port that is bound now and listens once entered."""
    return LoopbackServer(build_kg(KgSettings(data_dir=kg_dir, events_secret=SECRET), verifier))


def unavailable_kg(posts: list[dict[str, Any]]) -> LoopbackServer:
    """A kg answering 503 to every event, each noted in `posts`."""

    async def events(request: Request) -> JSONResponse:
        posts.append(await request.json())
        return JSONResponse({"error": "starting"}, status_code=503)

    return LoopbackServer(Starlette(routes=[Route("/internal/events", events, methods=["POST"])]))


def kg_events(kg_dir: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, project id, payload) of every event the kg stored, in order."""
    with sqlite3.connect(kg_dir / EVENTS_FILE) as db:
        rows = db.execute("SELECT kind, project_id, payload FROM events ORDER BY id").fetchall()
    return [(kind, project, json.loads(payload)) for kind, project, payload in rows]


def journalled(data_dir: Path) -> list[str]:
    """The type of every event waiting in the journal, oldest first."""
    with sqlite3.connect(data_dir / JOURNAL_FILE) as db:
        rows = db.execute("SELECT body FROM journal ORDER BY id").fetchall()
    return [json.loads(body)["type"] for (body,) in rows]


@pytest.mark.parametrize("down", ["closed port", "answering 503"])
async def test_events_made_while_the_kg_is_down_reach_it_after_a_restart(
    down: str,
    gitlab_world: GitLabWorld,
    oidc_provider: OidcProvider,
    realm_tokens: dict[str, str],
    verifier: TokenVerifier,
    tmp_path: Path,
) -> None:
    data_dir, kg_dir, alice = tmp_path / "projects", tmp_path / "kg", realm_tokens["alice"]
    kg = kg_server(kg_dir, verifier)
    refused: list[dict[str, Any]] = []
    with unavailable_kg(refused) as answering_503:
        down_url = kg.url if down == "closed port" else answering_503.url
        first = ProjectsService(gitlab_world, oidc_provider, data_dir, down_url)
        async with first.running():
            flights = (await first.mutate(CREATE, alice, input={"name": "Flights"}))["project"]
            patch = {"description": "Delays by airport.", "visibility": "PUBLIC"}
            await first.mutate(UPDATE, alice, id=flights["id"], etag=flights["etag"], input=patch)
            notes = (await first.mutate(CREATE, alice, input={"name": "Notes"}))["project"]
            await first.mutate(DELETE, alice, id=notes["id"])
            await asyncio.sleep(0.5)
    assert journalled(data_dir) == ["project", "project", "project", "deleted"]
    assert down == "closed port" or refused[0]["project"]["id"] == flights["id"]

    second = ProjectsService(gitlab_world, oidc_provider, data_dir, kg.url)
    with kg:
        async with second.running() as delivery:
            await asyncio.wait_for(delivery.flush(), 10)
    assert journalled(data_dir) == []
    stored = kg_events(kg_dir)
    assert [(kind, project_id) for kind, project_id, _ in stored] == [
        ("ACCESS", flights["id"]), ("ACCESS", flights["id"]),
        ("ACCESS", notes["id"]), ("DELETE", notes["id"]),
    ]  # fmt: skip
    assert stored[0][2]["project"]["visibility"] == "PRIVATE"
    assert stored[1][2]["project"]["visibility"] == "PUBLIC"
    assert stored[1][2]["project"]["description"] == "Delays by airport."


async def test_an_event_the_kg_rejects_is_dropped_with_a_log_line_and_the_next_delivered(
    gitlab_world: GitLabWorld,
    oidc_provider: OidcProvider,
    realm_tokens: dict[str, str],
    verifier: TokenVerifier,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data_dir, kg_dir = tmp_path / "projects", tmp_path / "kg"
    EventJournal(data_dir).append([{"type": "renamed", "projectId": "gone"}])
    with kg_server(kg_dir, verifier) as kg:
        service = ProjectsService(gitlab_world, oidc_provider, data_dir, kg.url)
        async with service.running() as delivery:
            created = await service.mutate(CREATE, realm_tokens["alice"], input={"name": "Maps"})
            await asyncio.wait_for(delivery.flush(), 10)
    assert journalled(data_dir) == []
    assert [(k, p) for k, p, _ in kg_events(kg_dir)] == [("ACCESS", created["project"]["id"])]
    rejected = [r for r in caplog.records if r.getMessage().startswith("kg rejected an event")]
    assert [(r.levelno, getattr(r, "status", None)) for r in rejected] == [(logging.ERROR, 400)]
