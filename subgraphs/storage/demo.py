"""The demo data connector seeded into an empty embedded store: alice's public WebDAV folder
on 127.0.0.1:8080, served by `rclone serve webdav --addr 127.0.0.1:8080 <folder>`, linked to no
project until she links it (so no session mounts it unasked)."""

from __future__ import annotations

from renku_fed.identity.dev_issuer import dev_subject
from renku_fed.subgraphs.storage.backends.embedded import EmbeddedConnectors
from renku_fed.subgraphs.storage.models import DataConnectorDraft, Storage, Visibility

DEMO_CONNECTOR = DataConnectorDraft(
    name="Flights archive",
    namespace="alice",
    slug="flights-archive",
    visibility=Visibility.PUBLIC,
    description="A local WebDAV folder: serve one with "
    "`rclone serve webdav --addr 127.0.0.1:8080 FOLDER`, then link it to a project.",
    keywords=("flights", "demo"),
    storage=Storage(
        type="webdav",
        configuration={"type": "webdav", "url": "http://127.0.0.1:8080", "vendor": "other"},
        source_path="",
        target_path="data/flights-archive",
        read_only=True,
    ),
)


def seed_demo(connectors: EmbeddedConnectors) -> bool:
    """Store the demo connector when it is missing; True if it did."""
    if connectors.get_by_slug("alice", DEMO_CONNECTOR.slug) is not None:
        return False
    connectors.insert(DEMO_CONNECTOR, dev_subject("alice"))
    return True
