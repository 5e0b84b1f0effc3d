"""The SDK's subcommands: login, logout, projects, sessions, kg (each with `--json`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from pydantic import BaseModel

from renku_fed.sdk.client import Client
from renku_fed.sdk.credentials import URL_VARIABLE, credentials_path
from renku_fed.sdk.errors import RenkuError
from renku_fed.sdk.login import DeviceCode, login, logout

Handler = Callable[[argparse.Namespace], int]


def add_commands(commands: Any) -> dict[str, Handler]:
    """Add the SDK's subcommands to an argparse subparsers object; their handlers by name."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--url", help=f"the platform's URL (${URL_VARIABLE}, or the login's)")
    parent.add_argument("--json", action="store_true", help="print JSON")

    sign_in = commands.add_parser(
        "login", parents=[parent], help="sign in with your browser (device login)"
    )
    sign_in.set_defaults(action=_login)
    commands.add_parser("logout", help="forget the stored credentials").set_defaults(action=_logout)

    projects = commands.add_parser("projects", help="list, show, create, delete projects")
    verbs = projects.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", parents=[parent], help="projects you may see")
    listing.add_argument("--search")
    listing.add_argument("--visibility", choices=["PUBLIC", "PRIVATE"])
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(action=_projects_list)
    show = verbs.add_parser("show", parents=[parent], help="one project (id or namespace/slug)")
    show.add_argument("project")
    show.set_defaults(action=lambda a: _print(a, _project(a)))
    create = verbs.add_parser("create", parents=[parent], help="create a project")
    create.add_argument("name")
    create.add_argument("--namespace")
    create.add_argument("--visibility", choices=["PUBLIC", "PRIVATE"], default="PRIVATE")
    create.add_argument("--description")
    create.set_defaults(action=_projects_create)
    delete = verbs.add_parser("delete", parents=[parent], help="delete a project")
    delete.add_argument("project")
    delete.set_defaults(action=_projects_delete)

    _add_sessions(commands, parent)
    _add_kg(commands, parent)
    return {
        "login": run_command,
        "logout": run_command,
        "projects": run_command,
        "sessions": run_command,
        "kg": run_command,
    }


def _add_sessions(commands: Any, parent: argparse.ArgumentParser) -> None:
    sessions = commands.add_parser("sessions", help="launch, list, stop your sessions")
    verbs = sessions.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("list", parents=[parent], help="your sessions").set_defaults(
        action=lambda a: _print(a, _client(a).sessions.list())
    )
    launch = verbs.add_parser("launch", parents=[parent], help="start a session and wait")
    launch.add_argument("project", help="id or namespace/slug")
    launch.add_argument("--launcher", help="a launcher id (default: the project's first)")
    launch.add_argument("--no-wait", action="store_true", help="return once it is starting")
    launch.set_defaults(
        action=lambda a: _print(
            a, _client(a).sessions.launch(a.project, a.launcher, wait=not a.no_wait)
        )
    )
    for verb, text in (("hibernate", "stop, keep files"), ("resume", "start again")):
        parser = verbs.add_parser(verb, parents=[parent], help=text)
        parser.add_argument("session")
        parser.set_defaults(
            action=lambda a: _print(a, getattr(_client(a).sessions, a.verb)(a.session))
        )
    delete = verbs.add_parser("delete", parents=[parent], help="stop and remove a session")
    delete.add_argument("session")
    delete.set_defaults(action=_sessions_delete)
    logs = verbs.add_parser("logs", parents=[parent], help="the last lines of its log")
    logs.add_argument("session")
    logs.add_argument("--lines", type=int, default=250)
    logs.set_defaults(action=lambda a: _print(a, _client(a).sessions.logs(a.session, a.lines)))


def _add_kg(commands: Any, parent: argparse.ArgumentParser) -> None:
    kg = commands.add_parser("kg", help="search, lineage, record datasets and runs")
    verbs = kg.add_subparsers(dest="verb", required=True, metavar="VERB")
    search = verbs.add_parser("search", parents=[parent], help="free-text search")
    search.add_argument("query", nargs="?")
    search.add_argument("--type", dest="types", action="append", help="PROJECT, DATASET, ...")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(
        action=lambda a: _print(a, list(islice(_client(a).kg.search(a.query, a.types), a.limit)))
    )
    lineage = verbs.add_parser("lineage", parents=[parent], help="how a file came to be")
    lineage.add_argument("project", help="id or namespace/slug")
    lineage.add_argument("path", help="the file's path in the project")
    lineage.add_argument("--dot", action="store_true", help="print Graphviz DOT")
    lineage.set_defaults(action=_lineage)
    _add_recording(verbs, parent)


def _add_recording(verbs: Any, parent: argparse.ArgumentParser) -> None:
    activity = verbs.add_parser("record-activity", parents=[parent], help="record a run")
    activity.add_argument("project", help="id or namespace/slug")
    activity.add_argument("run", metavar="COMMAND", help="the command line, quoted")
    activity.add_argument("--input", dest="inputs", action="append", default=[], help="read")
    activity.add_argument("--output", dest="outputs", action="append", default=[], help="written")
    activity.add_argument("--workflow-name", help="default: the script the command runs")
    activity.set_defaults(action=_record_activity)
    dataset = verbs.add_parser("record-dataset", parents=[parent], help="record a dataset")
    dataset.add_argument("project", help="id or namespace/slug")
    dataset.add_argument("name", help="the dataset's slug in the project")
    dataset.add_argument("--file", dest="files", action="append", default=[], help="a path")
    dataset.add_argument("--keyword", dest="keywords", action="append", default=[])
    dataset.add_argument("--title")
    dataset.add_argument("--description")
    dataset.add_argument("--same-as", help="the URL it was imported from")
    dataset.set_defaults(action=_record_dataset)


def run_command(args: argparse.Namespace) -> int:
    """Run an SDK subcommand; its errors are printed and exit 1."""
    try:
        result: int = args.action(args)
    except RenkuError as exc:
        print(f"renku-fed {args.command}: {exc}", file=sys.stderr)
        return 1
    return result


def _client(args: argparse.Namespace) -> Client:
    return Client(url=args.url)


def _project(args: argparse.Namespace) -> Any:
    projects = _client(args).projects
    return projects.get_by_slug(args.project) if "/" in args.project else projects.get(args.project)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _line(value: Any) -> str:
    path = getattr(value, "path", None)
    if isinstance(path, str) and hasattr(value, "visibility"):
        return f"{value.id}  {path}  {value.visibility.value}  {value.name}"
    if hasattr(value, "state"):
        return f"{value.id}  {value.state.value}  {value.url or ''}"
    if hasattr(value, "typename"):
        return f"{value.typename}  {value.id or ''}  {value.name or value.slug or ''}"
    return str(value)


def _print(args: argparse.Namespace, value: Any) -> int:
    if args.json:
        print(json.dumps(_jsonable(value), indent=2))
    elif isinstance(value, list):
        print("\n".join(_line(item) for item in value))
    else:
        print(_line(value))
    return 0


def _done(args: argparse.Namespace, _: None) -> int:
    return _print(args, {"deleted": True}) if args.json else 0


def _projects_list(args: argparse.Namespace) -> int:
    found: Iterable[Any] = _client(args).projects.list(args.search, args.visibility)
    return _print(args, list(islice(found, args.limit)))


def _projects_create(args: argparse.Namespace) -> int:
    project = _client(args).projects.create(
        args.name,
        namespace=args.namespace,
        visibility=args.visibility,
        description=args.description,
    )
    return _print(args, project)


def _projects_delete(args: argparse.Namespace) -> int:
    _client(args).projects.delete(args.project)
    return _done(args, None)


def _sessions_delete(args: argparse.Namespace) -> int:
    _client(args).sessions.delete(args.session)
    return _done(args, None)


def _lineage(args: argparse.Namespace) -> int:
    graph = _client(args).kg.lineage(args.project, args.path)
    if args.dot and not args.json:
        print(graph.to_dot())
        return 0
    return _print(args, graph)


def _record_activity(args: argparse.Namespace) -> int:
    kg = _client(args).kg
    recorded = kg.record_activity(
        args.project, args.run, inputs=args.inputs, outputs=args.outputs,
        workflow_name=args.workflow_name,
    )  # fmt: skip
    return _print(args, recorded)


def _record_dataset(args: argparse.Namespace) -> int:
    kg = _client(args).kg
    recorded = kg.record_dataset(
        args.project, args.name, title=args.title, description=args.description,
        files=args.files, keywords=args.keywords, same_as=args.same_as,
    )  # fmt: skip
    return _print(args, recorded)


def _login(args: argparse.Namespace) -> int:
    url = args.url or os.environ.get(URL_VARIABLE)
    if not url:
        print(f"renku-fed login: give --url or set {URL_VARIABLE}.", file=sys.stderr)
        return 2

    def show(code: DeviceCode) -> None:
        link = code.verification_uri_complete or code.verification_uri
        print(f"Open {link} and confirm the code {code.user_code}", file=sys.stderr, flush=True)

    credentials = login(url, show)
    user = Client(url=credentials.url).users.me()
    if args.json:
        print(json.dumps({"url": credentials.url, "username": user.username}))
    else:
        print(f"Signed in to {credentials.url} as {user.username}; saved in {credentials_path()}")
    return 0


def _logout(args: argparse.Namespace) -> int:
    removed, revoked = logout()
    if not removed:
        print("Not signed in.")
    elif revoked:
        print("Signed out: the login is revoked at the issuer and the credentials deleted.")
    else:
        print("Signed out: credentials deleted (the issuer could not revoke the login).")
    return 0
