"""`renku-fed schema print|check`: the API schema as SDL, and what changed between two."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema, print_schema

from renku_fed.cli.schema_diff import Change, Level, diff_schemas

_SUPERGRAPH = re.compile(r"@link\(url:\s*\"https://specs\.apollo\.dev/join/")


class SchemaError(Exception):
    """A schema could not be read; the message names the file."""


def add_schema_command(commands: Any) -> None:
    """Add `schema print` and `schema check` to an argparse subparsers object."""
    schema = commands.add_parser(
        "schema",
        help="print the API schema as SDL, or check two for breaking changes",
        description="The schema clients see (no federation internals), from a supergraph.",
    )
    verbs = schema.add_subparsers(dest="verb", required=True, metavar="VERB")
    printer = verbs.add_parser("print", help="write the API schema as SDL")
    printer.add_argument(
        "--supergraph", type=Path, help="supergraph file (the platform's schema/supergraph.graphql)"
    )
    printer.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    check = verbs.add_parser(
        "check",
        help="classify the changes from OLD to NEW; exit 1 on a breaking one",
        description="Compare two supergraphs' (or plain SDL files') API schemas; print each "
        "change as breaking, dangerous or safe with its coordinate; exit 1 when a breaking "
        "change is not acknowledged.",
    )
    check.add_argument("old", type=Path)
    check.add_argument("new", type=Path)
    check.add_argument(
        "--acknowledged",
        type=Path,
        help="a file of deliberate breaking changes, one coordinate a line (`# ...` comments)",
    )


def load_api_schema(text: str, origin: str) -> GraphQLSchema:
    """The API schema of a supergraph, or the schema of a plain SDL document."""
    from renku_fed.router.supergraph import Supergraph, SupergraphError

    try:
        if _SUPERGRAPH.search(text):
            return Supergraph.parse(text).api_schema
        return build_schema(text)
    except (SupergraphError, GraphQLError, TypeError) as exc:
        raise SchemaError(f"{origin} is not a valid schema: {exc}") from exc


def acknowledged(path: Path | None) -> set[str]:
    """The coordinates a file of deliberate breaking changes lists."""
    if path is None or not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def unacknowledged(changes: list[Change], allowed: set[str]) -> list[Change]:
    """The breaking changes whose coordinate the acknowledgements do not list."""
    return [c for c in changes if c.level is Level.BREAKING and c.coordinate not in allowed]


def run_print(supergraph: Path, output: Path | None) -> int:
    """Write the API schema of a supergraph file."""
    sdl = print_schema(load_api_schema(supergraph.read_text(), str(supergraph))) + "\n"
    if output:
        output.write_text(sdl)
    else:
        sys.stdout.write(sdl)
    return 0


def run_check(old: Path, new: Path, acknowledgements: Path | None) -> int:
    """Print every change from `old` to `new`; 1 when a breaking one is not acknowledged."""
    changes = diff_schemas(
        load_api_schema(old.read_text(), str(old)), load_api_schema(new.read_text(), str(new))
    )
    for change in changes:
        print(change)
    refused = unacknowledged(changes, acknowledged(acknowledgements))
    counts = {level: sum(c.level is level for c in changes) for level in Level}
    print(
        f"{counts[Level.BREAKING]} breaking ({len(refused)} not acknowledged), "
        f"{counts[Level.DANGEROUS]} dangerous, {counts[Level.SAFE]} safe",
        file=sys.stderr,
    )
    return 1 if refused else 0
