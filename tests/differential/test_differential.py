"""Our router against `@apollo/gateway`: the operations of the planner cases and seeded variants
of them (aliases, `__typename`, inline and named fragments, fragments on abstract types,
`@skip`/`@include` with literals and variables with or without defaults, dropped leaves), sent
to both over the same subgraph doubles. `data` must be equal, key order included, and errors
equal by code and path; a difference passes only when `accepted.toml` lists it.

CI runs a fixed budget of variants per operation; `RENKU_FED_DIFFERENTIAL_DEEP=1` runs many more
(and `RENKU_FED_DIFFERENTIAL_SEED` picks another seed).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from renku_fed.router.supergraph import Supergraph
from tests.differential.accepted import accepted_reason
from tests.differential.harness import outcome, run_both
from tests.differential.variants import Variant, variants
from tests.support.planning import FIXTURES

CASES = Path(__file__).parents[1] / "router" / "planning" / "cases"
DEEP = os.environ.get("RENKU_FED_DIFFERENTIAL_DEEP") == "1"
SEED = int(os.environ.get("RENKU_FED_DIFFERENTIAL_SEED", "11"))
PER_OPERATION = 40 if DEEP else 3
# Supergraphs `@apollo/gateway` refuses to load, so it cannot be the oracle for them; the
# router's answers on them are tested on their own (named here).
NOT_LOADED_BY_APOLLO_GATEWAY = {
    # "feature https://specs.apollo.dev/context/v0.1 is for: SECURITY but is unsupported"
    # (UNSUPPORTED_LINKED_FEATURE): @context/@fromContext run only in Apollo's Rust router;
    # tests/router/execution/test_context_end_to_end.py runs them against real subgraphs.
    "context_v05",
    "context_interface",
}


def base_operations() -> dict[str, list[Variant]]:
    """The planner cases' operations by supergraph (progressive-override labels left out:
    `@apollo/gateway` has no labels).
    """
    found: dict[str, list[Variant]] = defaultdict(list)
    for path in sorted(CASES.glob("*.txt")):
        lines = path.read_text().split("\n---\n", 1)[0].splitlines()
        header = {}
        while lines and lines[0].startswith("# "):
            key, _, value = lines.pop(0)[2:].partition(": ")
            header[key] = value
        if "labels" in header or header["supergraph"] in NOT_LOADED_BY_APOLLO_GATEWAY:
            continue
        # @apollo/gateway executes no @defer ("@defer support is not available in the
        # gateway"); the router's deferred answers are tested in tests/router/test_defer.py.
        if any("@defer" in line for line in lines):
            continue
        found[header["supergraph"]].append(
            Variant(
                "\n".join(lines),
                json.loads(header.get("variables", "{}")),
                header.get("operation name"),
            )
        )
    return dict(found)


BASES = base_operations()


@pytest.mark.parametrize("fixture", sorted(BASES))
def test_router_answers_as_apollo_gateway(fixture: str) -> None:
    sdl = (FIXTURES / f"{fixture}.graphql").read_text()
    schema = Supergraph.parse(sdl).api_schema
    asked: list[Variant] = []
    for index, base in enumerate(BASES[fixture]):
        asked.append(base)
        asked.extend(variants(schema, base, SEED * 1000 + index, PER_OPERATION))
    differences = []
    for variant, (apollo, ours) in zip(asked, run_both(sdl, asked), strict=True):
        same_data = json.dumps(apollo.get("data")) == json.dumps(ours.get("data"))
        if same_data and outcome(apollo).errors == outcome(ours).errors:
            continue
        if accepted_reason(fixture, apollo, ours) is None:
            differences.append((variant.query, variant.variables, apollo, ours))
    assert not differences, json.dumps(differences[:3], indent=1)[:6000]
    assert len(asked) > len(BASES[fixture])
