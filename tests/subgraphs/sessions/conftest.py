"""Fixtures of the sessions tests: a project repository, settings, the app as alice reaches it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.kubernetes import KubernetesDouble, kubernetes_double
from tests.support.sessions import Post, git, serving

NAMESPACE = "renku-sessions"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A bare git repository holding one commit, as the local projects backend keeps them."""
    bare, work = tmp_path / "flights.git", tmp_path / "flights-work"
    git("init", "--bare", "--quiet", str(bare))
    git("init", "--quiet", str(work))
    (work / "README.md").write_text("# Flights\n")
    git("add", "README.md", cwd=work)
    git("commit", "--quiet", "-m", "Start", cwd=work)
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main", cwd=work)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


@pytest.fixture(params=["local", "kubernetes"])
def kube(request: pytest.FixtureRequest) -> Iterator[KubernetesDouble | None]:
    """Each backend in turn: None for the local one, else the Kubernetes API double it calls."""
    if request.param == "local":
        yield None
        return
    with kubernetes_double() as double:
        yield double


@pytest.fixture
def local_settings(tmp_path: Path) -> SessionsSettings:
    """Settings of the local backend."""
    return SessionsSettings(data_dir=tmp_path / "sessions", seed_demo=True)


@pytest.fixture
def settings(local_settings: SessionsSettings, kube: KubernetesDouble | None) -> SessionsSettings:
    """Settings of the backend under test."""
    if kube is None:
        return local_settings
    update = {
        "backend": "kubernetes",
        "kubernetes_api_url": kube.url,
        "kubernetes_namespace": NAMESPACE,
    }
    return local_settings.model_copy(update=update)


@pytest.fixture
def seen_tokens() -> list[str | None]:
    return []


@pytest.fixture
async def post(
    settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    seen_tokens: list[str | None],
) -> AsyncIterator[Post]:
    async with serving(settings, verifier, dev_issuer, repository, seen_tokens) as send:
        yield send
