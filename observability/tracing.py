"""OpenTelemetry spans, exported over OTLP only when an endpoint is configured."""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from starlette.types import ASGIApp, Receive, Scope, Send

ENDPOINT_VARIABLES = ("RENKU_FED_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_NO_SPAN: AbstractContextManager[None] = nullcontext()
_tracer: trace.Tracer | None = None


def otlp_endpoint() -> str | None:
    """The OTLP endpoint the environment names (ours first, then the standard variable)."""
    for name in ENDPOINT_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def configure_tracing(service: str, exporter: SpanExporter | None = None) -> bool:
    """Export this process's spans to `exporter`, or to the OTLP endpoint; say if tracing is on.

    Without an exporter, a tracer configured before stays (one per process; tests set theirs).
    """
    global _tracer
    given = exporter is not None
    if exporter is None:
        endpoint = otlp_endpoint()
        if endpoint is None or _tracer is not None:
            return _tracer is not None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    # A given exporter (tests) gets each span as it ends; OTLP gets them in batches.
    processor = SimpleSpanProcessor(exporter) if given else BatchSpanProcessor(exporter)
    provider.add_span_processor(processor)
    _tracer = provider.get_tracer("renku_fed")
    return True


def disable_tracing() -> None:
    """Stop making spans in this process."""
    global _tracer
    _tracer = None


def tracing_enabled() -> bool:
    """True when spans are exported."""
    return _tracer is not None


def span(name: str, **attributes: Any) -> AbstractContextManager[Any]:
    """A span as the current one while the block runs; a shared no-op without tracing."""
    tracer = _tracer
    if tracer is None:
        return _NO_SPAN
    return tracer.start_as_current_span(name, attributes=attributes)


def inject_traceparent(headers: MutableMapping[str, str]) -> None:
    """Add the current span's `traceparent` (W3C trace context) to outgoing headers."""
    if _tracer is not None:
        propagate.inject(headers)


@contextmanager
def _server_span(tracer: trace.Tracer, scope: Scope) -> Iterator[None]:
    carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    token = context.attach(propagate.extract(carrier))
    method = scope.get("method", "GET")  # a WebSocket opens with a GET upgrade
    try:
        with tracer.start_as_current_span(
            f"{method} {scope['path']}",
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        ):
            yield
    finally:
        context.detach(token)


class TracingMiddleware:
    """ASGI wrapper opening a server span per request, child of the caller's `traceparent`."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request (or WebSocket) inside a span when tracing is on."""
        tracer = _tracer
        if tracer is None or scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        with _server_span(tracer, scope):
            await self._app(scope, receive, send)
