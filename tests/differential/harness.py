"""Runs variants through `@apollo/gateway` and our router on the same subgraph doubles."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from renku_fed.router.execution.response_policy import ResponseValidation
from renku_fed.router.gateway import Gateway
from renku_fed.router.limits import LimitSettings
from renku_fed.router.request import GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.differential.subgraphs import StrictDoubles, http_app, serving, with_urls
from tests.differential.variants import Variant

HERE = Path(__file__).parent
RUNNER = HERE / "apollo_runner.mjs"
INSTALL_HINT = "run `npm ci --prefix tests/differential` to install @apollo/gateway"
# The differential test asks both gateways the same questions; our operation limits are a
# policy of their own (README, "Protection limits") and stay off here, and values that do not
# fit the API schema are reported as Apollo does (README, "Response validation").
SETTINGS = RouterSettings(
    limits=LimitSettings(
        max_depth=0, max_aliases=0, max_root_fields=0, max_fields=0, max_cost=0, max_tokens=0
    ),
    response_validation=ResponseValidation.APOLLO,
)


@dataclass(frozen=True)
class Outcome:
    """What one gateway answered, reduced to what the test compares."""

    data: Any
    errors: tuple[tuple[str | None, tuple[str | int, ...] | None], ...]


def outcome(answer: dict[str, Any]) -> Outcome:
    """`data` as is; each error as its code and path."""
    errors = sorted(
        (
            (error.get("extensions") or {}).get("code"),
            tuple(error["path"]) if error.get("path") else None,
        )
        for error in answer.get("errors") or ()
    )
    return Outcome(answer.get("data"), tuple(sorted(set(errors), key=repr)))


def run_apollo(supergraph_sdl: str, variants: list[Variant]) -> list[dict[str, Any]]:
    """Every variant through `@apollo/gateway`, in one Node process."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@apollo" / "gateway").is_dir():
        pytest.fail(f"node or @apollo/gateway is missing: {INSTALL_HINT}")
    payload = {
        "supergraph": supergraph_sdl,
        "operations": [
            {"query": v.query, "variables": v.variables, "operationName": v.operation_name}
            for v in variants
        ],
    }
    done = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


async def run_ours(
    supergraph: Supergraph, doubles: StrictDoubles, variants: list[Variant]
) -> list[dict[str, Any]]:
    """Every variant through our router, its subgraph calls served in-process."""
    gateway = Gateway(supergraph, SETTINGS, doubles.transport)
    try:
        answers = []
        for v in variants:
            request = GraphQLRequest(v.query, v.operation_name, v.variables)
            answers.append((await gateway.execute(request, {})).to_dict())
        return answers
    finally:
        await gateway.aclose()


def run_both(
    supergraph_sdl: str, variants: list[Variant]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Apollo's and our answer to every variant, the same doubles behind both."""
    supergraph = Supergraph.parse(supergraph_sdl)
    doubles = StrictDoubles(supergraph)
    with serving(http_app(doubles)) as base:
        apollo = run_apollo(with_urls(supergraph_sdl, base), variants)
    ours = asyncio.run(run_ours(supergraph, doubles, variants))
    return list(zip(apollo, ours, strict=True))
