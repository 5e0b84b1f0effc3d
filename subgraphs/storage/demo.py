"""The demo data connector seeded into an empty embedded store: a public WebDAV remote of
alice's, linked to her demo project `alice/flights`."""

from __future__ import annotations

from renku_fed.identity.dev_issuer import dev_subject
from renku_fed.subgraphs.common.demo import DEMO_PROJECTS
from renku_fed.subgraphs.storage.backends.embedded import EmbeddedConnectors
from renku_fed.subgraphs.storage.models import DataConnectorDraft, Storage, Visibility

DEMO_CONNECTOR = DataConnectorDraft(
    name="Flights archive",
    namespace="alice",
    slug="flights-archive",
    visibility=Visibility.PUBLIC,
    description="Public WebDAV folder with past flight records.",
    keywords=("flights", "demo"),
    storage=Storage(
        type="webdav",
        configuration={"type": "webdav", "url": "http://127.0.0.1:8080", "vendor": "other"},
        source_path="flights",
        target_path="data/flights-archive",
        read_only=True,
    ),
)


def seed_demo(connectors: EmbeddedConnectors) -> bool:
    """Store the demo connector, linked to alice/flights, when there is none; True if it did."""
    if connectors.get_by_slug("alice", DEMO_CONNECTOR.slug) is not None:
        return False
    connector = connectors.insert(DEMO_CONNECTOR, dev_subject("alice"))
    flights = next(p for p in DEMO_PROJECTS if (p.namespace, p.slug) == ("alice", "flights"))
    connectors.link(connector.id, flights.id, dev_subject("alice"))
    return True
