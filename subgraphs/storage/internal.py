"""The storage service's internal route for the sessions service: what a session gets.

`POST /internal/session-launch` with `X-Renku-Internal-Token` (compared in constant time),
`{"projectId", "userId"}`, and the launching user's own bearer token in `Authorization`,
answers the project's data connectors the user may read (their namespace roles asked of the
router with that token, at this launch), with the user's decrypted credentials, and the user's
values of the project's secret slots. Without a bearer token, connectors that only members of
a namespace may read are withheld, and the answer's `problems` say so.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.identity.bearer import Refused, authenticate
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.subgraphs.common.errors import ErrorCode
from renku_fed.subgraphs.storage.backends import StorageService
from renku_fed.subgraphs.storage.core_secrets import session_launch

SESSION_LAUNCH_PATH = "/internal/session-launch"
TOKEN_HEADER = "X-Renku-Internal-Token"


def _refusal(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


def internal_routes(
    service: StorageService, secret: str | None, verifier: TokenVerifier
) -> list[Route]:
    """The session-launch route, refused unless the request carries `secret`."""

    async def launch(request: Request) -> JSONResponse:
        sent = request.headers.get(TOKEN_HEADER)
        if secret is None or sent is None or not hmac.compare_digest(sent, secret):
            return _refusal("UNAUTHENTICATED", f"missing or wrong {TOKEN_HEADER}", 401)
        try:
            body = await request.json()
            project_id, user_id = body["projectId"], body["userId"]
            if not isinstance(project_id, str) or not isinstance(user_id, str):
                raise TypeError("projectId and userId must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            return _refusal(
                ErrorCode.BAD_USER_INPUT,
                f"expected {{projectId, userId}} as JSON strings: {exc}",
                400,
            )
        user = await _user(verifier, request, user_id)
        if isinstance(user, JSONResponse):
            return user
        return JSONResponse(await session_launch(service, project_id, user))

    return [Route(SESSION_LAUNCH_PATH, launch, methods=["POST"])]


async def _user(verifier: TokenVerifier, request: Request, user_id: str) -> Identity | JSONResponse:
    """The launching user: verified from their bearer token, else known by id only."""
    verdict = await authenticate(verifier, request.headers.get("authorization"))
    if isinstance(verdict, Refused):
        message = f"the user's bearer token was refused: {verdict.message}"
        return _refusal(verdict.code, message, verdict.code.status)
    if verdict.token is None:
        return Identity(subject=user_id)
    if verdict.identity.subject != user_id:
        return _refusal(
            ErrorCode.FORBIDDEN,
            "the bearer token is not userId's: send the launching user's own token",
            403,
        )
    return verdict.identity
