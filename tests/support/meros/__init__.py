"""meros (npm), the multipart reader JavaScript GraphQL clients use, reading the router's `@defer`
responses; and the router under uvicorn for it to read from."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import uvicorn
from starlette.types import ASGIApp

CLIENT = Path(__file__).with_name("client.mjs")


@asynccontextmanager
async def served(app: ASGIApp, lifespan: Literal["on", "off"] = "on") -> AsyncIterator[str]:
    """`app` under uvicorn on a free 127.0.0.1 port, in this event loop; its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan=lifespan, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        listener.close()


async def read_with_meros(
    url: str, query: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """What the meros client prints for one request: the status line, then each part."""
    job = json.dumps({"url": url, "query": query, "headers": headers or {}})
    process = await asyncio.create_subprocess_exec(
        "node",
        str(CLIENT),
        job,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines()]
