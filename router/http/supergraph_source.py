"""Where the router's supergraph comes from: a file (watched for new versions) or live subgraphs."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph, SupergraphError

log = logging.getLogger(__name__)


class SupergraphUnavailable(Exception):
    """No supergraph could be loaded or composed; the message says what to fix."""


async def load_supergraph(
    settings: RouterSettings, transport: httpx.AsyncBaseTransport | None = None
) -> Supergraph:
    """The supergraph from `supergraph_path`, else composed from the `subgraphs` URLs."""
    if settings.supergraph_path is not None:
        path = settings.supergraph_path
        try:
            sdl = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SupergraphUnavailable(
                f"Cannot read the supergraph {path} (RENKU_FED_ROUTER_SUPERGRAPH_PATH): "
                f"{exc.strerror}."
            ) from exc
        return _parse(sdl, str(path))
    if not settings.subgraphs:
        raise SupergraphUnavailable(
            "The router has no supergraph: set RENKU_FED_ROUTER_SUPERGRAPH_PATH to a composed "
            "supergraph file, or RENKU_FED_ROUTER_SUBGRAPHS to a JSON object of subgraph URLs."
        )
    return _parse(await compose_live(settings, transport), "the composed subgraphs")


async def compose_live(
    settings: RouterSettings, transport: httpx.AsyncBaseTransport | None = None
) -> str:
    """Fetch every subgraph's SDL (retrying ones not up yet) and compose the supergraph SDL."""
    from renku_fed.router.composition import (
        CompositionFailed,
        SubgraphSdlUnavailable,
        SubgraphSource,
        compose,
        fetch_subgraph_sdl,
    )

    deadline = time.monotonic() + settings.startup_timeout_seconds
    sources: list[SubgraphSource] = []
    async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
        for name, url in settings.subgraphs.items():
            retrying = AsyncRetrying(
                retry=retry_if_exception_type(SubgraphSdlUnavailable),
                wait=wait_exponential(multiplier=0.1, max=2.0),
                stop=_sleep_would_pass(deadline),
                before_sleep=_log_waiting(name, url),
                reraise=True,
            )
            try:
                sdl: str = await retrying(fetch_subgraph_sdl, client, url)
            except SubgraphSdlUnavailable as exc:
                raise SupergraphUnavailable(
                    f'Subgraph "{name}" did not serve its SDL within '
                    f"{settings.startup_timeout_seconds} seconds: {exc}"
                ) from exc
            sources.append(SubgraphSource(name, url, sdl))
    try:
        return compose(sources)
    except CompositionFailed as exc:
        raise SupergraphUnavailable(f"The subgraphs do not compose:\n{exc}") from exc


def _sleep_would_pass(deadline: float) -> Callable[[RetryCallState], bool]:
    """Stop retrying when the next wait would end after `deadline` (shared by all subgraphs)."""
    return lambda state: time.monotonic() + state.upcoming_sleep > deadline


def _log_waiting(name: str, url: str) -> Callable[[RetryCallState], None]:
    """Log, before each wait, which subgraph is not up yet."""
    return lambda _state: log.info("waiting for subgraph", extra={"subgraph": name, "url": url})


def _parse(sdl: str, origin: str) -> Supergraph:
    try:
        return Supergraph.parse(sdl)
    except SupergraphError as exc:
        raise SupergraphUnavailable(f"The supergraph from {origin} is invalid: {exc}") from exc


Closer = Callable[[], Awaitable[None]]
"""Closes what a new supergraph replaced (the previous gateway's connections)."""


class SupergraphWatcher:
    """Polls a supergraph file's content and swaps in each new valid version.

    `swap` installs the new supergraph and returns how to close what it replaced, which runs
    after `grace` seconds so that requests in flight finish. A file that cannot be read or
    parsed is logged and the version being served stays.
    """

    def __init__(
        self, path: Path, version: str, swap: Callable[[Supergraph], Closer | None], grace: float
    ) -> None:
        self._path = path
        self._version = version
        self._swap = swap
        self._grace = grace
        self._digest: str | None = None
        self._retiring: dict[asyncio.Task[None], Closer] = {}

    async def check(self) -> bool:
        """Read the file once; True when a new supergraph was swapped in."""
        try:
            sdl = await asyncio.to_thread(self._path.read_bytes)
        except OSError as exc:
            log.warning(
                "cannot read the supergraph", extra={"path": str(self._path), "error": exc.strerror}
            )
            return False
        digest = hashlib.sha256(sdl).hexdigest()
        if digest in (self._digest, self._version):
            return False
        self._digest = digest
        try:
            supergraph = await asyncio.to_thread(_parse, sdl.decode("utf-8"), str(self._path))
        except (SupergraphUnavailable, UnicodeDecodeError) as exc:
            log.error("new supergraph refused, serving the previous one", extra={"error": str(exc)})
            return False
        close = self._swap(supergraph)
        previous, self._version = self._version, supergraph.version
        log.info(
            "supergraph reloaded", extra={"supergraph": supergraph.version, "previous": previous}
        )
        if close is not None:
            task = asyncio.create_task(self._close_later(close))
            self._retiring[task] = close
            task.add_done_callback(lambda done: self._retiring.pop(done, None))
        return True

    async def _close_later(self, close: Closer) -> None:
        await asyncio.sleep(self._grace)
        await close()

    async def run(self, interval: float) -> None:
        """Check every `interval` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await self.check()

    async def aclose(self) -> None:
        """Close at once whatever is still waiting for its grace to end."""
        pending = list(self._retiring.items())
        self._retiring.clear()
        for task, close in pending:
            if task.done():
                continue
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await close()


@asynccontextmanager
async def watching(
    settings: RouterSettings, current: Supergraph, swap: Callable[[Supergraph], Closer | None]
) -> AsyncIterator[SupergraphWatcher | None]:
    """Watch `supergraph_path` for new versions while the block runs (when it is set and polled)."""
    path, interval = settings.supergraph_path, settings.supergraph_poll_seconds
    if path is None or not interval:
        yield None
        return
    watcher = SupergraphWatcher(path, current.version, swap, settings.subgraph_timeout_seconds)
    task = asyncio.create_task(watcher.run(interval), name="supergraph-watcher")
    try:
        yield watcher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await watcher.aclose()
