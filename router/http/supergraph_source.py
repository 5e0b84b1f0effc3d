"""Where the router's supergraph comes from at start: a file, or composition of live subgraphs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

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
