"""An http(s) remote (GitLab) is cloned with the owner's token, kept in their session only."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
from pathlib import Path

import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, BOB
from renku_fed.subgraphs.sessions.demo import demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.sessions import launch, serving
from tests.support.sessions_git_http import git_http

FLIGHTS_LAUNCHER = demo_launchers()[0].id


def subject_of(token: str) -> str:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def files_under(folder: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in folder.rglob("*") if path.is_file())


async def test_the_owners_token_clones_pulls_and_stays_in_their_session(
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sessions = local_settings.data_dir / "sessions"
    with git_http(repository.parent) as server:
        remote = f"{server.url}/{repository.name}"
        async with serving(local_settings, verifier, dev_issuer, remote, []) as post:
            alice = (await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER))["session"]
            bob = (await launch(post, "bob", launcherId=FLIGHTS_LAUNCHER))["session"]
            homes = {
                user: sessions / s["id"] / "home" for user, s in (("alice", alice), ("bob", bob))
            }
            tokens = {}
            for user, home in homes.items():
                assert (home / "work" / "README.md").read_text() == "# Flights\n"
                credentials = home / ".git-credentials"
                assert credentials.stat().st_mode & 0o777 == 0o600
                line = credentials.read_text()
                host = server.url.removeprefix("http://")
                assert line.startswith("http://oauth2:") and line.endswith(f"@{host}\n")
                tokens[user] = line.removeprefix("http://oauth2:").rsplit("@", 1)[0]
            assert subject_of(tokens["alice"]) == ALICE.id and subject_of(tokens["bob"]) == BOB.id
            assert tokens["alice"] in server.passwords and tokens["bob"] in server.passwords
            assert tokens["alice"] not in files_under(sessions / bob["id"])
            env = {
                "PATH": os.environ["PATH"],
                "HOME": str(homes["alice"]),
                "GIT_TERMINAL_PROMPT": "0",
            }
            before = len(server.passwords)
            pulled = subprocess.run(
                ["git", "-C", str(homes["alice"] / "work"), "pull", "--quiet"],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            assert pulled.returncode == 0, pulled.stderr
            assert server.passwords[before:] and set(server.passwords[before:]) == {tokens["alice"]}
    # Stopping the service hibernates the sessions: their credentials are revoked.
    assert not (homes["alice"] / ".git-credentials").exists()
    for token in tokens.values():
        assert token not in caplog.text
        assert all(token not in repr(record.__dict__) for record in caplog.records)
