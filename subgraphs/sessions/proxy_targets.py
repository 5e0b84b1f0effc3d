"""Where the router's session proxy learns where a session answers: `GET /internal/sessions/<id>`.

The router asks with the caller's bearer token; only the session's owner gets an answer (403
for anyone else; 404 for a session that does not exist or does not run). When the service has a
proxy secret, the request must carry it too, so that only the router gets the server's secret.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, request_response

from renku_fed.identity.middleware import BearerAuth
from renku_fed.identity.tokens import ANONYMOUS, TokenVerifier
from renku_fed.subgraphs.common.errors import DomainError
from renku_fed.subgraphs.sessions.backends import SessionBackend
from renku_fed.subgraphs.sessions.core import sessions as cases

PROXY_SECRET_HEADER = "x-renku-proxy-secret"
PATH = "/internal/sessions/{session_id}"


def proxy_target_routes(
    backend: SessionBackend, verifier: TokenVerifier, proxy_secret: str | None = None
) -> list[BaseRoute]:
    """The route the router's proxy asks."""

    async def target(request: Request) -> Response:
        given = request.headers.get(PROXY_SECRET_HEADER, "")
        if proxy_secret and not hmac.compare_digest(given.encode(), proxy_secret.encode()):
            return JSONResponse({"error": "Only the router may ask this."}, 403)
        identity = request.scope.get("state", {}).get("identity", ANONYMOUS)
        session_id = request.path_params["session_id"]
        try:
            found = await cases.session_target(backend, identity, session_id)
        except DomainError as error:
            return JSONResponse({"error": error.message}, 403)
        if found is None:
            return JSONResponse({"error": f"You have no running session {session_id!r}."}, 404)
        body = {"sessionId": found.session_id, "upstream": found.upstream, "secret": found.secret}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return [Route(PATH, BearerAuth(request_response(target), verifier), methods=["GET"])]
