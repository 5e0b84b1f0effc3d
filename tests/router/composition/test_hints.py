"""Composition hints against `@apollo/composition`'s on every subgraph set that composes."""

from __future__ import annotations

from collections import Counter

import pytest

from renku_fed.cli.main import main
from renku_fed.router.composition.hints import HINT_CODES, composition_hints
from tests.router.composition.test_oracle import CORPUS, SETS
from tests.support.composition.oracle import OracleResult, run_apollo


@pytest.fixture(scope="module")
def apollo() -> dict[str, OracleResult]:
    """Apollo's answer for every set, from one Node process."""
    return run_apollo(SETS)


def test_hint_codes_match_apollo_on_every_set_that_composes(
    apollo: dict[str, OracleResult],
) -> None:
    composing = [name for name in sorted(SETS) if apollo[name].supergraph is not None]
    differences = {}
    for name in composing:
        theirs = Counter(code for code in apollo[name].hints if code in HINT_CODES)
        ours = Counter(hint.code for hint in composition_hints(SETS[name]))
        if ours != theirs:
            differences[name] = (dict(ours), dict(theirs))
    assert differences == {}
    assert len(composing) > 40


def test_the_corpus_shows_every_hint_code(apollo: dict[str, OracleResult]) -> None:
    seen = {code for result in apollo.values() for code in result.hints}
    assert seen >= HINT_CODES


def test_compose_prints_hints_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["compose"]
    for path in sorted((CORPUS / "hint_default_value_presence").glob("*.graphql")):
        args += ["--subgraph", f"{path.stem}={path}", "--routing-url", f"{path.stem}=http://x"]

    assert main(args) == 0

    out, err = capsys.readouterr()
    assert out.startswith("schema")
    assert "hint: INCONSISTENT_DEFAULT_VALUE_PRESENCE: Argument " in err
    assert 'hint: INCONSISTENT_DESCRIPTION: Element "Item" has inconsistent descriptions' in err
