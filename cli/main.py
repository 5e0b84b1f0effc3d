"""`renku-fed`: the entry point and its subcommands."""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from importlib import metadata, resources
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(".renku-fed")
CHECKOUT_SUPERGRAPH = Path("schema/supergraph.graphql")
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_WORKERS_HELP = "worker processes (default: the CPUs this process may use)"


def parse_duration(text: str) -> timedelta:
    """A duration such as `30m`, `1h` or `7d`."""
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; write a number and a unit s, m, h or d (e.g. 1h)."
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more.")
    return int(text)


def _subgraph_option(text: str) -> tuple[str, str]:
    name, sep, location = text.partition("=")
    if not sep or not name or not location:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=URL_OR_FILE (e.g. users=http://127.0.0.1:4001/graphql)."
        )
    return name, location


def default_supergraph() -> Path:
    """The platform supergraph: `schema/` of the checkout when run there, else the installed one."""
    if CHECKOUT_SUPERGRAPH.is_file():
        return CHECKOUT_SUPERGRAPH
    return Path(str(resources.files("renku_fed.schema") / "supergraph.graphql"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="renku-fed",
        description="Renku as one federated GraphQL API: run the platform, its router, "
        "compose supergraphs, print query plans and sign development tokens.",
    )
    parser.add_argument(
        "--version", action="version", version=f"renku-fed {metadata.version('renku-federation')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser(
        "up",
        help="start the whole platform (router + users, projects, sessions, kg, storage subgraphs)",
        description="Start the five subgraphs and the router on this machine with embedded "
        "backends; the first start seeds demo data (users alice, bob, carol). Ctrl-C stops all.",
    )
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    up.add_argument(
        "--port", type=int, default=4000, help="router port (4000); subgraphs use the next five"
    )
    up.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data folder (./.renku-fed)"
    )
    up.add_argument("--workers", type=_positive, help=f"router {_WORKERS_HELP}")

    token = commands.add_parser(
        "token",
        help="print a development token for a user",
        description="Print an access token signed by the embedded development issuer.",
    )
    token.add_argument("user", help="username, e.g. alice")
    token.add_argument("--expires", type=parse_duration, default=timedelta(hours=1), help="1h")
    token.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="./.renku-fed")

    plan = commands.add_parser(
        "plan",
        help="print the query plan of an operation",
        description="Print how the router would split an operation across the subgraphs.",
    )
    plan.add_argument("operation", type=Path, help="a .graphql file holding the operation")
    plan.add_argument(
        "--supergraph",
        type=Path,
        help="supergraph SDL file (the platform's own schema/supergraph.graphql)",
    )
    plan.add_argument("--operation-name", help="which operation of the file to plan")
    plan.add_argument("--json", action="store_true", help="print Apollo-compatible JSON")

    compose = commands.add_parser(
        "compose",
        help="compose subgraph schemas into a supergraph",
        description="Compose Federation v2 subgraph SDLs (files, or running subgraphs' URLs "
        "asked for `{ _service { sdl } }`) into a supergraph SDL.",
    )
    compose.add_argument(
        "--subgraph", dest="subgraphs", action="append", type=_subgraph_option, required=True,
        metavar="NAME=URL_OR_FILE", help="a subgraph; repeat for each",
    )  # fmt: skip
    compose.add_argument(
        "--routing-url", dest="routing_urls", action="append", type=_subgraph_option,
        default=[], metavar="NAME=URL",
        help="where the router reaches a subgraph read from a file (required for files); "
        "for a URL it defaults to that URL",
    )  # fmt: skip
    compose.add_argument("-o", "--output", type=Path, help="write here instead of standard output")

    router = commands.add_parser(
        "router",
        help="run only the router, for any supergraph",
        description="Serve POST /graphql and /healthz for a supergraph file or for subgraphs "
        "composed at start.",
    )
    router.add_argument("--supergraph", type=Path, help="supergraph SDL file")
    router.add_argument(
        "--subgraph", dest="subgraphs", action="append", type=_subgraph_option, default=[],
        metavar="NAME=URL", help="compose from running subgraphs instead; repeat for each",
    )  # fmt: skip
    router.add_argument("--host", default="127.0.0.1")
    router.add_argument("--port", type=int, default=4000)
    router.add_argument("--workers", type=_positive, help=_WORKERS_HELP)

    from renku_fed.cli.schema import add_schema_command

    add_schema_command(commands)
    from renku_fed.cli.storage_keys import add_storage_command

    add_storage_command(commands, DEFAULT_DATA_DIR)
    sdk = _sdk_commands()
    if sdk is not None:
        sdk.add_commands(commands)
    return parser


