"""The supergraph: its model of subgraphs, types and fields, and the API schema clients see."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from graphql import GraphQLError, GraphQLSchema, build_ast_schema, parse

from renku_fed.router.supergraph.api_schema import build_api_schema
from renku_fed.router.supergraph.errors import SupergraphError
from renku_fed.router.supergraph.join import build_model
from renku_fed.router.supergraph.links import read_links
from renku_fed.router.supergraph.model import SubgraphInfo, SupergraphModel

__all__ = ["SubgraphInfo", "Supergraph", "SupergraphError", "SupergraphModel"]


@dataclass(frozen=True, slots=True)
class Supergraph:
    """An immutable, loaded supergraph; build it with `Supergraph.parse(sdl)`."""

    sdl: str
    version: str
    api_schema: GraphQLSchema
    model: SupergraphModel

    @property
    def subgraphs(self) -> Mapping[str, SubgraphInfo]:
        """Subgraphs by name, with the URL the supergraph gives them."""
        return self.model.subgraphs

    @classmethod
    def parse(cls, sdl: str) -> Supergraph:
        """Load a supergraph SDL; raises `SupergraphError` when it cannot be used."""
        try:
            document = parse(sdl, no_location=True)
        except GraphQLError as error:
            raise SupergraphError(
                f"invalid supergraph SDL{_where(error)}: {error.message}"
            ) from error
        links = read_links(document)
        try:
            schema = build_ast_schema(document, assume_valid_sdl=True)
        except (GraphQLError, TypeError) as error:
            raise SupergraphError(f"invalid supergraph schema: {error}") from error
        model = build_model(document, links, schema)
        api_schema = build_api_schema(document, links)
        version = hashlib.sha256(sdl.encode()).hexdigest()
        return cls(sdl=sdl, version=version, api_schema=api_schema, model=model)


def _where(error: GraphQLError) -> str:
    """ " at line L, column C" of the error's first location, or nothing when it has none."""
    if not error.locations:
        return ""
    location = error.locations[0]
    return f" at line {location.line}, column {location.column}"
