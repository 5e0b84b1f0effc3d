"""The `renku-fed` subcommands that need no running platform: compose, plan, token, router."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from renku_fed.cli.main import main, parse_duration

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
SUBGRAPH_PORTS = {
    "users": 4001, "projects": 4002, "sessions": 4003, "kg": 4004, "storage": 4005,
}  # fmt: skip


def test_compose_files_reproduces_the_checked_in_supergraph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["compose"]
    for name, port in SUBGRAPH_PORTS.items():
        args += ["--subgraph", f"{name}={SCHEMA / name}.graphql"]
        args += ["--routing-url", f"{name}=http://127.0.0.1:{port}/graphql"]
    output = tmp_path / "supergraph.graphql"
    assert main([*args, "-o", str(output)]) == 0
    assert output.read_text() == (SCHEMA / "supergraph.graphql").read_text()


def test_compose_refuses_a_file_without_routing_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compose", "--subgraph", f"users={SCHEMA / 'users.graphql'}"]) == 2
    assert "--routing-url NAME=URL" in capsys.readouterr().err


def test_compose_names_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compose", "--subgraph", "users=/nowhere.graphql", "--routing-url", "users=x"])
    assert code == 2
    assert "/nowhere.graphql" in capsys.readouterr().err


def test_plan_prints_the_dashboard_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    operation = tmp_path / "op.graphql"
    operation.write_text("query Mine { me { username projects { totalCount } } }")
    assert main(["plan", str(operation), "--supergraph", str(SCHEMA / "supergraph.graphql")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("QueryPlan {\n  Sequence {")
    assert printed.index('service: "users"') < printed.index('service: "projects"')


def test_plan_reports_validation_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    operation = tmp_path / "op.graphql"
    operation.write_text("{ nope }")
    assert main(["plan", str(operation), "--supergraph", str(SCHEMA / "supergraph.graphql")]) == 2
    assert "nope" in capsys.readouterr().err


def test_durations() -> None:
    assert parse_duration("90m").total_seconds() == 5400
    assert parse_duration("2d").days == 2
    with pytest.raises(Exception, match="not a duration"):
        parse_duration("soon")


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "renku_fed.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for command in ("up", "token", "plan", "compose", "router"):
        assert f"    {command}" in result.stdout
