"""Rendering the Helm chart with the real `helm` binary, once per values file."""

from __future__ import annotations

import pytest

from tests.support.helm import CI_VALUES, PRODUCTION, Rendered, render


@pytest.fixture(
    scope="session",
    params=[None, *CI_VALUES],
    ids=lambda p: "default-values" if p is None else p.name,
)
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """The chart rendered with the defaults, then with each file under ci/."""
    return render(request.param)


@pytest.fixture(scope="session")
def default() -> Rendered:
    """The chart rendered with its default values."""
    return render(None)


@pytest.fixture(scope="session")
def production() -> Rendered:
    """The chart rendered with the production-like values."""
    return render(PRODUCTION)
