"""The RDF vocabularies (schema.org, PROV-O, Renku) and how the graph names things."""

from __future__ import annotations

from urllib.parse import quote, unquote

from pyoxigraph import NamedNode

SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
RENKU = "https://swissdatasciencecenter.github.io/renku-ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
BASE_IRI = "https://renku.example/"

PREFIXES = {"schema": SCHEMA, "prov": PROV, "renku": RENKU}


def schema(name: str) -> NamedNode:
    """A schema.org term."""
    return NamedNode(SCHEMA + name)


def prov(name: str) -> NamedNode:
    """A PROV-O term."""
    return NamedNode(PROV + name)


def renku(name: str) -> NamedNode:
    """A Renku ontology term."""
    return NamedNode(RENKU + name)


def project_iri(project_id: str) -> NamedNode:
    """The IRI of a project, also the name of the graph that holds its metadata."""
    return NamedNode(f"{BASE_IRI}projects/{quote(project_id, safe='')}")


def dataset_iri(dataset_id: str) -> NamedNode:
    """The IRI of a dataset."""
    return NamedNode(f"{BASE_IRI}datasets/{quote(dataset_id, safe='')}")


def activity_iri(activity_id: str) -> NamedNode:
    """The IRI of an activity."""
    return NamedNode(f"{BASE_IRI}activities/{quote(activity_id, safe='')}")


def user_iri(user_id: str) -> NamedNode:
    """The IRI of a user (the identity provider's subject)."""
    return NamedNode(f"{BASE_IRI}users/{quote(user_id, safe='')}")


def file_iri(project_id: str, path: str) -> NamedNode:
    """The IRI of a file (a PROV entity) at `path` in a project's repository."""
    return NamedNode(f"{project_iri(project_id).value}/files/{quote(path, safe='/')}")


def local_id(iri: str, collection: str) -> str:
    """The id a `<BASE_IRI><collection>/<id>` IRI was minted from."""
    return unquote(iri.removeprefix(f"{BASE_IRI}{collection}/"))
