"""The router-to-subgraph secret: the router and every subgraph read one value from a Secret."""

from __future__ import annotations

from tests.charts.test_production import FULLNAME, SUBGRAPHS, env_of
from tests.support.helm import Rendered, render

VARIABLE = "RENKU_FED_SUBGRAPH_SECRET"


def test_the_router_and_every_subgraph_get_the_releases_secret(default: Rendered) -> None:
    reference = {"name": FULLNAME, "key": "subgraph-secret"}
    for name in ("router", *SUBGRAPHS):
        assert env_of(default, name)[VARIABLE]["valueFrom"]["secretKeyRef"] == reference, name
    generated = default.named("Secret", FULLNAME)["stringData"]["subgraph-secret"]
    assert len(generated) == 48 and generated.isalnum()


def test_a_given_secret_is_kept_and_an_existing_one_is_read_instead() -> None:
    given = render(None, "--set", "subgraphSecret.secret=router-only")
    assert given.named("Secret", FULLNAME)["stringData"]["subgraph-secret"] == "router-only"
    existing = render(
        None,
        "--set",
        "subgraphSecret.existingSecret=federation",
        "--set",
        "subgraphSecret.existingSecretKey=gate",
    )
    for name in ("router", *SUBGRAPHS):
        reference = env_of(existing, name)[VARIABLE]["valueFrom"]["secretKeyRef"]
        assert reference == {"name": "federation", "key": "gate"}, name
