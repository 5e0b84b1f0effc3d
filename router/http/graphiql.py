"""The GraphiQL page served to browsers, from the router's own files under /graphiql/ (no CDN)."""

from __future__ import annotations

from starlette.responses import HTMLResponse

# GraphiQL's editors set styles from script; its scripts are this origin's files only.
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

GRAPHIQL_HTML = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Renku GraphQL API</title>
    <link rel="stylesheet" href="/graphiql/graphiql.min.css" />
    <link rel="stylesheet" href="/graphiql/page.css" />
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
    <script src="/graphiql/react.production.min.js"></script>
    <script src="/graphiql/react-dom.production.min.js"></script>
    <script src="/graphiql/graphiql.min.js"></script>
    <script src="/graphiql/init.js"></script>
  </body>
</html>
"""


def graphiql_page() -> HTMLResponse:
    """GraphiQL's HTML page, not cached, under its Content-Security-Policy."""
    return HTMLResponse(
        GRAPHIQL_HTML,
        headers={"cache-control": "no-cache", "content-security-policy": GRAPHIQL_CSP},
    )
