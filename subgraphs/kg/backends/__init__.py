"""What the kg use cases call (`KgBackend`) and the `TripleStore` the SPARQL backend runs on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from renku_fed.subgraphs.kg.models import Activity, Dataset, Lineage, ProjectMetadata

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]


class KgBackend(Protocol):
    """The knowledge graph: indexes projects' metadata and answers what a viewer may read.

    `viewer` is the caller's subject, None when anonymous; a project is readable when it is
    public or the viewer is a member. Every method blocks: call it in a worker thread.
    """

    def index_project(self, metadata: ProjectMetadata) -> None:
        """Replace everything known about one project with `metadata`."""
        ...

    def is_empty(self) -> bool:
        """True when no project has been indexed yet."""
        ...

    def close(self) -> None:
        """Release the underlying store."""
        ...

    def search_datasets(self, search: str | None, first: int) -> list[Dataset]:
        """Datasets of public projects whose name, title or keywords contain `search`."""
        ...

    def dataset(self, dataset_id: str, viewer: str | None) -> Dataset | None:
        """One dataset, when the viewer may read its project."""
        ...

    def project_datasets(self, project_id: str, viewer: str | None) -> list[Dataset]:
        """A project's datasets, when the viewer may read the project."""
        ...

    def project_activities(self, project_id: str, viewer: str | None) -> list[Activity]:
        """A project's activities, oldest first, when the viewer may read the project."""
        ...

    def user_activities(self, user_id: str, viewer: str | None) -> list[Activity]:
        """Activities a user was the agent of, in projects the viewer may read."""
        ...

    def project_lineage(self, project_id: str, viewer: str | None) -> Lineage:
        """A project's provenance as nodes (files, runs) and data-flow edges."""
        ...


class TripleStore(Protocol):
    """A quad store answering SPARQL 1.1 SELECT queries, one named graph per project."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Rows of a SELECT query over the union of all graphs; `bindings` preset variables.

        A bound variable must appear in the query's projection; values are RDF terms, never
        spliced into the query text.
        """
        ...

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Replace the whole content of one named graph."""
        ...

    def is_empty(self) -> bool:
        """True when the store holds no triple at all."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...
