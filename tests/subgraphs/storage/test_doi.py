"""Global data connectors from DOIs, resolved against DataCite-shaped records.

Only package registries are reachable here, so the records are served from 127.0.0.1: a real
HTTP server for the resolver, an in-process app for the platform. The record is shaped as
DataCite's REST API documents `GET /dois/{doi}` (as it answers for a Zenodo deposit).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.storage.backends.doi import DataCiteResolver
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.settings import StorageSettings
from tests.support.inprocess import ROUTER_URL, STORAGE_INTERNAL_SECRET, inprocess_platform

DOI = "10.5281/zenodo.7560123"
RECORD: dict[str, Any] = {
    "data": {
        "id": DOI,
        "type": "dois",
        "attributes": {
            "doi": DOI,
            "titles": [{"title": "Domestic flight delays 2015-2022"}],
            "publisher": "Zenodo",
            "url": "https://zenodo.org/records/7560123",
            "descriptions": [{"description": "Cleaned delays.", "descriptionType": "Abstract"}],
            "subjects": [{"subject": "aviation"}, {"subject": "delays"}],
        },
    }
}
DOI_PORT = 4006
GLOBAL = """mutation($doi: String!) { createGlobalDataConnector(doi: $doi) {
  dataConnector { id namespace name doi publisher visibility keywords storage { type
  configuration readOnly } } errors { code field } } }"""


class _Records(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = self.path == f"/dois/{DOI}"
        body = json.dumps(RECORD if found else {"errors": [{"status": "404"}]}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/vnd.api+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def datacite() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Records)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/dois"
    finally:
        server.shutdown()


async def test_the_resolver_reads_a_datacite_record(datacite: str) -> None:
    resolver = DataCiteResolver(datacite, timeout=5)
    deposit = await resolver.resolve(DOI)
    assert (deposit.title, deposit.publisher, deposit.keywords) == (
        "Domestic flight delays 2015-2022", "Zenodo", ("aviation", "delays"),
    )  # fmt: skip
    with pytest.raises(DomainError) as missing:
        await resolver.resolve("10.5281/zenodo.1")
    assert missing.value.code is ErrorCode.NOT_FOUND
    await resolver.aclose()


async def _records(request: Request) -> JSONResponse:
    doi = request.path_params["doi"]
    return JSONResponse(RECORD if doi == DOI else {}, status_code=200 if doi == DOI else 404)


async def test_a_global_connector_is_made_once_per_doi(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    settings = StorageSettings(
        data_dir=tmp_path / "storage", secrets_keys=SecretBox.new_key(), graph_url=ROUTER_URL,
        internal_secret=STORAGE_INTERNAL_SECRET,
        doi_resolver_url=f"http://127.0.0.1:{DOI_PORT}/dois",
    )  # fmt: skip
    subgraphs = ("users", "projects", "storage")
    async with inprocess_platform(
        tmp_path, verifier, subgraphs=subgraphs, subgraph_settings={"storage": settings}
    ) as platform:
        records = Starlette(routes=[Route("/dois/{doi:path}", _records)])
        platform.transport.add(DOI_PORT, records)
        alice = dev_issuer.sign("alice")
        made = (await platform.query(GLOBAL, alice, {"doi": f"https://doi.org/{DOI}"}))["data"]
        connector = made["createGlobalDataConnector"]["dataConnector"]
        assert connector["namespace"] is None and connector["visibility"] == "PUBLIC"
        assert (connector["doi"], connector["publisher"]) == (DOI, "Zenodo")
        assert connector["storage"] == {
            "type": "http", "readOnly": True,
            "configuration": {"type": "http", "url": "https://zenodo.org/records/7560123"},
        }  # fmt: skip
        again = (await platform.query(GLOBAL, dev_issuer.sign("bob"), {"doi": DOI}))["data"]
        assert again["createGlobalDataConnector"]["dataConnector"]["id"] == connector["id"]
        unknown = await platform.query(GLOBAL, alice, {"doi": "10.5281/zenodo.1"})
        assert unknown["data"]["createGlobalDataConnector"]["errors"] == [
            {"code": "NOT_FOUND", "field": "doi"}
        ]
