"""ASGI bearer-token check shared by every service: a valid token becomes the request's identity."""

from __future__ import annotations

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from renku_fed.identity.bearer import Refused, authenticate
from renku_fed.identity.errors import HttpErrorCode
from renku_fed.identity.tokens import TokenVerifier

WS_UNAUTHORIZED = 4401
"""The graphql-transport-ws close code for a refused token."""


class BearerAuth:
    """ASGI wrapper: a valid bearer token becomes the request's identity, a bad one a 401."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier) -> None:
        self._app = app
        self._verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the Authorization header, then hand over to the wrapped app.

        A WebSocket upgrade is checked the same way; a refused one is closed before it is
        accepted (the client sees HTTP 403), and its token may also come in the protocol's
        first message, which the app checks.
        """
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        verdict = await authenticate(self._verifier, authorization)
        if isinstance(verdict, Refused):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": WS_UNAUTHORIZED})
            else:
                await refusal(verdict.message, verdict.code)(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = verdict.identity
        await self._app(scope, receive, send)


def refusal(message: str, code: HttpErrorCode) -> Response:
    """A GraphQL error response, with the code's status, refusing the request up front."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    status = code.status
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else {}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )
