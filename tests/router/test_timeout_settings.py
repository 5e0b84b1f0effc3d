"""Traffic shaping owns every subgraph's timeout: the older settings fold into it at load."""

from __future__ import annotations

import logging

import pytest

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.execution import SubgraphTransport
from renku_fed.router.execution.shaping_settings import SubgraphShaping, TrafficShaping
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings, log_deprecations
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs

URLS = {name: f"http://{name}/graphql" for name in ("a", "b", "c", "d")}


def timeouts(settings: RouterSettings) -> dict[str, float | None]:
    """Each subgraph's timeout as the shaping resolves it."""
    return {name: settings.traffic_shaping.for_subgraph(name).timeout_seconds for name in URLS}


def test_the_deprecated_per_subgraph_timeouts_fold_into_traffic_shaping() -> None:
    settings = RouterSettings(subgraph_timeouts={"a": 2.0}, subgraph_timeout_seconds=7.0)

    shaping = settings.traffic_shaping
    assert shaping.all.timeout_seconds == 7.0
    assert shaping.subgraphs == {"a": SubgraphShaping(timeout_seconds=2.0)}
    assert timeouts(settings) == {"a": 2.0, "b": 7.0, "c": 7.0, "d": 7.0}


def test_precedence_shaping_by_name_then_alias_then_all_then_the_default() -> None:
    shaping = TrafficShaping(
        all=SubgraphShaping(timeout_seconds=5.0),
        subgraphs={
            "a": SubgraphShaping(timeout_seconds=1.0),
            "b": SubgraphShaping(max_concurrency=3),
        },
    )
    settings = RouterSettings(
        traffic_shaping=shaping,
        subgraph_timeouts={"a": 2.0, "b": 3.0},
        subgraph_timeout_seconds=9.0,
    )

    assert timeouts(settings) == {"a": 1.0, "b": 3.0, "c": 5.0, "d": 5.0}
    assert settings.traffic_shaping.for_subgraph("b").max_concurrency == 3
    assert timeouts(RouterSettings(subgraph_timeout_seconds=9.0))["c"] == 9.0


def test_the_transport_reads_the_resolved_timeout() -> None:
    settings = RouterSettings(subgraph_timeouts={"b": 0.5}, subgraph_timeout_seconds=4.0)

    transport = SubgraphTransport(
        URLS, timeout_seconds=settings.subgraph_timeout_seconds, shaping=settings.traffic_shaping
    )

    assert transport._timeouts == {"a": 4.0, "b": 0.5, "c": 4.0, "d": 4.0}


def test_folding_twice_changes_nothing() -> None:
    settings = RouterSettings(subgraph_timeouts={"a": 2.0})

    again = RouterSettings(
        traffic_shaping=settings.traffic_shaping, subgraph_timeouts=settings.subgraph_timeouts
    )

    assert again.traffic_shaping == settings.traffic_shaping


def test_an_unknown_name_is_reported_under_the_setting_that_holds_it() -> None:
    aliased = RouterSettings(subgraph_timeouts={"x": 1.0}).traffic_shaping
    shaped = RouterSettings(
        traffic_shaping=TrafficShaping(subgraphs={"y": SubgraphShaping(retry_attempts=0)})
    ).traffic_shaping

    with pytest.raises(ValueError, match=r"RENKU_FED_ROUTER_SUBGRAPH_TIMEOUTS, deprecated.*: x "):
        aliased.check_names(URLS)
    with pytest.raises(ValueError, match=r"^RENKU_FED_ROUTER_TRAFFIC_SHAPING: `subgraphs` .*: y "):
        shaped.check_names(URLS)


def test_the_alias_is_logged_as_deprecated_with_its_replacement(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="renku_fed.router.settings"):
        log_deprecations(RouterSettings())
        log_deprecations(RouterSettings(subgraph_timeouts={"a": 2.0}))

    assert len(caplog.records) == 1
    assert "RENKU_FED_ROUTER_SUBGRAPH_TIMEOUTS is deprecated" in caplog.text
    assert "RENKU_FED_ROUTER_TRAFFIC_SHAPING" in caplog.text


def test_the_alias_folds_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_ROUTER_SUBGRAPH_TIMEOUTS", '{"c": 1.5}')
    monkeypatch.setenv(
        "RENKU_FED_ROUTER_TRAFFIC_SHAPING", '{"subgraphs": {"d": {"timeout_seconds": 2}}}'
    )

    assert timeouts(RouterSettings()) == {"a": 30.0, "b": 30.0, "c": 1.5, "d": 2.0}


async def test_the_router_logs_the_deprecation_once_at_start(
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    verifier: TokenVerifier,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = RouterSettings(subgraph_timeouts={"accounts": 2.0})
    app = create_router_app(settings, supergraph, verifier, transport=fakes.transport)

    with caplog.at_level(logging.WARNING, logger="renku_fed.router.settings"):
        async with app.router.lifespan_context(app):
            timeouts = app.state.gateway._transport._timeouts

    warned = [r.getMessage() for r in caplog.records if r.name == "renku_fed.router.settings"]
    assert len(warned) == 1 and "SUBGRAPH_TIMEOUTS is deprecated" in warned[0]
    assert timeouts["accounts"] == 2.0
