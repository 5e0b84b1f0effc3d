"""The web front end's built files (`ui/`, built into `web/`): the single-page app at `/`."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).with_name("web")
IMMUTABLE = "public, max-age=31536000, immutable"
# The app's scripts and styles are files of its own origin; nothing inline, nothing elsewhere.
APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class CachedFiles(StaticFiles):
    """Static files served with one cache-control header and the security headers."""

    def __init__(self, directory: Path, cache_control: str) -> None:
        super().__init__(directory=directory, check_dir=False)
        self._cache_control = cache_control

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file, with this folder's cache-control."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = self._cache_control
        response.headers.update(SECURITY_HEADERS)
        return response


def web_routes(web_dir: Path = WEB_DIR) -> list[BaseRoute]:
    """Hashed assets (immutable), GraphiQL's files, and `index.html` for every other page."""
    index = web_dir / "index.html"

    async def page(request: Request) -> Response:
        if not index.exists():
            return PlainTextResponse(
                "The web front end is not built here: run `npm ci && npm run build` in ui/.", 404
            )
        accept = request.headers.get("accept", "")
        if request.url.path != "/" and "text/html" not in accept:
            return PlainTextResponse("Not Found", 404)
        response = FileResponse(index, media_type="text/html")
        response.headers["cache-control"] = "no-cache"
        response.headers["content-security-policy"] = APP_CSP
        response.headers.update(SECURITY_HEADERS)
        return response

    return [
        Mount("/assets", CachedFiles(web_dir / "assets", IMMUTABLE)),
        Mount("/graphiql", CachedFiles(web_dir / "graphiql", "no-cache")),
        Route("/{path:path}", page, methods=["GET", "HEAD"]),
    ]
