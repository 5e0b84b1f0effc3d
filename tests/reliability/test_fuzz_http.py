"""Hostile input against the router's and every subgraph's HTTP endpoint: never a 5xx, never
a traceback. Hypothesis runs RENKU_FED_FUZZ_EXAMPLES examples per test (default 400, about 15 s
for the whole file); set it higher for a deeper run."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.sessions.app import build_app as build_sessions
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.inprocess import (
    ROUTER_URL,
    SUBGRAPH_PORTS,
    InProcessPlatform,
    inprocess_platform,
)

T = TypeVar("T")
ISSUER = "http://127.0.0.1:4001/realms/renku"
# Every subgraph but sessions, which the in-process platform does not build (added below).
IN_PROCESS = tuple(name for name in SUBGRAPH_PORTS if name != "sessions")
SUBGRAPH_URLS = {name: f"http://127.0.0.1:{port}/graphql" for name, port in SUBGRAPH_PORTS.items()}
USERS_URL = SUBGRAPH_URLS["users"]
EXAMPLES = int(os.environ.get("RENKU_FED_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TYPED = "query($id: ID!, $first: Int, $search: String) { user(id: $id) { username } users(first: $first, search: $search) { edges { node { username } } } }"  # noqa: E501
# A document with typed variables for each subgraph, for the variables' fuzzing.
TYPED_DOCUMENTS = [
    TYPED,
    "query($id: ID!, $first: Int, $search: String, $after: String) { project(id: $id) { slug } projects(first: $first, search: $search, after: $after) { edges { cursor } } }",  # noqa: E501
    "query($search: String, $first: Int, $after: String, $id: ID!) { search(query: $search, first: $first, after: $after) { edges { cursor } } dataset(id: $id) { id } }",  # noqa: E501
    "query($id: ID!, $all: Boolean!) { session(id: $id) { id } sessions(allUsers: $all) { id } }",
]
VARIABLES = ["id", "first", "search", "after", "all"]
CONTENT_TYPES = [
    "application/json",
    "application/graphql-response+json",
    "application/graphql",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "application/json; charset=latin-1",
    "",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


class Fuzzed:
    """The in-process platform (router and every subgraph) on one event loop, for sync tests."""

    def __init__(self, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self._stack = AsyncExitStack()
        self.platform: InProcessPlatform = self.run(self._start(tmp_path))

    def run(self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the platform's loop."""
        return self.loop.run_until_complete(awaitable)

    async def _start(self, tmp_path: Path) -> InProcessPlatform:
        issuer = DevIssuer.create(tmp_path / "dev-issuer", ISSUER)
        issuer_app = Starlette(routes=dev_issuer_routes(issuer))
        client = await self._stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=issuer_app), base_url=ISSUER)
        )
        verifier = TokenVerifier(AuthSettings(issuer=ISSUER), client)
        platform = await self._stack.enter_async_context(
            inprocess_platform(tmp_path, verifier, IN_PROCESS)
        )
        sessions = build_sessions(
            SessionsSettings(data_dir=tmp_path / "sessions", seed_demo=True), verifier
        )
        await self._stack.enter_async_context(sessions.router.lifespan_context(sessions))
        platform.transport.add(SUBGRAPH_PORTS["sessions"], sessions)
        return platform

    def post(self, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST raw bytes."""
        return self.run(self.platform.client.post(url, content=content, headers=headers))

    def close(self) -> None:
        """Tear the platform down and close the loop."""
        self.run(self._stack.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """One platform for every example of this module."""
    platform = Fuzzed(tmp_path_factory.mktemp("fuzz"))
    yield platform
    platform.close()


def assert_handled(response: httpx.Response) -> None:
    """A 2xx-4xx answer whose body holds no traceback or Python frame."""
    assert response.status_code < 500, response.text[:500]
    assert b"Traceback" not in response.content
    assert b'File "' not in response.content


def body(query: Any, variables: Any = None) -> bytes:
    """A GraphQL request body."""
    # The standard library's encoder, for integers past 64 bits and NaN (invalid JSON) too.
    return json.dumps({"query": query, "variables": variables}).encode()


def documents() -> st.SearchStrategy[bytes]:
    """Request bodies with malformed, huge or deeply nested documents and odd variables."""
    depth = st.integers(min_value=1, max_value=5000)
    size = st.integers(min_value=1, max_value=1_000_000)
    return st.one_of(
        st.text(max_size=300).map(body),
        depth.map(lambda n: body("{ me " * n + "}" * n)),
        depth.map(
            lambda n: body(
                "{ users(search: " + "[" * n + '"x"' + "]" * n + ") { edges { cursor } } }"
            )
        ),
        size.map(lambda n: body('{ users(search: "' + "a" * n + '") { edges { cursor } } }')),
        size.map(lambda n: body(TYPED, {"id": "x", "search": "\u202e\x00" * (n // 2)})),
        st.tuples(
            st.sampled_from(TYPED_DOCUMENTS),
            st.dictionaries(st.sampled_from(VARIABLES), JSON_VALUES),
        ).map(lambda typed: body(*typed)),
        st.integers(min_value=1, max_value=3000).map(
            lambda n: body("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(n)) + " }")
        ),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=500),
        st.binary(max_size=40).map(lambda b: b'{"query": "{ me { ' + b + b' } }"}'),
    )


def check(fuzzed: Fuzzed, url: str, content: bytes, content_type: str, auth: str | None) -> None:
    """Send one fuzzed request and check how it was answered."""
    headers = {"content-type": content_type} if content_type else {}
    if auth is not None:
        headers["authorization"] = auth
    assert_handled(fuzzed.post(url, content, headers))


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
AUTH = st.none() | st.sampled_from(["Bearer", "Bearer x.y.z", "Basic abc"]) | HEADER_TEXT


@FUZZ
@given(content=documents(), content_type=st.sampled_from(CONTENT_TYPES[:2]), auth=AUTH)
def test_router_answers_hostile_bodies_without_5xx(
    fuzzed: Fuzzed, content: bytes, content_type: str, auth: str | None
) -> None:
    check(fuzzed, ROUTER_URL, content, content_type, auth)


@FUZZ
@given(
    content=documents(),
    content_type=st.sampled_from(CONTENT_TYPES[:2]),
    auth=AUTH,
    url=st.sampled_from(sorted(SUBGRAPH_URLS.values())),
)
def test_every_subgraph_answers_hostile_bodies_without_5xx(
    fuzzed: Fuzzed, content: bytes, content_type: str, auth: str | None, url: str
) -> None:
    check(fuzzed, url, content, content_type, auth)


@FUZZ
@given(
    content=documents(),
    content_type=st.sampled_from(CONTENT_TYPES) | HEADER_TEXT,
    url=st.sampled_from([ROUTER_URL, *sorted(SUBGRAPH_URLS.values())]),
)
def test_wrong_content_types_are_refused_cleanly(
    fuzzed: Fuzzed, content: bytes, content_type: str, url: str
) -> None:
    check(fuzzed, url, content, content_type, None)


@pytest.mark.parametrize("content", [b"null", b"1", b"[]", b'"query"', b"\x80", b"\xff\xfe{}"])
@pytest.mark.parametrize("url", [ROUTER_URL, *sorted(SUBGRAPH_URLS.values())])
def test_a_body_that_is_not_a_json_object_is_a_400(
    fuzzed: Fuzzed, content: bytes, url: str
) -> None:
    response = fuzzed.post(url, content, {"content-type": "application/json"})
    assert response.status_code == 400
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("query", ["{}", "{ me { ...F } }"])
def test_the_subgraph_answers_invalid_documents_with_validation_errors(
    fuzzed: Fuzzed, query: str
) -> None:
    response = fuzzed.post(USERS_URL, body(query), {"content-type": "application/json"})
    assert response.status_code < 500
    # graphql-core 3.3 parses `{}` as an empty selection and answers `{"data": {}}`.
    messages = [error["message"] for error in response.json().get("errors", [])]
    assert not any(m in ("max() arg is an empty sequence", "'F'") for m in messages), messages
