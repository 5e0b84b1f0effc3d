"""The kg's Keycloak settings: with projects on GitLab it gets projects' Keycloak URL, realm and
GitLab identity-provider alias, to push recorded metadata with callers' GitLab tokens."""

from __future__ import annotations

from typing import Any

from tests.charts.test_production import FULLNAME
from tests.support.helm import Rendered

SHARED = ("KEYCLOAK_URL", "KEYCLOAK_REALM", "GITLAB_IDP_ALIAS")


def config_of(rendered: Rendered, name: str) -> dict[str, Any]:
    """A component's ConfigMap data."""
    data: dict[str, Any] = rendered.named("ConfigMap", f"{FULLNAME}-{name}")["data"]
    return data


def test_with_projects_on_gitlab_the_kg_asks_the_same_keycloak(production: Rendered) -> None:
    kg, projects = config_of(production, "kg"), config_of(production, "projects")
    for suffix in SHARED:
        assert kg[f"RENKU_FED_KG_{suffix}"] == projects[f"RENKU_FED_PROJECTS_{suffix}"], suffix


def test_with_embedded_projects_the_kg_has_no_keycloak(default: Rendered) -> None:
    kg = config_of(default, "kg")
    assert [suffix for suffix in SHARED if f"RENKU_FED_KG_{suffix}" in kg] == []
