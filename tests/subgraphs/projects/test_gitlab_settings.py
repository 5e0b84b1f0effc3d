"""Choosing the GitLab and Keycloak backends by settings, and the apps built on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.projects.app import build_app as build_projects
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.users.app import build_app as build_users
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.doubles.world import GitLabWorld
from tests.support.oidc.provider import OidcProvider

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]


def test_the_gitlab_backend_names_each_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_PROJECTS_BACKEND", "gitlab")
    monkeypatch.setenv("RENKU_FED_PROJECTS_GITLAB_URL", "https://gitlab.example.org")
    with pytest.raises(ValidationError) as refused:
        ProjectsSettings()
    message = str(refused.value)
    assert "RENKU_FED_PROJECTS_GITLAB_ADMIN_TOKEN" in message
    assert "RENKU_FED_PROJECTS_KEYCLOAK_URL" in message
    assert "RENKU_FED_PROJECTS_GITLAB_URL" not in message.split("needs")[1]


def test_the_keycloak_backend_names_each_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_USERS_BACKEND", "keycloak")
    monkeypatch.setenv("RENKU_FED_USERS_KEYCLOAK_CLIENT_SECRET", "s3cret-value")
    with pytest.raises(ValidationError) as refused:
        UsersSettings()
    message = str(refused.value)
    assert (
        "RENKU_FED_USERS_KEYCLOAK_URL" in message
        and "RENKU_FED_USERS_KEYCLOAK_CLIENT_ID" in message
    )
    assert "s3cret-value" not in message


def test_secrets_do_not_show_in_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_USERS_BACKEND", "keycloak")
    monkeypatch.setenv("RENKU_FED_USERS_KEYCLOAK_URL", "https://id.example.org/")
    monkeypatch.setenv("RENKU_FED_USERS_KEYCLOAK_CLIENT_ID", "renku-users")
    monkeypatch.setenv("RENKU_FED_USERS_KEYCLOAK_CLIENT_SECRET", "s3cret-value")
    settings = UsersSettings()
    assert settings.backend == "keycloak"
    assert "s3cret-value" not in repr(settings)
    assert ProjectsSettings().backend == "embedded"


CREATE = """mutation($input: CreateProjectInput!) { createProject(input: $input) {
    project { id slug namespace visibility repositories createdBy { id }
              members { role user { id } } permissions { write delete changeMembership } }
    errors { code field } } }"""
USER = "query($id: ID!) { user(id: $id) { username isAdmin } }"


async def post(
    app: Any, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_projects_app_on_gitlab_creates_through_graphql(
    gitlab_world: GitLabWorld,
    oidc_provider: OidcProvider,
    realm_tokens: dict[str, str],
    tmp_path: Path,
) -> None:
    settings = ProjectsSettings(
        data_dir=tmp_path,
        backend="gitlab",
        gitlab_url=gitlab_world.gitlab_url,
        gitlab_admin_token=SecretStr(gitlab_world.accounts["root"].token),
        keycloak_url=gitlab_world.keycloak_url,
    )
    verifier = TokenVerifier(AuthSettings(issuer=oidc_provider.issuer, audiences=["renku"]))
    app = build_projects(settings, verifier)
    variables = {"input": {"name": "Flights", "visibility": "PUBLIC"}}
    body = await post(app, CREATE, variables, realm_tokens["alice"])
    payload = body["data"]["createProject"]
    assert payload["errors"] == []
    alice = oidc_provider.users["alice"].sub
    project = payload["project"]
    assert (project["namespace"], project["slug"], project["createdBy"]) == (
        "alice",
        "flights",
        {"id": alice},
    )
    assert project["members"] == [{"role": "OWNER", "user": {"id": alice}}]
    assert project["repositories"] == [f"{gitlab_world.gitlab_url}/alice/flights.git"]
    assert project["permissions"] == {"write": True, "delete": True, "changeMembership": True}
    assert [p.path for p in gitlab_world.gitlab.projects.values()] == ["flights"]
    anonymous = await post(app, CREATE, variables, None)
    assert anonymous["data"]["createProject"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_users_app_on_keycloak_reads_the_realm(
    gitlab_world: GitLabWorld,
    oidc_provider: OidcProvider,
    realm_tokens: dict[str, str],
    tmp_path: Path,
) -> None:
    settings = UsersSettings(
        data_dir=tmp_path,
        backend="keycloak",
        keycloak_url=gitlab_world.keycloak_url + "/",
        keycloak_client_id=oidc_provider.client_id,
        keycloak_client_secret=SecretStr(oidc_provider.client_secret),
    )
    verifier = TokenVerifier(AuthSettings(issuer=oidc_provider.issuer, audiences=["renku"]))
    app = build_users(settings, verifier)
    admin = await post(app, USER, {"id": oidc_provider.users["admin"].sub}, realm_tokens["bob"])
    assert admin["data"]["user"] == {"username": "admin", "isAdmin": True}
    missing = await post(app, USER, {"id": "no-such-id"}, None)
    assert missing["data"]["user"] is None
