"""The kg's internal HTTP routes: events from the projects subgraph and GitLab push webhooks.

Both are refused unless they carry the shared secret (`X-Renku-Events-Token`, or GitLab's
`X-Gitlab-Token`), compared in constant time. An event is on disk before the route answers 202.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.subgraphs.kg.events import EventKind, access_from_json
from renku_fed.subgraphs.kg.ingest import Ingester

EVENTS_PATH = "/internal/events"
GITLAB_WEBHOOK_PATH = "/internal/gitlab/webhook"


def _authorized(request: Request, header: str, secret: str | None) -> bool:
    sent = request.headers.get(header)
    return secret is not None and sent is not None and hmac.compare_digest(sent, secret)


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _event_of(body: dict[str, Any]) -> tuple[EventKind, str, dict[str, Any]]:
    """The stored form of a projects event: `project` (created or changed), `deleted`, `push`."""
    kind = body.get("type")
    if kind == "project":
        access = access_from_json(body["project"])
        return EventKind.ACCESS, access.id, {
            "project": body["project"], "repository": body.get("repository"),
        }  # fmt: skip
    if kind == "deleted":
        return EventKind.DELETE, str(body["projectId"]), {}
    if kind == "push":
        return EventKind.PUSH, str(body["projectId"]), {"commit": body.get("commit")}
    raise ValueError(f"unknown event type {kind!r}")


def internal_routes(ingester: Ingester, secret: str | None) -> list[Route]:
    """The event and webhook routes, feeding `ingester`."""

    async def events(request: Request) -> JSONResponse:
        if not _authorized(request, "X-Renku-Events-Token", secret):
            return _refused(401, "missing or wrong X-Renku-Events-Token")
        try:
            kind, project_id, payload = _event_of(await request.json())
        except (ValueError, KeyError, TypeError) as exc:
            return _refused(400, f"malformed event: {exc}")
        event_id = await ingester.enqueue(kind, project_id, payload)
        return JSONResponse({"event": event_id}, status_code=202)

    async def gitlab_webhook(request: Request) -> JSONResponse:
        if not _authorized(request, "X-Gitlab-Token", secret):
            return _refused(401, "missing or wrong X-Gitlab-Token")
        try:
            body = await request.json()
            project_id, commit = str(body["project_id"]), str(body["after"])
        except (ValueError, KeyError, TypeError) as exc:
            return _refused(400, f"not a GitLab push event: {exc}")
        if body.get("object_kind") != "push":
            return JSONResponse({"ignored": body.get("object_kind")}, status_code=202)
        event_id = await ingester.enqueue(EventKind.PUSH, project_id, {"commit": commit})
        return JSONResponse({"event": event_id}, status_code=202)

    return [
        Route(EVENTS_PATH, events, methods=["POST"]),
        Route(GITLAB_WEBHOOK_PATH, gitlab_webhook, methods=["POST"]),
    ]
