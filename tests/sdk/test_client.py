"""The SDK's client over a fake network: discovery, paging, etags, typed errors, retries."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.sdk import (
    AsyncClient,
    Client,
    ConfigurationError,
    Conflict,
    NotFound,
    RateLimited,
    ServerError,
    Unauthenticated,
    ValidationError,
)
from renku_fed.sdk.credentials import Credentials, load_credentials, save_credentials

URL = "http://platform.test"
USER = {
    "id": "U1",
    "username": "alice",
    "namespace": "alice",
    "displayName": "Alice",
    "email": None,
    "isAdmin": False,
}


def project(n: int, etag: str = "e1") -> dict[str, Any]:
    return {
        "id": f"P{n}", "name": f"p{n}", "slug": f"p{n}", "namespace": "alice",
        "visibility": "PRIVATE", "description": None, "keywords": [],
        "creationDate": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z",
        "etag": etag, "createdBy": USER, "members": [{"role": "OWNER", "user": USER}],
    }  # fmt: skip


Reply = Callable[[dict[str, Any], httpx.Request], httpx.Response]


class Fake:
    """Answers each POST /graphql with `reply`, recording the bodies and headers."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        self.headers.append(request.headers)
        return self.reply(body, request)


def data(value: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"data": value})


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("RENKU_FED_URL", "RENKU_FED_TOKEN", "RENKU_FED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RENKU_FED_CONFIG_DIR", str(tmp_path / "config"))


def client(fake: Fake, **options: Any) -> Client:
    return Client(URL, "T0", transport=httpx.MockTransport(fake), backoff=0, **options)


def test_projects_list_pages_lazily() -> None:
    def reply(body: dict[str, Any], _: httpx.Request) -> httpx.Response:
        after = body["variables"]["after"]
        page = 1 if after is None else 2
        return data({"projects": {
            "totalCount": 2, "edges": [{"node": project(page)}],
            "pageInfo": {"hasNextPage": page == 1, "endCursor": f"c{page}"},
        }})  # fmt: skip

    fake = Fake(reply)
    found = client(fake).projects.list(search="fl", visibility="PRIVATE")
    assert fake.bodies == []
    first = next(found)
    assert first.path == "alice/p1" and len(fake.bodies) == 1
    assert [p.id for p in found] == ["P2"]
    assert fake.bodies[1]["variables"]["after"] == "c1"
    assert fake.bodies[0]["variables"]["visibility"] == "PRIVATE"
    assert fake.headers[0]["authorization"] == "Bearer T0"


def test_update_sends_the_etag_and_a_stale_one_is_a_conflict() -> None:
    def reply(body: dict[str, Any], _: httpx.Request) -> httpx.Response:
        if "GetProjectBySlug" in body["query"].split("{")[0]:
            return data({"projectBySlug": project(1, etag="e7")})
        error = {"code": "CONFLICT", "message": "stale etag", "field": "ifMatch"}
        return data({"updateProject": {"project": None, "errors": [error]}})

    fake = Fake(reply)
    with pytest.raises(Conflict) as caught:
        client(fake).projects.update("alice/p1", description="new")
    assert fake.bodies[1]["variables"] == {
        "id": "P1", "ifMatch": "e7", "input": {"description": "new"},
    }  # fmt: skip
    assert caught.value.codes == ("CONFLICT",)
    assert caught.value.errors[0].field == "ifMatch"


def test_graphql_errors_become_typed_exceptions_with_codes_and_paths() -> None:
    def reply(body: dict[str, Any], _: httpx.Request) -> httpx.Response:
        error = {"message": "no", "path": ["project"], "extensions": {"code": "NOT_FOUND"}}
        return httpx.Response(200, json={"data": {"project": None}, "errors": [error]})

    with pytest.raises(NotFound) as caught:
        client(Fake(reply)).projects.get("P9")
    assert caught.value.paths == (("project",),)


def test_a_missing_project_is_not_found() -> None:
    with pytest.raises(NotFound, match="P9"):
        client(Fake(lambda b, r: data({"project": None}))).projects.get("P9")


def test_an_expired_token_says_to_log_in() -> None:
    error = {"message": "token expired", "extensions": {"code": "UNAUTHENTICATED"}}
    fake = Fake(lambda b, r: httpx.Response(401, json={"errors": [error]}))
    with pytest.raises(Unauthenticated, match="renku-fed login"):
        client(fake).users.me()
    assert len(fake.bodies) == 1


