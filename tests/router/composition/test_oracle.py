"""Our composition against `@apollo/composition` on every subgraph set of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from renku_fed.router.composition import CompositionFailed, SubgraphSource, compose
from tests.support.composition import oracle
from tests.support.composition.oracle import (
    OracleResult,
    api_schema,
    applied_directives,
    graph_enum,
    platform_sets,
    run_apollo,
)
from tests.support.composition.strawberry_subgraphs import strawberry_sets

CORPUS = Path(__file__).with_name("corpus")


def corpus_sets() -> dict[str, list[SubgraphSource]]:
    """Every set of the corpus: one folder per set, one `<subgraph>.graphql` per subgraph."""
    return {
        folder.name: [
            SubgraphSource(path.stem, f"http://{path.stem}.example/graphql", path.read_text())
            for path in sorted(folder.glob("*.graphql"))
        ]
        for folder in sorted(CORPUS.iterdir())
        if folder.is_dir()
    }


def expected_error(set_name: str) -> str | None:
    """The error code a failing set is written to produce (its EXPECT_ERROR file)."""
    path = CORPUS / set_name / "EXPECT_ERROR"
    return path.read_text().strip() if path.exists() else None


SETS: dict[str, list[SubgraphSource]] = {**corpus_sets(), **strawberry_sets(), **platform_sets()}


@pytest.fixture(scope="module")
def apollo() -> dict[str, OracleResult]:
    """Apollo's answer for every set, from one Node process."""
    return run_apollo(SETS)


def test_corpus_is_large_enough() -> None:
    failing = [name for name in SETS if expected_error(name)]
    assert len(SETS) >= 15
    assert len(failing) >= 5


@pytest.mark.parametrize("name", sorted(SETS))
def test_matches_apollo(name: str, apollo: dict[str, OracleResult]) -> None:
    expected = apollo[name]
    written_for = expected_error(name)
    if written_for is not None:
        assert written_for in expected.codes, f"Apollo answered {expected} for {name}"
    if expected.supergraph is None:
        with pytest.raises(CompositionFailed) as failure:
            compose(SETS[name])
        ours = {error.code for error in failure.value.errors}
        missing = set(expected.codes) - ours
        assert not missing, f"Apollo reports {expected.messages}, we report {failure.value}"
        return
    try:
        supergraph = compose(SETS[name])
    except CompositionFailed as failure:
        pytest.fail(f"Apollo composes {name}, we fail with:\n{failure}")
    assert graph_enum(supergraph) == graph_enum(expected.supergraph)
    assert api_schema(supergraph) == api_schema(expected.supergraph)
    ours = applied_directives(supergraph)
    theirs = applied_directives(expected.supergraph)
    assert ours == theirs, (
        f"only ours: {sorted(ours - theirs)}\nonly Apollo's: {sorted(theirs - ours)}"
    )


@pytest.mark.parametrize("name", ["strawberry_platform", "strawberry_live", "platform_snapshots"])
def test_platform_sets_match_apollo_text(name: str, apollo: dict[str, OracleResult]) -> None:
    assert compose(SETS[name]) == apollo[name].supergraph


def test_missing_node_packages_fail_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(oracle, "NODE_PACKAGES", tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"npm ci --prefix tests/support/composition"):
        oracle.run_apollo({})