def _sdk_commands() -> Any:
    """The SDK's commands (login, projects, ...), or None when renku-fed-sdk is not installed."""
    try:
        return importlib.import_module("renku_fed.sdk.cli.commands")
    except ModuleNotFoundError as exc:
        if exc.name and not exc.name.startswith("renku_fed.sdk"):
            raise
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; the return value is the process exit code."""
    args = build_parser().parse_args(argv)
    handlers = {
        "up": _up,
        "token": _token,
        "plan": _plan,
        "compose": _compose,
        "router": _router,
        "schema": _schema,
        "storage": _storage,
    }
    try:
        if args.command not in handlers:
            result: int = _sdk_commands().run_command(args)
            return result
        return handlers[args.command](args)
    except CommandError as exc:
        print(f"renku-fed {args.command}: {exc}", file=sys.stderr)
        return 2


class CommandError(Exception):
    """A subcommand failed for a reason the user can fix; the message says how."""


def _up(args: argparse.Namespace) -> int:
    from renku_fed.cli.up import PlatformError, PlatformLayout, run_platform

    try:
        return run_platform(PlatformLayout(args.host, args.port, args.data_dir, args.workers))
    except PlatformError as exc:
        raise CommandError(str(exc)) from exc


def _token(args: argparse.Namespace) -> int:
    from renku_fed.identity.dev_issuer import DevIssuer

    try:
        issuer = DevIssuer.load(args.data_dir / "dev-issuer")
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc
    print(issuer.sign(args.user, expires_in=args.expires))
    return 0


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise CommandError(f"cannot read the {what} {path}: {exc.strerror}.") from exc


def _plan(args: argparse.Namespace) -> int:
    from graphql import GraphQLError, parse, validate

    from renku_fed.router.planning import PlanningError, QueryPlanner, plan_to_json, print_plan
    from renku_fed.router.supergraph import Supergraph, SupergraphError

    try:
        supergraph_path = args.supergraph or default_supergraph()
        supergraph = Supergraph.parse(_read(supergraph_path, "supergraph"))
        document = parse(_read(args.operation, "operation"))
    except (SupergraphError, GraphQLError) as exc:
        raise CommandError(str(exc)) from exc
    errors = validate(supergraph.api_schema, document)
    if errors:
        raise CommandError("; ".join(e.message for e in errors))
    try:
        plan = QueryPlanner(supergraph).plan(document, args.operation_name)
    except PlanningError as exc:
        raise CommandError(str(exc)) from exc
    print(json.dumps(plan_to_json(plan), indent=2) if args.json else print_plan(plan))
    return 0


def _compose(args: argparse.Namespace) -> int:
    from renku_fed.router.composition import (
        CompositionFailed,
        SubgraphSdlUnavailable,
        compose,
        load_subgraph_source,
    )
    from renku_fed.router.composition.hints import composition_hints

    routing_urls = dict(args.routing_urls)
    unknown = sorted(set(routing_urls) - {name for name, _ in args.subgraphs})
    if unknown:
        raise CommandError(f"--routing-url names no --subgraph: {', '.join(unknown)}.")
    missing = [
        name
        for name, location in args.subgraphs
        if not location.startswith(("http://", "https://")) and name not in routing_urls
    ]
    if missing:
        raise CommandError(
            f"the router could not reach {', '.join(missing)}: subgraphs read from a file need "
            "--routing-url NAME=URL."
        )
    try:
        sources = [
            load_subgraph_source(name, location, routing_url=routing_urls.get(name))
            for name, location in args.subgraphs
        ]
        supergraph = compose(sources)
    except (CompositionFailed, SubgraphSdlUnavailable) as exc:
        raise CommandError(str(exc)) from exc
    # hints (Apollo's codes) go to stderr, so that stdout stays the supergraph
    for hint in composition_hints(sources):
        print(f"hint: {hint}", file=sys.stderr)
    if args.output:
        args.output.write_text(supergraph)
    else:
        sys.stdout.write(supergraph)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from renku_fed.cli.schema import SchemaError, run_check, run_print

    try:
        if args.verb == "print":
            return run_print(args.supergraph or default_supergraph(), args.output)
        return run_check(args.old, args.new, args.acknowledged)
    except SchemaError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"cannot read {exc.filename}: {exc.strerror}.") from exc


def _storage(args: argparse.Namespace) -> int:
    from renku_fed.cli.storage_keys import StorageKeysError, run_storage

    try:
        return run_storage(args.verb, getattr(args, "data_dir", DEFAULT_DATA_DIR))
    except StorageKeysError as exc:
        raise CommandError(str(exc)) from exc


def _router(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from renku_fed.cli.up import PlatformError, ensure_port_free
    from renku_fed.router.serve import serve
    from renku_fed.router.settings import RouterSettings
    from renku_fed.router.supergraph import Supergraph, SupergraphError

    if args.supergraph is None and not args.subgraphs:
        raise CommandError("give --supergraph FILE or at least one --subgraph NAME=URL.")
    try:
        ensure_port_free(args.host, args.port, "the router")
        settings = RouterSettings(
            host=args.host,
            port=args.port,
            supergraph_path=args.supergraph,
            subgraphs=dict(args.subgraphs),
        )
        supergraph = (
            Supergraph.parse(_read(args.supergraph, "supergraph")) if args.supergraph else None
        )
        names = supergraph.subgraphs if supergraph is not None else settings.subgraphs
        settings.traffic_shaping.check_names(names)
    except (PlatformError, SupergraphError) as exc:
        raise CommandError(str(exc)) from exc
    except ValidationError as exc:
        raise CommandError(f"invalid RENKU_FED_ROUTER_* setting: {exc}") from exc
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    serve(settings, supergraph, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
