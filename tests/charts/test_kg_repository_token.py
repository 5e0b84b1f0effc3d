"""The kg's repository token (RENKU_FED_KG_REPOSITORY_TOKEN): from the chart's Secret when a
value is given, from an existing Secret when one is named, else not set at all."""

from __future__ import annotations

from tests.charts.test_production import FULLNAME, env_of
from tests.support.helm import Rendered, render

VARIABLE = "RENKU_FED_KG_REPOSITORY_TOKEN"


def test_without_a_token_the_kg_reads_public_repositories_only(default: Rendered) -> None:
    assert VARIABLE not in env_of(default, "kg")
    assert "kg-repository-token" not in default.named("Secret", FULLNAME)["stringData"]


def test_a_given_token_goes_into_the_charts_secret_and_only_to_the_kg() -> None:
    given = render(None, "--set", "kg.repositoryToken.token=glpat-read-repository")
    reference = {"name": FULLNAME, "key": "kg-repository-token"}
    assert env_of(given, "kg")[VARIABLE]["valueFrom"]["secretKeyRef"] == reference
    stored = given.named("Secret", FULLNAME)["stringData"]["kg-repository-token"]
    assert stored == "glpat-read-repository"
    others = ("router", "users", "projects", "sessions", "storage")
    assert [name for name in others if VARIABLE in env_of(given, name)] == []


def test_an_existing_secret_is_read_instead(production: Rendered) -> None:
    reference = env_of(production, "kg")[VARIABLE]["valueFrom"]["secretKeyRef"]
    assert reference == {"name": "renku-gitlab", "key": "read-repository-token"}
    assert "kg-repository-token" not in production.named("Secret", FULLNAME)["stringData"]
