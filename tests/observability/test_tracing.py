"""Spans for parse, plan and each subgraph fetch, joined to the subgraph's by `traceparent`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability import tracing
from tests.support.inprocess import ROUTER_URL, inprocess_platform

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Spans of this test, kept in memory; tracing is off again afterwards."""
    memory = InMemorySpanExporter()
    assert tracing.configure_tracing("router", memory)
    yield memory
    tracing.disable_tracing()


@pytest.mark.asyncio
async def test_parse_plan_and_fetch_spans_join_the_callers_trace(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer, exporter: InMemorySpanExporter
) -> None:
    async with inprocess_platform(tmp_path, verifier, subgraphs=("users",)) as platform:
        exporter.clear()  # the supergraph's composition at start is a trace of its own
        response = await platform.client.post(
            ROUTER_URL,
            json={"query": "query Me { me { username } }"},
            headers={
                "authorization": f"Bearer {dev_issuer.sign('alice')}",
                "traceparent": TRACEPARENT,
            },
        )
    assert response.json()["data"]["me"]["username"] == "alice"

    spans = exporter.get_finished_spans()
    by_name = {span.name: span for span in spans}
    assert {"parse", "plan", "fetch"} <= set(by_name)
    assert all(format(s.context.trace_id, "032x") == TRACE_ID for s in spans)
    fetch = by_name["fetch"]
    assert fetch.attributes is not None and fetch.attributes["subgraph"] == "users"
    # The subgraph's server span is a child of the fetch: the traceparent was sent and honoured.
    servers = [s for s in spans if s.name == "POST /graphql" and s.parent is not None]
    assert any(s.parent is not None and s.parent.span_id == fetch.context.span_id for s in servers)


def test_without_an_endpoint_spans_are_a_shared_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in tracing.ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    tracing.disable_tracing()

    assert tracing.configure_tracing("router") is False
    assert tracing.span("parse") is tracing.span("plan")
    headers: dict[str, str] = {}
    tracing.inject_traceparent(headers)
    assert headers == {}


def test_the_renku_variable_names_the_endpoint_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://standard:4318")
    monkeypatch.setenv("RENKU_FED_OTEL_EXPORTER_OTLP_ENDPOINT", "http://ours:4318")
    assert tracing.otlp_endpoint() == "http://ours:4318"
    monkeypatch.delenv("RENKU_FED_OTEL_EXPORTER_OTLP_ENDPOINT")
    assert tracing.otlp_endpoint() == "http://standard:4318"
    tracing.disable_tracing()
    try:
        assert tracing.configure_tracing("router") is True
        assert tracing.tracing_enabled()
    finally:
        tracing.disable_tracing()
