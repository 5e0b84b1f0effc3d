"""The `renku-fed` command: the SDK's commands, and the server's when it is installed."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from importlib import metadata

from renku_fed.sdk.cli.commands import Handler, add_commands

SERVER_COMMANDS = ("up", "token", "plan", "compose", "router", "schema")
SERVER_INSTALL = "pip install 'renku-federation[all]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `renku-fed`: the server's command line when installed, else the SDK's own."""
    try:
        server = importlib.import_module("renku_fed.cli.main")
    except ModuleNotFoundError as exc:
        if exc.name not in ("renku_fed.cli", "renku_fed.cli.main"):
            raise
        return standalone_main(argv)
    server_main: Callable[[Sequence[str] | None], int] = server.main
    return server_main(argv)


def standalone_main(argv: Sequence[str] | None = None) -> int:
    """`renku-fed` with only the SDK installed; the server's commands say how to get them."""
    parser = argparse.ArgumentParser(
        prog="renku-fed", description="Work with a renku-federation platform from the terminal."
    )
    parser.add_argument(
        "--version", action="version", version=f"renku-fed {metadata.version('renku-fed-sdk')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    handlers: dict[str, Handler] = add_commands(commands)
    for name in SERVER_COMMANDS:
        stub = commands.add_parser(name, help=f"(needs the server: {SERVER_INSTALL})")
        stub.add_argument("rest", nargs=argparse.REMAINDER)
        handlers[name] = _needs_server
    args = parser.parse_args(argv)
    return handlers[args.command](args)


def _needs_server(args: argparse.Namespace) -> int:
    print(
        f"renku-fed {args.command}: this command runs the platform's server side, which is not "
        f"installed; install it with {SERVER_INSTALL}.",
        file=sys.stderr,
    )
    return 2