def test_queries_are_retried_on_transient_failures() -> None:
    answers = [httpx.Response(503), httpx.Response(429, headers={"retry-after": "0"})]

    def reply(body: dict[str, Any], _: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else data({"me": USER})

    fake = Fake(reply)
    assert client(fake).users.me().username == "alice"
    assert len(fake.bodies) == 3


def test_mutations_are_never_retried() -> None:
    fake = Fake(lambda b, r: httpx.Response(502))
    with pytest.raises(ServerError):
        client(fake).projects.create("flights")
    assert len(fake.bodies) == 1


def test_rate_limited_after_the_retries_carries_retry_after() -> None:
    error = {"message": "slow down", "extensions": {"code": "RATE_LIMITED"}}
    fake = Fake(
        lambda b, r: httpx.Response(429, headers={"retry-after": "0"}, json={"errors": [error]})
    )
    with pytest.raises(RateLimited) as caught:
        client(fake, retries=1).execute("{ me { id } }")
    assert caught.value.retry_after == 0 and len(fake.bodies) == 2


def test_connection_failures_of_queries_are_retried() -> None:
    calls: list[int] = []

    def reply(body: dict[str, Any], _: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset")
        return data({"me": USER})

    assert client(Fake(reply)).users.me().id == "U1"
    assert len(calls) == 2


def test_validation_errors_of_mutation_payloads() -> None:
    error = {"code": "BAD_USER_INPUT", "message": "too long", "field": "name"}
    fake = Fake(lambda b, r: data({"createProject": {"project": None, "errors": [error]}}))
    with pytest.raises(ValidationError, match="name"):
        client(fake).projects.create("x" * 500)


def test_discovery_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="RENKU_FED_URL"):
        Client()
    stored = Credentials(URL, "http://issuer", "renku-cli", "http://issuer/token", "STORED",
                         "R", time.time() + 3600)  # fmt: skip
    save_credentials(stored)
    assert Client()._transport._auth.token == "STORED"
    token_file = tmp_path / "token"
    token_file.write_text("SESSION\n")
    monkeypatch.setenv("RENKU_FED_TOKEN_FILE", str(token_file))
    assert Client()._transport._auth.token == "SESSION"
    monkeypatch.setenv("RENKU_FED_TOKEN", "ENV")
    monkeypatch.setenv("RENKU_FED_URL", "http://other.test/graphql")
    chosen = Client()
    assert (chosen.url, chosen._transport._auth.token) == ("http://other.test", "ENV")
    assert Client(token="ARG")._transport._auth.token == "ARG"


def test_an_expired_login_is_refreshed_and_saved_0600() -> None:
    stored = Credentials(URL, "http://issuer", "renku-cli", f"{URL}/token", "OLD", "R1", 0)
    path = save_credentials(stored)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            assert b"refresh_token=R1" in request.content
            return httpx.Response(200, json={"access_token": "NEW", "expires_in": 900})
        assert request.headers["authorization"] == "Bearer NEW"
        return data({"me": USER})

    Client(transport=httpx.MockTransport(handler)).users.me()
    renewed = load_credentials()
    assert renewed is not None and renewed.access_token == "NEW" and renewed.refresh_token == "R1"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_refused_refresh_says_to_log_in() -> None:
    save_credentials(Credentials(URL, "http://issuer", "renku-cli", f"{URL}/token", "OLD", "R", 0))
    handler = httpx.MockTransport(lambda r: httpx.Response(400, json={"error": "invalid_grant"}))
    with pytest.raises(Unauthenticated, match="renku-fed login"):
        Client(transport=handler).users.me()


async def test_the_async_client_pages_and_reads() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["query"].startswith("query Me"):
            return data({"me": USER})
        return data({"projects": {
            "totalCount": 1, "edges": [{"node": project(1)}],
            "pageInfo": {"hasNextPage": False, "endCursor": None},
        }})  # fmt: skip

    async with AsyncClient(URL, "T", transport=httpx.MockTransport(handler)) as aclient:
        assert (await aclient.users.me()).username == "alice"
        assert [p.slug async for p in aclient.projects.list()] == ["p1"]


def test_lineage_renders_as_svg_and_dot() -> None:
    lineage = {"nodes": [
        {"id": "f1", "location": "data/in.csv", "label": "in.csv", "type": "FILE"},
        {"id": "a1", "location": None, "label": "python clean.py", "type": "ACTIVITY"},
        {"id": "f2", "location": "data/out.csv", "label": "out.csv", "type": "FILE"},
    ], "edges": [{"source": "f1", "target": "a1"}, {"source": "a1", "target": "f2"}]}  # fmt: skip
    fake = Fake(
        lambda b, r: data(
            {"project": project(1) if "GetProject" in b["query"] else {"lineage": lineage}}
        )
    )
    graph = client(fake).kg.lineage("P1", "data/out.csv")
    svg = graph._repr_svg_()
    assert svg.startswith("<svg") and svg.count("<rect") == 3 and svg.count("<line") == 2
    assert '"f1" -> "a1"' in graph.to_dot()
