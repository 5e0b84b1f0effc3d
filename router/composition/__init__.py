"""Apollo Federation v2 composition: subgraph SDLs -> supergraph SDL."""

from renku_fed.router.composition.compose import compose
from renku_fed.router.composition.errors import CompositionError, CompositionFailed
from renku_fed.router.composition.sources import (
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
