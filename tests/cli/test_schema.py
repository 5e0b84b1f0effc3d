"""`renku-fed schema print|check` and the classification of schema changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema

from renku_fed.cli.main import main
from renku_fed.cli.schema_diff import Level, diff_schemas

ROOT = Path(__file__).resolve().parents[2]
OLD = """
type Query { project(id: ID!): Project, projects(first: Int = 20): [Project!]! }
type Project { id: ID!, name: String!, description: String, kind: Kind!, owner: Owner }
enum Kind { A B }
union Owner = User | Group
type User { id: ID! }
type Group { id: ID! }
input CreateInput { name: String!, note: String }
type Mutation { create(input: CreateInput!): Project }
"""
NEW = """
type Query {
  project(id: ID!, at: String): Project, projects(first: Int = 50, sort: Int!): [Project!]!
}
type Project { id: ID!, description: String!, kind: Kind!, owner: Owner, slug: String! }
enum Kind { A C }
union Owner = User | Group | Team
type User { id: ID! }
type Group { id: ID! }
type Team { id: ID! }
input CreateInput { name: String, note: Int, tag: String, must: Int! }
type Mutation { create(input: CreateInput!): Project }
"""


def test_changes_are_classified_with_their_coordinates() -> None:
    changes = {(c.level, c.coordinate) for c in diff_schemas(build_schema(OLD), build_schema(NEW))}
    assert changes == {
        (Level.BREAKING, "Project.name"),
        (Level.BREAKING, "Kind.B"),
        (Level.BREAKING, "Query.projects(sort:)"),
        (Level.BREAKING, "CreateInput.note"),
        (Level.BREAKING, "CreateInput.must"),
        (Level.DANGEROUS, "Kind.C"),
        (Level.DANGEROUS, "Owner.Team"),
        (Level.DANGEROUS, "Query.projects(first:)"),
        (Level.DANGEROUS, "CreateInput.tag"),
        (Level.SAFE, "Query.project(at:)"),
        (Level.SAFE, "Project.description"),
        (Level.SAFE, "Project.slug"),
        (Level.SAFE, "CreateInput.name"),
        (Level.SAFE, "Team"),
    }


def test_narrowing_an_output_is_safe_but_widening_breaks() -> None:
    old = build_schema("type Query { a: String!, b: String, c: [Int] }")
    new = build_schema("type Query { a: String, b: String!, c: [Int!]! }")
    levels = {c.coordinate: c.level for c in diff_schemas(old, new)}
    assert levels == {"Query.a": Level.BREAKING, "Query.b": Level.SAFE, "Query.c": Level.SAFE}


def test_check_exits_1_on_breaking_changes_and_prints_coordinates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.graphql").write_text(OLD)
    (tmp_path / "new.graphql").write_text(NEW)
    code = main(["schema", "check", str(tmp_path / "old.graphql"), str(tmp_path / "new.graphql")])
    out = capsys.readouterr()
    assert code == 1
    assert "BREAKING   Project.name  field removed" in out.out
    assert "5 breaking (5 not acknowledged), 4 dangerous, 5 safe" in out.err


def test_acknowledged_breaking_changes_pass(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text(OLD)
    (tmp_path / "new.graphql").write_text(NEW)
    ack = tmp_path / "ack.txt"
    ack.write_text("# deliberate\nProject.name\nKind.B\nQuery.projects(sort:)\nCreateInput.note\n")
    args = ["schema", "check", str(tmp_path / "old.graphql"), str(tmp_path / "new.graphql")]
    assert main([*args, "--acknowledged", str(ack)]) == 1
    ack.write_text(ack.read_text() + "CreateInput.must  # required now\n")
    assert main([*args, "--acknowledged", str(ack)]) == 0


def test_the_same_supergraph_has_no_change(capsys: pytest.CaptureFixture[str]) -> None:
    supergraph = str(ROOT / "schema" / "supergraph.graphql")
    assert main(["schema", "check", supergraph, supergraph]) == 0
    assert "0 breaking" in capsys.readouterr().err


def test_print_writes_the_api_schema_without_federation_internals(tmp_path: Path) -> None:
    out = tmp_path / "api.graphql"
    assert main(["schema", "print", "-o", str(out)]) == 0
    sdl = out.read_text()
    assert "type Query {" in sdl and "projects(" in sdl
    assert "join__" not in sdl and "@link" not in sdl and "_Entity" not in sdl
    build_schema(sdl)


def test_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "check", "/nonexistent/a.graphql", "/nonexistent/b.graphql"]) == 2
    assert "cannot read /nonexistent/a.graphql" in capsys.readouterr().err
