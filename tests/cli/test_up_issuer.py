"""`renku-fed up` trusts the operator's issuer when one is set, and no service has a default one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from renku_fed.cli.up import ISSUER_VARIABLE, PlatformLayout, _banner
from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.settings import AuthSettings, load_settings

KEYCLOAK = "https://id.example.org/realms/renku"


def test_every_service_trusts_the_operators_issuer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ISSUER_VARIABLE, KEYCLOAK)
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)

    envs = [layout.environment(service, seed_demo=False) for service in layout.services]

    assert [env[ISSUER_VARIABLE] for env in envs] == [KEYCLOAK] * len(layout.services)
    assert not any(key.startswith("RENKU_FED_ROUTER_LOGIN_") for key in envs[-1])
    banner = _banner(layout)
    assert KEYCLOAK in banner and "eyJ" not in banner


def test_without_an_operator_issuer_up_trusts_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ISSUER_VARIABLE, raising=False)
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)
    DevIssuer.create(tmp_path / "dev-issuer", layout.issuer)

    envs = [layout.environment(service, seed_demo=False) for service in layout.services]

    assert {env[ISSUER_VARIABLE] for env in envs} == {"http://127.0.0.1:4101/realms/renku"}
    assert "eyJ" in _banner(layout)


def test_a_service_without_an_issuer_stops_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ISSUER_VARIABLE, raising=False)

    with pytest.raises(SystemExit) as stopped:
        load_settings(AuthSettings)

    assert "RENKU_FED_AUTH_ISSUER: Field required" in str(stopped.value)


def test_a_malformed_list_setting_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ISSUER_VARIABLE, KEYCLOAK)
    monkeypatch.setenv("RENKU_FED_AUTH_AUDIENCES", "renku,other")

    with pytest.raises(SystemExit) as stopped:
        load_settings(AuthSettings)

    assert "audiences" in str(stopped.value)
    assert "Traceback" not in str(stopped.value)


def test_a_subgraph_started_without_an_issuer_exits_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ISSUER_VARIABLE, raising=False)
    code = "from renku_fed.subgraphs.projects.app import create_app; create_app()"
    env = {"PATH": "/usr/bin:/bin", "RENKU_FED_PROJECTS_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1
    assert "RENKU_FED_AUTH_ISSUER: Field required" in done.stderr
    assert "Traceback" not in done.stderr
