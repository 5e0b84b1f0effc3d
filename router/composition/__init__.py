"""Apollo Federation v2 composition: subgraph SDLs -> supergraph SDL."""

from router.composition.compose import compose
from router.composition.errors import CompositionError, CompositionFailed
from router.composition.sources import (
    SubgraphSdlUnavailable,
    SubgraphSource,
    fetch_subgraph_sdl,
    load_subgraph_source,
)

__all__ = [
    "CompositionError",
    "CompositionFailed",
    "SubgraphSdlUnavailable",
    "SubgraphSource",
    "compose",
    "fetch_subgraph_sdl",
    "load_subgraph_source",
]
