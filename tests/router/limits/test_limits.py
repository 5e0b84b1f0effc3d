"""Protection limits through the router app: each hostile request refused before any subgraph."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from graphql import get_introspection_query

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.limits import LimitSettings, RateLimiter, Safelist, SafelistError
from renku_fed.router.persisted_queries import query_hash
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs

GRAPHQL_JSON = "application/graphql-response+json"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def open_router(supergraph: Supergraph, fakes: FakeSubgraphs, verifier: TokenVerifier) -> Any:
    """Opens a client to a started router app with the given limits and rate limiter."""

    @asynccontextmanager
    async def open_client(
        limits: LimitSettings | None = None,
        *,
        rate_limiter: RateLimiter | None = None,
        **settings: Any,
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_router_app(
            RouterSettings(limits=limits or LimitSettings(), **settings),
            supergraph,
            verifier,
            transport=fakes.transport,
            rate_limiter=rate_limiter,
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://router"
            ) as client,
        ):
            yield client

    return open_client


async def _refused(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json=body, headers={"accept": GRAPHQL_JSON})
    assert response.status_code == 400, response.text
    payload: dict[str, Any] = response.json()
    assert "data" not in payload
    return payload


def _deep(levels: int) -> str:
    """`me { reviews { author { reviews { ... id } } } }`, `levels` fields deep."""
    names = ["me"] + ["reviews" if i % 2 else "author" for i in range(1, levels - 1)]
    leaf = "id"
    return "{ " + " { ".join(names) + " { " + leaf + " }" * (len(names)) + " }"


def _extensions(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [error["extensions"] for error in payload["errors"]]


async def test_depth_50_is_refused_naming_the_limit(open_router: Any, fakes: FakeSubgraphs) -> None:
    async with open_router() as client:
        payload = await _refused(client, {"query": _deep(50)})

    assert _extensions(payload) == [
        {"code": "MAX_DEPTH_EXCEEDED", "limit": "max_depth", "maximum": 15, "measured": 50}
    ]
    assert "max_depth is 15" in payload["errors"][0]["message"]
    assert fakes.requests == []


async def test_depth_counts_fragments_expanded(open_router: Any, fakes: FakeSubgraphs) -> None:
    query = """
    { me { ...A } }
    fragment A on User { reviews { ...B } }
    fragment B on Review { author { ...C } }
    fragment C on User { reviews { id } }
    """
    async with open_router(LimitSettings(max_depth=4)) as client:
        payload = await _refused(client, {"query": query})
        allowed = await client.post("/graphql", json={"query": _deep(4)})

    assert _extensions(payload)[0]["measured"] == 5
    assert allowed.json()["data"]["me"]["reviews"][0]["author"]["id"] == "u1"


async def test_a_thousand_aliases_are_refused(open_router: Any, fakes: FakeSubgraphs) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(1000))
    async with open_router() as client:
        payload = await _refused(client, {"query": f"{{ me {{ {aliases} }} }}"})

    assert _extensions(payload) == [
        {"code": "MAX_ALIASES_EXCEEDED", "limit": "max_aliases", "maximum": 50, "measured": 1000}
    ]
    assert fakes.requests == []


async def test_aliases_in_a_fragment_count_at_each_spread(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    query = "{ me { ...F ...F ...F } } fragment F on User { x: id y: name }"
    async with open_router(LimitSettings(max_aliases=5)) as client:
        payload = await _refused(client, {"query": query})

    assert _extensions(payload)[0]["measured"] == 6
    assert fakes.requests == []


async def test_root_fields_beyond_the_limit_are_refused(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    query = "{ me { id } users { id } ...R } fragment R on Query { topProducts { upc } }"
    async with open_router(LimitSettings(max_root_fields=2)) as client:
        payload = await _refused(client, {"query": query})
        allowed = await client.post("/graphql", json={"query": "{ me { id } users { id } }"})

    assert _extensions(payload) == [
        {
            "code": "MAX_ROOT_FIELDS_EXCEEDED",
            "limit": "max_root_fields",
            "maximum": 2,
            "measured": 3,
        }
    ]
    assert allowed.json()["data"]["me"] == {"id": "u1"}
    assert {name for name, _, _ in fakes.requests} == {"accounts"}


@pytest.mark.parametrize(
    "query",
    [
        "{ me { " + "id " * 60 + "} }",
        # Parsing stops at the limit: the syntax error further on is never reached.
        "{ me { " + "id " * 60 + "!!! } }",
        "{ me { id } }" + "\n# comment" * 60,
    ],
)
async def test_token_limit_stops_parsing(
    open_router: Any, fakes: FakeSubgraphs, query: str
) -> None:
    async with open_router(LimitSettings(max_tokens=50)) as client:
        payload = await _refused(client, {"query": query})

    assert _extensions(payload) == [
        {"code": "MAX_TOKENS_EXCEEDED", "limit": "max_tokens", "maximum": 50}
    ]
    assert fakes.requests == []


async def test_cost_over_the_limit_is_refused(open_router: Any, fakes: FakeSubgraphs) -> None:
    # users: 10 x (User 1 + reviews: 10 x (Review 1 + author 1)) = 210
    query = "{ users { reviews { author { id } } } }"
    async with open_router(LimitSettings(max_cost=200, default_list_size=10)) as client:
        payload = await _refused(client, {"query": query})

    assert _extensions(payload) == [
        {
            "code": "COST_ESTIMATED_TOO_EXPENSIVE",
            "limit": "max_cost",
            "maximum": 200,
            "measured": 210,
        }
    ]
    assert fakes.requests == []


async def test_cost_follows_the_variables(open_router: Any, fakes: FakeSubgraphs) -> None:
    query = "query Top($n: Int) { topProducts(first: $n) { upc reviews { id } } }"
    async with open_router(LimitSettings(max_cost=100, default_list_size=10)) as client:
        cheap = await client.post("/graphql", json={"query": query, "variables": {"n": 2}})
        called = len(fakes.requests)
        payload = await _refused(client, {"query": query, "variables": {"n": 50}})

    assert cheap.json()["data"]["topProducts"][1]["upc"] == "2"
    # 50 x (Product 1 + reviews: 10 x Review 1) = 550
    assert _extensions(payload)[0]["measured"] == 550
    assert payload["errors"][0]["message"].endswith("max_cost is 100.")
    assert len(fakes.requests) == called


@pytest.mark.parametrize(
    "query",
    [
        get_introspection_query(),
        # What GraphiQL and code generators ask for with every option on.
        get_introspection_query(
            descriptions=True,
            specified_by_url=True,
            directive_is_repeatable=True,
            schema_description=True,
            input_value_deprecation=True,
        ),
    ],
)
async def test_the_standard_introspection_query_passes_the_default_limits(
    open_router: Any, fakes: FakeSubgraphs, query: str
) -> None:
    async with open_router() as client:
        response = await client.post("/graphql", json={"query": query})

    payload = response.json()
    assert response.status_code == 200
    assert "errors" not in payload, payload["errors"]
    assert payload["data"]["__schema"]["queryType"]["name"] == "Query"
    assert fakes.requests == []


async def test_mutations_cost_ten_more(open_router: Any, fakes: FakeSubgraphs) -> None:
    mutation = 'mutation { addReview(upc: "1", body: "Fine") { id } }'
    async with open_router(LimitSettings(max_cost=10)) as client:
        payload = await _refused(client, {"query": mutation})

    assert _extensions(payload)[0]["measured"] == 11
    assert fakes.requests == []


def _manifest(tmp_path: Path, *bodies: str) -> Path:
    operations = [
        {"id": query_hash(body), "name": f"Op{i}", "type": "query", "body": body}
        for i, body in enumerate(bodies)
    ]
    path = tmp_path / "persisted-query-manifest.json"
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1}
    path.write_bytes(orjson.dumps({**manifest, "operations": operations}))
    return path


async def test_safelist_runs_registered_operations_only(
    open_router: Any, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    registered = "query Me { me { name } }"
    limits = LimitSettings(safelist_manifest=_manifest(tmp_path, registered))
    by_id = {"persistedQuery": {"version": 1, "sha256Hash": query_hash(registered)}}
    async with open_router(limits) as client:
        with_id = await client.post("/graphql", json={"extensions": by_id})
        with_body = await client.post("/graphql", json={"query": registered})
        called = len(fakes.requests)
        unknown_hash = await _refused(
            client, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
        )
        other_body = await _refused(client, {"query": "{ me { name } }"})
        apq_registration = await _refused(
            client,
            {
                "query": "{ users { id } }",
                "extensions": {
                    "persistedQuery": {"version": 1, "sha256Hash": query_hash("{ users { id } }")}
                },
            },
        )

    assert with_id.json() == {"data": {"me": {"name": "Ann"}}}
    assert with_body.json() == {"data": {"me": {"name": "Ann"}}}
    for payload in (unknown_hash, other_body, apq_registration):
        assert _extensions(payload) == [{"code": "PERSISTED_QUERY_NOT_IN_SAFELIST"}]
    assert len(fakes.requests) == called


def test_a_manifest_of_another_format_fails_naming_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"format": "relay", "version": 1, "operations": []}')

    with pytest.raises(SafelistError, match=r"limits\.safelist_manifest .* is not an"):
        Safelist.load(path)


async def test_automatic_persisted_queries_with_sha256(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    query = "{ me { username } }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": query_hash(query)}}
    async with open_router() as client:
        unknown = await client.post("/graphql", json={"extensions": extensions})
        registered = await client.post("/graphql", json={"query": query, "extensions": extensions})
        by_hash = await client.post("/graphql", json={"extensions": extensions})
        mismatch = await client.post(
            "/graphql", json={"query": "{ me { id } }", "extensions": extensions}
        )

    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json() == by_hash.json() == {"data": {"me": {"username": "ann"}}}
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert len(fakes.calls("accounts")) == 2


async def test_oversize_body_is_refused_before_parsing(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    async with open_router(max_request_bytes=4096) as client:
        response = await client.post("/graphql", json={"query": "{ me { id } }" + " " * 5000})

    assert response.status_code == 413
    assert "max_request_bytes (4096 bytes)" in response.json()["errors"][0]["message"]
    assert fakes.requests == []


@pytest.mark.parametrize(
    "query", ["{ __schema { types { name } } }", '{ __type(name: "User") { name } }']
)
async def test_introspection_off_is_refused(
    open_router: Any, fakes: FakeSubgraphs, query: str
) -> None:
    async with open_router(introspection=False) as client:
        payload = await _refused(client, {"query": query})
        typename = await client.post("/graphql", json={"query": "{ __typename }"})

    assert "introspection has been disabled" in payload["errors"][0]["message"]
    assert typename.json() == {"data": {"__typename": "Query"}}
    assert fakes.requests == []


async def test_rate_limit_answers_429_after_the_burst(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.5, burst=2, clock=clock)
    body = {"query": "{ me { id } }"}
    async with open_router(rate_limiter=limiter) as client:
        admitted = [await client.post("/graphql", json=body) for _ in range(2)]
        refused = await client.post("/graphql", json=body)
        clock.now += 2
        refilled = await client.post("/graphql", json=body)

    assert [r.status_code for r in admitted] == [200, 200]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "RATE_LIMITED",
        "limit": "rate_per_second",
        "maximum": 0.5,
    }
    assert refilled.status_code == 200
    assert len(fakes.calls("accounts")) == 3


async def test_rate_limit_is_per_user_else_per_ip(
    open_router: Any, fakes: FakeSubgraphs, dev_issuer: DevIssuer
) -> None:
    limiter = RateLimiter(rate=0.001, burst=1, clock=Clock())
    limits = LimitSettings(client_ip_header="x-forwarded-for")
    ann = {"authorization": f"Bearer {dev_issuer.sign('ann')}"}
    body = {"query": "{ me { id } }"}

    async def status(headers: dict[str, str]) -> int:
        response = await client.post("/graphql", json=body, headers=headers)
        return response.status_code

    async with open_router(limits, rate_limiter=limiter) as client:
        first_ip = await status({"x-forwarded-for": "203.0.113.9, 10.0.0.1"})
        same_ip = await status({"x-forwarded-for": "198.51.100.7, 10.0.0.1"})
        other_ip = await status({"x-forwarded-for": "10.0.0.2"})
        ann_there = await status({**ann, "x-forwarded-for": "10.0.0.1"})
        ann_elsewhere = await status({**ann, "x-forwarded-for": "10.0.0.3"})

    # The proxy's own entry (the last one) names the client; the first is the client's claim.
    assert (first_ip, same_ip, other_ip) == (200, 429, 200)
    assert (ann_there, ann_elsewhere) == (200, 429)


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_ROUTER_LIMITS_MAX_DEPTH", "7")
    monkeypatch.setenv("RENKU_FED_ROUTER_LIMITS_RATE_PER_SECOND", "0")

    limits = RouterSettings().limits

    assert (limits.max_depth, limits.rate_per_second, limits.max_aliases) == (7, 0.0, 50)


async def test_fragments_spread_exponentially_are_refused(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(40))
    query = "{ ...F0 } " + fragments + "fragment F40 on Query { me { id } }"
    async with open_router() as client:
        payload = await _refused(client, {"query": query})

    assert [(e["code"], e["measured"]) for e in _extensions(payload)] == [
        ("MAX_ROOT_FIELDS_EXCEEDED", 2**40),
        ("MAX_FIELDS_EXCEEDED", 2**41),
    ]
    assert fakes.requests == []


async def test_fragments_spread_exponentially_below_the_root_are_refused(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    fragments = "".join(f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }} " for i in range(40))
    query = "{ me { ...F0 } } " + fragments + "fragment F40 on User { id }"
    async with open_router() as client:
        payload = await _refused(client, {"query": query})

    assert _extensions(payload) == [
        {
            "code": "MAX_FIELDS_EXCEEDED",
            "limit": "max_fields",
            "maximum": 2000,
            "measured": 2**40 + 1,
        }
    ]
    assert fakes.requests == []


async def test_fields_count_each_fragment_at_each_spread(
    open_router: Any, fakes: FakeSubgraphs
) -> None:
    query = "{ me { ...F ...F } } fragment F on User { id name }"
    async with open_router(LimitSettings(max_fields=4)) as client:
        payload = await _refused(client, {"query": query})
        allowed = await client.post(
            "/graphql", json={"query": "{ me { ...F } } fragment F on User { id name }"}
        )

    assert _extensions(payload)[0]["measured"] == 5
    assert allowed.json() == {"data": {"me": {"id": "u1", "name": "Ann"}}}
