"""The router's and the subgraphs' /metrics move with the requests they answer."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.metrics import OTHER, operation_label
from tests.support.inprocess import SUBGRAPH_PORTS, inprocess_platform

ME = "query Me { me { username } }"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text exposition; 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            found = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
            if found == wanted:
                return float(match[3])
    return 0.0


async def scrape(client: httpx.AsyncClient, url: str) -> str:
    """The text of one scrape."""
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.mark.asyncio
async def test_counters_move_after_requests(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> None:
    async with inprocess_platform(tmp_path, verifier, subgraphs=("users",)) as platform:
        router = "http://127.0.0.1:4000/metrics"
        users = f"http://127.0.0.1:{SUBGRAPH_PORTS['users']}/metrics"
        before = await scrape(platform.client, router)
        users_before = await scrape(platform.client, users)

        token = dev_issuer.sign("alice")
        for _ in range(3):
            body = await platform.query(ME, token=token)
            assert body["data"]["me"]["username"] == "alice"
        broken = await platform.query("{ nope }", token=token)
        assert broken["errors"]

        after = await scrape(platform.client, router)
        users_after = await scrape(platform.client, users)

    def moved(text_before: str, text_after: str, name: str, **labels: str) -> float:
        return sample(text_after, name, **labels) - sample(text_before, name, **labels)

    assert moved(before, after, "renku_fed_router_requests_total", status="200") >= 4
    assert (
        moved(before, after, "renku_fed_router_errors_total", code="GRAPHQL_VALIDATION_FAILED") >= 1
    )
    assert moved(before, after, "renku_fed_router_request_seconds_count", operation="Me") == 3
    assert moved(before, after, "renku_fed_router_cache_lookups_total", cache="operation",
                 result="hit") >= 2  # fmt: skip
    assert moved(
        before, after, "renku_fed_router_subgraph_fetch_seconds_count",
        subgraph="users", outcome="200",
    ) >= 3  # fmt: skip
    assert moved(
        users_before, users_after, "renku_fed_subgraph_requests_total",
        service="users", path="/graphql", status="200",
    ) >= 3  # fmt: skip
    assert moved(
        users_before, users_after, "renku_fed_subgraph_request_seconds_count",
        service="users", path="/graphql",
    ) >= 3  # fmt: skip


def test_only_plain_operation_names_become_labels() -> None:
    assert operation_label("ProjectPage") == "ProjectPage"
    assert operation_label("with spaces") == OTHER
    assert operation_label("x" * 65) == OTHER
    assert operation_label(None) == "anonymous"


@pytest.mark.asyncio
async def test_refused_requests_count_by_code(tmp_path: Path, verifier: TokenVerifier) -> None:
    async with inprocess_platform(tmp_path, verifier, subgraphs=("users",)) as platform:
        router = "http://127.0.0.1:4000/metrics"
        before = await scrape(platform.client, router)
        refused = await platform.client.post(
            "http://127.0.0.1:4000/graphql",
            content=b"not json",
            headers={"content-type": "application/json"},
        )
        unauthenticated = await platform.request(ME, token="not-a-token")
        after = await scrape(platform.client, router)
    assert (refused.status_code, unauthenticated.status_code) == (400, 401)
    for code in ("BAD_REQUEST", "UNAUTHENTICATED"):
        name = "renku_fed_router_errors_total"
        assert sample(after, name, code=code) - sample(before, name, code=code) == 1
    assert sample(after, "renku_fed_router_requests_total", status="401") >= 1
