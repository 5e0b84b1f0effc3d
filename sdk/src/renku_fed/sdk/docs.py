"""The SDK's HTML reference from its docstrings: `python -m renku_fed.sdk.docs OUT`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

MODULES = (
    "renku_fed.sdk",
    "renku_fed.sdk.resources.sync",
    "renku_fed.sdk.resources.aio",
    "renku_fed.sdk.models",
    "renku_fed.sdk.errors",
    "renku_fed.sdk.lineage_svg",
)
INSTALL_HINT = "pdoc is missing: pip install 'renku-fed-sdk[docs]'"


def write_reference(out: Path) -> Path:
    """Write the HTML reference of `renku_fed.sdk` and its submodules under `out`; its index."""
    try:
        pdoc = importlib.import_module("pdoc")
    except ImportError as missing:
        raise SystemExit(INSTALL_HINT) from missing
    out.mkdir(parents=True, exist_ok=True)
    pdoc.pdoc(*MODULES, output_directory=out)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    """Write the reference into the folder named on the command line (default `sdk-docs`)."""
    args = sys.argv[1:] if argv is None else argv
    index = write_reference(Path(args[0] if args else "sdk-docs"))
    print(f"reference written: {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
