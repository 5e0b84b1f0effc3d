"""The storage service's internal route for the sessions service: what a session gets.

`POST /internal/session-launch` with `X-Renku-Internal-Token` (compared in constant time) and
`{"projectId", "userId"}` answers the project's data connectors the user may read, with the
user's decrypted credentials, and the user's values of the project's secret slots.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.subgraphs.storage.backends import StorageService
from renku_fed.subgraphs.storage.core_secrets import session_launch

SESSION_LAUNCH_PATH = "/internal/session-launch"
TOKEN_HEADER = "X-Renku-Internal-Token"


def internal_routes(service: StorageService, secret: str | None) -> list[Route]:
    """The session-launch route, refused unless the request carries `secret`."""

    async def launch(request: Request) -> JSONResponse:
        sent = request.headers.get(TOKEN_HEADER)
        if secret is None or sent is None or not hmac.compare_digest(sent, secret):
            return JSONResponse({"error": f"missing or wrong {TOKEN_HEADER}"}, status_code=401)
        try:
            body = await request.json()
            project_id, user_id = body["projectId"], body["userId"]
            if not isinstance(project_id, str) or not isinstance(user_id, str):
                raise TypeError("projectId and userId must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse(
                {"error": f"expected {{projectId, userId}} as JSON strings: {exc}"},
                status_code=400,
            )
        return JSONResponse(await session_launch(service, project_id, user_id))

    return [Route(SESSION_LAUNCH_PATH, launch, methods=["POST"])]
