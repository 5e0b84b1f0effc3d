"""The benchmark subgraphs as one running process, and the supergraph composed over them."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gateways.load import run_wrk, summarize
from bench.gateways.procs import LOAD_CPU, free_port, pinned, start, stop, wait_until
from bench.gateways.schemas import SDLS
from bench.gateways.subgraph_server import NAMES

REPO = Path(__file__).resolve().parents[2]

# One request per subgraph like those a gateway sends for the benchmark query.
_PRODUCT_REPS = [
    {"__typename": "Product", "upc": str(n), "price": 899, "weight": 100} for n in range(1, 6)
]
SAMPLE_REQUESTS: dict[str, dict[str, Any]] = {
    "accounts": {"query": "{ users { id username name } }"},
    "inventory": {
        "query": "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on Product { inStock shippingEstimate } } }",
        "variables": {"r": _PRODUCT_REPS},
    },
    "products": {"query": "{ topProducts { upc name price weight } }"},
    "reviews": {
        "query": "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product "
        "{ reviews { id body author { id username reviews { id body product { upc } } } } } } }",
        "variables": {"r": [{"__typename": "Product", "upc": str(n)} for n in range(1, 6)]},
    },
}


@dataclass
class Subgraphs:
    """The running subgraph process and where each subgraph answers."""

    process: subprocess.Popen[bytes]
    ports: dict[str, int]

    def url(self, name: str) -> str:
        """Subgraph `name`'s GraphQL endpoint."""
        return f"http://127.0.0.1:{self.ports[name]}/graphql"

    def served(self) -> int:
        """GraphQL requests the subgraphs have answered so far."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ports['accounts']}/stats") as r:
            count: int = json.loads(r.read())["requests"]
            return count

    def healthy(self) -> bool:
        """Whether every subgraph answers /healthz."""
        try:
            for port in self.ports.values():
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    pass
        except OSError:
            return False
        return True


def start_subgraphs(workdir: Path) -> Subgraphs:
    """Start the four subgraphs in one process pinned to the load CPU."""
    ports = {name: free_port() for name in NAMES}
    command = [
        sys.executable, "-m", "bench.gateways.subgraph_server",
        "--ports", ",".join(str(ports[name]) for name in NAMES),
    ]  # fmt: skip
    process = start(pinned(command, LOAD_CPU), {"PYTHONPATH": str(REPO)}, workdir / "subgraphs.log")
    subgraphs = Subgraphs(process, ports)
    if not wait_until(subgraphs.healthy, 30, process):
        stop(process)
        log = (workdir / "subgraphs.log").read_text()[-2000:]
        raise RuntimeError(f"the benchmark subgraphs did not start: {log}")
    return subgraphs


def compose_supergraph(subgraphs: Subgraphs, path: Path) -> str:
    """Compose the subgraphs with renku-fed's composer into `path`; the supergraph SDL."""
    from renku_fed.router.composition import SubgraphSource, compose

    supergraph = compose([SubgraphSource(name, subgraphs.url(name), SDLS[name]) for name in NAMES])
    path.write_text(supergraph)
    return supergraph


def measure_subgraphs(subgraphs: Subgraphs, workdir: Path, seconds: float) -> dict[str, float]:
    """Each subgraph's own requests/s at 10 connections, without any gateway."""
    rates = {}
    for name, request in SAMPLE_REQUESTS.items():
        body = workdir / f"sample-{name}.json"
        body.write_text(json.dumps(request))
        rates[name] = summarize(run_wrk(subgraphs.url(name), body, 10, seconds, None))["rps"]
    return rates
