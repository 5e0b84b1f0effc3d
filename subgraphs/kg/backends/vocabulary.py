"""The RDF vocabularies (schema.org, PROV-O, Renku), how the graph names things, and query text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote, unquote

from pyoxigraph import BlankNode, Literal, NamedNode

SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
RENKU = "https://swissdatasciencecenter.github.io/renku-ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATETIME = NamedNode(XSD + "dateTime")
BASE_IRI = "https://renku.example/"
ACCESS_GRAPH = NamedNode(f"{BASE_IRI}graphs/access")

PREFIXES = {"schema": SCHEMA, "prov": PROV, "renku": RENKU, "xsd": XSD}
PREFIX_TEXT = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())

Term = NamedNode | BlankNode | Literal

# Words of at least this length are indexed by every prefix up to MAX_PREFIX characters.
MIN_PREFIX = 2
MAX_PREFIX = 12
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_WORD = re.compile(r"[a-z0-9]+")


def schema(name: str) -> NamedNode:
    """A schema.org term."""
    return NamedNode(SCHEMA + name)


def prov(name: str) -> NamedNode:
    """A PROV-O term."""
    return NamedNode(PROV + name)


def renku(name: str) -> NamedNode:
    """A Renku ontology term."""
    return NamedNode(RENKU + name)


def _iri(collection: str, key: str) -> NamedNode:
    return NamedNode(f"{BASE_IRI}{collection}/{quote(key, safe='')}")


def project_iri(project_id: str) -> NamedNode:
    """The IRI of a project, also the name of the graph that holds its metadata."""
    return _iri("projects", project_id)


def dataset_iri(dataset_id: str) -> NamedNode:
    """The IRI of a dataset."""
    return _iri("datasets", dataset_id)


def workflow_iri(workflow_id: str) -> NamedNode:
    """The IRI of a workflow (a plan)."""
    return _iri("workflows", workflow_id)


def activity_iri(activity_id: str) -> NamedNode:
    """The IRI of an activity."""
    return _iri("activities", activity_id)


def user_iri(user_id: str) -> NamedNode:
    """The IRI of a platform user (the identity provider's subject)."""
    return _iri("users", user_id)


def person_iri(user_id: str | None, email: str | None, name: str) -> NamedNode:
    """The IRI of a person: the user's when known, else one minted from e-mail or name."""
    if user_id:
        return user_iri(user_id)
    key = (email or name).strip().lower()
    return _iri("persons", hashlib.sha256(key.encode()).hexdigest()[:24])


def namespace_iri(namespace: str) -> NamedNode:
    """The IRI of a namespace (a user's or a group's)."""
    return _iri("namespaces", namespace)


def file_iri(project_id: str, path: str) -> NamedNode:
    """The IRI of a file (a PROV entity) at `path` in a project's repository."""
    return NamedNode(f"{project_iri(project_id).value}/files/{quote(path, safe='/')}")


def local_id(iri: str) -> str:
    """The id a `<BASE_IRI><collection>/<id>` IRI was minted from."""
    return unquote(iri.removeprefix(BASE_IRI).split("/", 1)[1])


def fold(text: str) -> str:
    """Lower case without accents: what search compares."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


def prefixes(text: str) -> set[str]:
    """Every indexed prefix of every word of `text` (whole words longer than MAX_PREFIX too)."""
    found: set[str] = set()
    for word in words(text):
        found.update(word[:n] for n in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1))
        found.add(word)
    return found


def search_terms(text: str) -> list[str]:
    """The words of a query as they are looked up in the prefix index."""
    return sorted({w[:MAX_PREFIX] if len(w) > MAX_PREFIX else w for w in words(text)})


def render(query: str, bindings: Mapping[str, Term] | None = None) -> str:
    """The query with each bound `?name` replaced by its term, written as N-Triples writes it.

    Both stores run exactly this text, so they answer the same query; terms are serialised by
    pyoxigraph (escaped literals, validated IRIs), never formatted from user input by hand. A
    bound variable a SELECT projects becomes `(term AS ?name)`, so rows still carry it.
    """
    if not bindings:
        return query
    head, where, body = "", "", query
    if query.lstrip().startswith("SELECT") and " WHERE" in query:
        head, where, body = query.partition(" WHERE")

    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(bindings[name]) if name in bindings else match.group(0)

    def projected(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"({bindings[name]} AS ?{name})" if name in bindings else match.group(0)

    return _VARIABLE.sub(projected, head) + where + _VARIABLE.sub(term, body)
