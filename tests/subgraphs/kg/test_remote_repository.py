"""The kg reads http(s) repositories (GitLab's) through a mirror, with its token as password,
and records into them by pushing as the caller, with their GitLab token from Keycloak's broker.

The remote is `git http-backend` behind HTTP Basic auth on 127.0.0.1, as GitLab serves
repositories to user `oauth2` with a token as the password; the broker is the Keycloak double.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.kg import core
from renku_fed.subgraphs.kg.app import build_app
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.events import EventKind, EventLog, access_to_json
from renku_fed.subgraphs.kg.ingest import Ingester, KgService
from renku_fed.subgraphs.kg.metadata import dataset_document, encode, path_of
from renku_fed.subgraphs.kg.models import DatasetRecord, ProjectAccess, Role, Viewer, Visibility
from renku_fed.subgraphs.kg.repository import Author, GitRepository, RepositoryError
from renku_fed.subgraphs.kg.settings import KgSettings
from tests.support.doubles.world import GitLabWorld
from tests.support.sessions_git_http import GitHttp, git_http

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]

BIRDS = DatasetRecord(id="birds", name="bird-counts", files=("data/birds.csv",))
ALICE = Author("Alice", "alice@example.org")
WHEN = datetime(2025, 1, 2, tzinfo=UTC)


def remote_with_metadata(root: Path) -> tuple[str, str]:
    """A bare repository `lab/birds.git` under `root` with a dataset's `.renku/` file."""
    bare = root / "lab" / "birds.git"
    subprocess.run(["git", "init", "--bare", "--quiet", "-b", "main", str(bare)], check=True)
    files = {path_of("datasets", BIRDS.id): encode(dataset_document(BIRDS))}
    commit = GitRepository(bare.as_uri()).commit_files(files, ALICE, "Birds", WHEN)
    return "lab/birds.git", commit


def test_an_http_repository_is_read_through_a_mirror_with_the_token(tmp_path: Path) -> None:
    path, commit = remote_with_metadata(tmp_path / "remote")
    with git_http(tmp_path / "remote") as server:
        url = f"{server.url}/{path}"
        repository = GitRepository(url, mirrors=tmp_path / "mirrors", token="read-token")
        repository.sync()
        assert repository.head() == commit
        assert list(repository.metadata_files(commit)) == [path_of("datasets", BIRDS.id)]
        assert set(server.passwords) == {"read-token"}

        refused = GitRepository(url, mirrors=tmp_path / "other-mirrors")
        with pytest.raises(RepositoryError, match=r"git fetch failed.*Authentication failed"):
            refused.sync()


def test_an_http_repository_without_mirrors_is_refused() -> None:
    with pytest.raises(RepositoryError, match="file://"):
        GitRepository("https://gitlab.example.org/lab/birds.git")


RECORD_DATASET = """mutation($input: RecordDatasetInput!) { recordDataset(input: $input) {
  datasetId commit errors { code field message } } }"""
PROJECT = "p-birds"
READ_TOKEN = "kg-read-token"


