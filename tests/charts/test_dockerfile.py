"""The Dockerfile, parsed (no container engine runs here): stages, copied files, the command."""

from __future__ import annotations

import fnmatch
import importlib
import json
import shlex

from tests.support.helm import ROOT

DOCKERFILE = ROOT / "Dockerfile"
BUILD_TOOLS = ("build-essential", "gcc", "g++", "make", "npm", "node")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    joined = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in joined.splitlines()]
    parsed = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(parts[0].upper(), parts[1]) for parts in parsed]


def stages() -> list[list[tuple[str, str]]]:
    """The instructions of each stage, each starting with its FROM."""
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


def test_stages_build_apart_and_the_final_one_runs_as_a_user() -> None:
    *builders, final = stages()
    names = {args.split()[-1] for (_, args), *_ in builders}
    assert {"ui", "builder"} <= names
    assert " AS " not in final[0][1].upper()
    user = [args for name, args in final if name == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    runs = " ".join(args for name, args in final if name == "RUN")
    assert not [tool for tool in BUILD_TOOLS if f" {tool} " in f" {runs} "]
    copies = [args for name, args in final if name == "COPY"]
    assert copies == ["--from=builder /opt/venv /opt/venv"]


def test_copied_files_exist_and_are_not_ignored() -> None:
    ignored = [
        line
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and line[0] != "#"
    ]
    stage_names = {args.split()[-1] for stage in stages() for name, args in stage[:1]}
    for stage in stages():
        for name, args in stage:
            if name != "COPY":
                continue
            words = shlex.split(args)
            source_from = [w for w in words if w.startswith("--from=")]
            sources = [w for w in words if not w.startswith("--")][:-1]
            if source_from:
                assert source_from[0].removeprefix("--from=") in stage_names
                continue
            for source in sources:
                assert (ROOT / source).exists(), source
                path = source.rstrip("/")
                assert not any(fnmatch.fnmatch(path, pattern) for pattern in ignored), source


def test_the_default_command_runs_the_router_from_the_package() -> None:
    [command] = [args for name, args in instructions() if name == "CMD"]
    argv = json.loads(command)
    assert argv[0] == "uvicorn" and "--factory" in argv
    module, _, factory = argv[1].partition(":")
    assert module == "renku_fed.router.serve"
    assert callable(getattr(importlib.import_module(module), factory))
