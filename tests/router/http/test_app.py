"""The router's HTTP service: GraphQL over HTTP, GraphiQL, health, auth, start-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import SupergraphUnavailable, create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import SUPERGRAPH_PATH, FakeSubgraphs
from tests.support.router_client import RouterClient

GRAPHQL_JSON = "application/graphql-response+json"


async def test_post_executes_a_query(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.post("/graphql", json={"query": "{ me { name } }"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": {"me": {"name": "Ann"}}}


async def test_post_with_variables_and_operation_name(router_client: RouterClient) -> None:
    query = "query A { me { id } } query B($n: Int) { topProducts(first: $n) { upc } }"
    async with router_client() as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "operationName": "B", "variables": {"n": 1}},
            headers={"accept": GRAPHQL_JSON},
        )

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_JSON
    assert response.json() == {"data": {"topProducts": [{"upc": "1"}]}}


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_JSON, 400), ("application/json", 200)])
async def test_validation_error_status_follows_the_media_type(
    router_client: RouterClient, accept: str, status: int
) -> None:
    async with router_client() as client:
        response = await client.post(
            "/graphql", json={"query": "{ me { nope } }"}, headers={"accept": accept}
        )

    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"query": 3}', "`query` must be a string"),
        (b'{"query": "{ me { id } }", "variables": [1]}', "`variables` must be a JSON object"),
    ],
)
async def test_malformed_body_is_400(
    router_client: RouterClient, fakes: FakeSubgraphs, content: bytes, message: str
) -> None:
    async with router_client() as client:
        response = await client.post(
            "/graphql", content=content, headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert fakes.requests == []


async def test_missing_query_is_400_under_both_media_types(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.post("/graphql", json={"variables": {}})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_other_content_type_is_415(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.post(
            "/graphql", content=b"query=x", headers={"content-type": "text/plain"}
        )

    assert response.status_code == 415


async def test_get_executes_a_query(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.get(
            "/graphql",
            params={
                "query": "query($n: Int) { topProducts(first: $n) { name } }",
                "variables": '{"n": 1}',
            },
        )

    assert response.status_code == 200
    assert response.json() == {"data": {"topProducts": [{"name": "Table"}]}}


async def test_get_refuses_mutations(router_client: RouterClient, fakes: FakeSubgraphs) -> None:
    async with router_client() as client:
        response = await client.get(
            "/graphql", params={"query": 'mutation { addReview(upc: "1", body: "x") { id } }'}
        )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "POST" in response.json()["errors"][0]["message"]
    assert fakes.requests == []


async def test_get_with_invalid_variables_json_is_400(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.get(
            "/graphql", params={"query": "{ me { id } }", "variables": "{oops"}
        )

    assert response.status_code == 400


async def test_browser_gets_graphiql(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.get("/graphql", headers={"accept": "text/html,*/*"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    assert 'src="/graphiql/graphiql.min.js"' in response.text


async def test_graphiql_can_be_turned_off(router_client: RouterClient) -> None:
    async with router_client(RouterSettings(graphiql=False)) as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_healthz(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert len(body["supergraph"]) == 64
    assert body["subgraphs"]["reviews"] == "http://reviews/graphql"


async def test_a_request_before_the_router_has_started_is_503(
    supergraph: Supergraph, verifier: TokenVerifier
) -> None:
    app = create_router_app(RouterSettings(), supergraph, verifier)
    transport = httpx.ASGITransport(app=app)  # no lifespan: the gateway is not built yet
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
        response = await client.post("/graphql", json={"query": "{ me { id } }"})

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_valid_token_is_accepted_and_forwarded(
    router_client: RouterClient, fakes: FakeSubgraphs, dev_issuer: DevIssuer
) -> None:
    token = dev_issuer.sign("ann")
    async with router_client() as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={"authorization": f"Bearer {token}", "cookie": "session=secret"},
        )

    assert response.status_code == 200
    (_, _, headers) = fakes.requests[0]
    assert headers["authorization"] == f"Bearer {token}"
    assert "cookie" not in headers


def _forged(dev_issuer: DevIssuer, tmp_path: Path) -> str:
    other = DevIssuer.create(tmp_path / "other", dev_issuer.issuer)
    # Same issuer and key id, another private key: only the signature can tell.
    return DevIssuer(dev_issuer.issuer, other.private_key, dev_issuer.kid).sign("mallory")


@pytest.mark.parametrize(
    ("make_header", "reason"),
    [
        (lambda issuer, tmp: "Bearer not-a-jwt", "well-formed"),
        (lambda issuer, tmp: "Basic dXNlcjpwYXNz", "Bearer"),
        (
            lambda issuer, tmp: f"Bearer {issuer.sign('ann', expires_in=timedelta(hours=-1))}",
            "expired",
        ),
        (lambda issuer, tmp: f"Bearer {_forged(issuer, tmp)}", "signature"),
    ],
)
async def test_bad_tokens_are_401(
    router_client: RouterClient,
    fakes: FakeSubgraphs,
    dev_issuer: DevIssuer,
    tmp_path: Path,
    make_header: object,
    reason: str,
) -> None:
    header = make_header(dev_issuer, tmp_path)  # type: ignore[operator]
    async with router_client() as client:
        response = await client.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": header}
        )

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert reason in error["message"]
    assert fakes.requests == []


async def test_supergraph_from_file(router_client: RouterClient, tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(SUPERGRAPH_PATH.read_text())

    async with router_client(RouterSettings(supergraph_path=path), with_supergraph=False) as client:
        response = await client.post("/graphql", json={"query": "{ me { name } }"})

    assert response.json() == {"data": {"me": {"name": "Ann"}}}


async def test_supergraph_composed_from_live_subgraphs(
    router_client: RouterClient, fakes: FakeSubgraphs
) -> None:
    subgraphs = {
        name: f"http://{name}/graphql" for name in ("accounts", "products", "reviews", "inventory")
    }

    async with router_client(RouterSettings(subgraphs=subgraphs), with_supergraph=False) as client:
        response = await client.post(
            "/graphql", json={"query": "{ topProducts(first: 1) { name inStock } }"}
        )

    assert response.json() == {"data": {"topProducts": [{"name": "Table", "inStock": True}]}}
    assert {name for name, body, _ in fakes.requests if "_service" in body["query"]} == set(
        subgraphs
    )


async def test_start_fails_clearly_when_a_subgraph_never_comes_up(
    fakes: FakeSubgraphs, verifier: TokenVerifier
) -> None:
    fakes.down.add("reviews")
    settings = RouterSettings(
        subgraphs={"accounts": "http://accounts/graphql", "reviews": "http://reviews/graphql"},
        startup_timeout_seconds=0.3,
    )
    app = create_router_app(settings, None, verifier, transport=fakes.transport)

    with pytest.raises(SupergraphUnavailable, match='Subgraph "reviews" did not serve its SDL'):
        async with app.router.lifespan_context(app):
            pass


async def test_start_fails_clearly_without_supergraph_settings(verifier: TokenVerifier) -> None:
    app = create_router_app(RouterSettings(), None, verifier)

    with pytest.raises(SupergraphUnavailable, match="RENKU_FED_ROUTER_SUPERGRAPH_PATH"):
        async with app.router.lifespan_context(app):
            pass


async def test_unreadable_supergraph_file_names_the_setting(
    verifier: TokenVerifier, tmp_path: Path
) -> None:
    app = create_router_app(RouterSettings(supergraph_path=tmp_path / "nope"), None, verifier)

    with pytest.raises(SupergraphUnavailable, match="nope"):
        async with app.router.lifespan_context(app):
            pass


async def test_request_log_has_no_token_or_variables(
    router_client: RouterClient, dev_issuer: DevIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    token = dev_issuer.sign("ann")
    caplog.set_level("INFO", logger="router.http")
    async with router_client() as client:
        await client.post(
            "/graphql",
            json={
                "query": "query Top($n: Int) { topProducts(first: $n) { upc } }",
                "variables": {"n": 987654},
            },
            headers={"authorization": f"Bearer {token}"},
        )

    records = [r for r in caplog.records if r.getMessage() == "graphql request"]
    assert len(records) == 1
    record = records[0]
    assert record.__dict__["operation"] == "Top"
    assert record.__dict__["status"] == 200
    assert record.__dict__["duration_ms"] >= 0
    text = str(record.__dict__)
    assert token not in text
    assert "987654" not in text


def test_app_builds_without_a_verifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_AUTH_ISSUER", "http://issuer.example/realms/x")

    app = create_router_app(RouterSettings())

    paths = {route.path for route in app.routes}  # type: ignore[attr-defined]
    assert paths >= {"/graphql", "/healthz", "/sessions/{session_id}/{path:path}", "/{path:path}"}
    assert isinstance(httpx.ASGITransport(app=app), httpx.ASGITransport)


async def test_oversized_body_is_413(router_client: RouterClient, fakes: FakeSubgraphs) -> None:
    query = "{ me { id } }" + " " * 5000
    async with router_client(RouterSettings(max_request_bytes=4096)) as client:
        response = await client.post("/graphql", json={"query": query})
        small = await client.post("/graphql", json={"query": "{ me { id } }"})

    assert response.status_code == 413
    assert "4096" in response.json()["errors"][0]["message"]
    assert small.status_code == 200
    assert len(fakes.requests) == 1


async def test_cors_preflight_for_configured_origin(router_client: RouterClient) -> None:
    origin = "https://renku.example"
    preflight_headers = {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    async with router_client(RouterSettings(cors_origins=[origin])) as client:
        allowed = await client.options("/graphql", headers=preflight_headers)
        other = await client.options(
            "/graphql", headers={**preflight_headers, "origin": "https://evil.example"}
        )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == origin
    assert other.status_code == 400


async def test_rejected_requests_are_logged(
    router_client: RouterClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="router.http")
    async with router_client() as client:
        await client.post("/graphql", content=b"{", headers={"content-type": "application/json"})

    statuses = [r.__dict__["status"] for r in caplog.records if r.getMessage() == "graphql request"]
    assert statuses == [400]


async def test_issuer_down_is_503_not_401(
    supergraph: Supergraph, fakes: FakeSubgraphs, dev_issuer: DevIssuer
) -> None:
    closed = AuthSettings(issuer="http://127.0.0.1:9/realms/renku", http_timeout_seconds=1)
    app = create_router_app(
        RouterSettings(), supergraph, TokenVerifier(closed), transport=fakes.transport
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        response = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {dev_issuer.sign('alice')}"},
        )
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "IDENTITY_PROVIDER_UNAVAILABLE"
    assert fakes.requests == []
