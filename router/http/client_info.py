"""What API clients need besides /graphql: the API schema as SDL, and where to sign in."""

from __future__ import annotations

from collections.abc import Callable

from graphql import print_schema
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from renku_fed.router.supergraph import Supergraph

SCHEMA_PATH = "/schema.graphql"
CLIENT_INFO_PATH = "/.well-known/renku-fed.json"
# The public OIDC client of `renku-fed login` (the device grant), as in Renku's Keycloak realm.
CLI_CLIENT_ID = "renku-cli"


def api_schema_sdl(supergraph: Supergraph) -> str:
    """The schema clients see, as SDL: no federation types, directives or inaccessible parts."""
    return print_schema(supergraph.api_schema) + "\n"


def client_info_routes(current: Callable[[], Supergraph | None], issuer: str) -> list[Route]:
    """`GET /schema.graphql` and `GET /.well-known/renku-fed.json` for the served supergraph."""
    cache: dict[str, str] = {}

    async def schema(_: Request) -> Response:
        supergraph = current()
        if supergraph is None:
            return PlainTextResponse("The router has no supergraph yet.\n", 503)
        sdl = cache.get(supergraph.version)
        if sdl is None:
            cache.clear()
            sdl = cache[supergraph.version] = api_schema_sdl(supergraph)
        headers = {"etag": f'"{supergraph.version}"', "cache-control": "no-cache"}
        return PlainTextResponse(sdl, headers=headers, media_type="application/graphql")

    async def info(_: Request) -> Response:
        return JSONResponse(
            {
                "graphql": "/graphql",
                "schema": SCHEMA_PATH,
                "issuer": issuer,
                "cli_client_id": CLI_CLIENT_ID,
            }
        )

    return [
        Route(SCHEMA_PATH, schema, methods=["GET"]),
        Route(CLIENT_INFO_PATH, info, methods=["GET"]),
    ]
