"""The demo connector: seeded once, valid for rclone, linked to no project."""

from __future__ import annotations

from pathlib import Path

from renku_fed.subgraphs.common.demo import FLIGHTS
from renku_fed.subgraphs.storage.backends.database import Database
from renku_fed.subgraphs.storage.backends.embedded import EmbeddedConnectors
from renku_fed.subgraphs.storage.demo import DEMO_CONNECTOR, seed_demo
from renku_fed.subgraphs.storage.providers import ProviderSchema
from tests.support.services.storage_servers import require_rclone


def test_the_demo_connector_is_seeded_once_and_valid(tmp_path: Path) -> None:
    connectors = EmbeddedConnectors(Database(tmp_path))
    assert seed_demo(connectors) is True
    assert seed_demo(connectors) is False
    assert connectors.search(None, "alice", 0, 10).total == 1
    assert connectors.project_links(FLIGHTS.id) == []
    schema = ProviderSchema.from_rclone(require_rclone())
    assert schema.validate(DEMO_CONNECTOR.storage.configuration).name == "webdav"