def git_log(bare: Path, fields: str) -> list[str]:
    """`git log` of the remote's main branch, one line per commit in `fields`' format."""
    shown = subprocess.run(
        ["git", f"--git-dir={bare}", "log", f"--format={fields}", "main"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return shown.stdout.splitlines()


@dataclass
class GitLabProject:
    """The kg serving a GitLab-like remote: record as a realm user, see what the remote holds."""

    record: Callable[[str], Awaitable[dict[str, Any]]]
    server: GitHttp
    bare: Path
    app: Starlette


@pytest.fixture
async def gitlab_project(
    tmp_path: Path,
    gitlab_world: GitLabWorld,
    realm_tokens: dict[str, str],
    oidc_auth_settings: AuthSettings,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[GitLabProject]:
    """A private project owned by alice, bob its editor, whose remote only alice may push to."""
    caplog.set_level(logging.DEBUG)
    path, _ = remote_with_metadata(tmp_path / "remote")
    settings = KgSettings(
        data_dir=tmp_path / "kg", keycloak_url=gitlab_world.keycloak_url, users_url=None,
        repository_token=SecretStr(READ_TOKEN), ingestion_poll_seconds=0.05,
    )  # fmt: skip
    app = build_app(settings, TokenVerifier(oidc_auth_settings))
    members = ((str(gitlab_world.callers["alice"].subject), Role.OWNER),
               (str(gitlab_world.callers["bob"].subject), Role.EDITOR))  # fmt: skip
    access = ProjectAccess(PROJECT, "lab", "birds", Visibility.PRIVATE, members)
    with git_http(tmp_path / "remote") as server:
        server.pushers = {gitlab_world.accounts["alice"].token}
        event = {"project": access_to_json(access), "repository": f"{server.url}/{path}"}
        app.state.ingester.events.add(EventKind.ACCESS, PROJECT, event)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://kg") as client,
        ):
            await app.state.ingester.drain()

            async def record(user: str) -> dict[str, Any]:
                variables = {"input": {"projectId": PROJECT, "name": "bird-counts",
                                       "files": ["data/birds.csv", "data/more.csv"]}}  # fmt: skip
                response = await client.post(
                    "/graphql",
                    json={"query": RECORD_DATASET, "variables": variables},
                    headers={"Authorization": f"Bearer {realm_tokens[user]}"},
                )
                result: dict[str, Any] = response.json()["data"]["recordDataset"]
                return result

            yield GitLabProject(record, server, tmp_path / "remote" / path, app)
    secrets = [READ_TOKEN, *realm_tokens.values()]
    secrets += [account.token for account in gitlab_world.accounts.values()]
    for secret in secrets:
        assert secret not in caplog.text
        assert all(secret not in repr(line.__dict__) for line in caplog.records)


async def test_a_dataset_recorded_into_a_gitlab_project_is_pushed_as_the_caller(
    gitlab_project: GitLabProject, gitlab_world: GitLabWorld
) -> None:
    recorded = await gitlab_project.record("alice")
    assert recorded["errors"] == []
    assert git_log(gitlab_project.bare, "%H") == [recorded["commit"], ANY]
    authors = git_log(gitlab_project.bare, "%an <%ae> / %cn <%ce>")[0]
    assert authors == "Alice Liddell <alice@example.org> / Alice Liddell <alice@example.org>"
    assert gitlab_world.accounts["alice"].token in gitlab_project.server.passwords
    ingester = gitlab_project.app.state.ingester
    await ingester.drain()
    alice = Viewer(str(gitlab_world.callers["alice"].subject), {})
    found = ingester.graph.dataset(recorded["datasetId"], alice)
    assert found is not None and found.files == ["data/birds.csv", "data/more.csv"]


async def test_a_push_that_lost_the_race_is_made_again_on_the_new_head(
    gitlab_project: GitLabProject,
) -> None:
    theirs = GitRepository(gitlab_project.bare.as_uri())
    gitlab_project.server.before_push.append(
        lambda: theirs.commit_files({".renku/notes.jsonld": b"{}"}, ALICE, "Notes", WHEN)
    )
    recorded = await gitlab_project.record("alice")
    assert recorded["errors"] == [] and gitlab_project.server.before_push == []
    subjects = git_log(gitlab_project.bare, "%s")
    assert subjects == ["renku dataset: record bird-counts", "Notes", "Birds"]
    assert git_log(gitlab_project.bare, "%H")[0] == recorded["commit"]


async def test_a_caller_gitlab_refuses_to_let_push_is_forbidden(
    gitlab_project: GitLabProject,
) -> None:
    before = git_log(gitlab_project.bare, "%H")
    refused = await gitlab_project.record("bob")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("FORBIDDEN", "projectId")]
    assert "GitLab account may not push" in refused["errors"][0]["message"]
    assert refused["commit"] is None and git_log(gitlab_project.bare, "%H") == before


async def test_without_keycloak_recording_into_gitlab_is_unavailable(tmp_path: Path) -> None:
    graph = KnowledgeGraph(EmbeddedTripleStore(tmp_path / "store"))
    ingester = Ingester(graph, EventLog(tmp_path / "events.sqlite3"))
    access = ProjectAccess(PROJECT, "lab", "birds", Visibility.PRIVATE, (("alice", Role.OWNER),))
    ingester.events.register(access, "https://gitlab.example.org/lab/birds.git")
    service = KgService(
        graph, ingester, open_repository=partial(GitRepository, mirrors=tmp_path / "mirrors")
    )
    draft = DatasetRecord(id="", name="bird-counts")
    with pytest.raises(DomainError) as refused:
        await core.record_dataset(service, Identity(subject="alice"), PROJECT, draft)
    assert (refused.value.code, refused.value.field) == (ErrorCode.UNAVAILABLE, "projectId")
    assert "RENKU_FED_KG_KEYCLOAK_URL" in refused.value.message
