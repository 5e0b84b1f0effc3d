"""The SDK's reference documentation is generated from its docstrings and misses none of them."""

from __future__ import annotations

import html
import inspect
import re
from pathlib import Path

import pytest

import renku_fed.sdk
from renku_fed.sdk import docs
from renku_fed.sdk.resources import aio, sync

RESOURCES = [
    cls
    for module in (sync, aio)
    for name, cls in vars(module).items()
    if inspect.isclass(cls) and cls.__module__ == module.__name__ and not name.startswith("_")
]
CLASSES = [renku_fed.sdk.Client, renku_fed.sdk.AsyncClient, *RESOURCES]


def public_methods(cls: type) -> list[str]:
    """The public methods a class defines itself."""
    return [
        name
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member)
    ]


def page_of(cls: type) -> str:
    """The reference page documenting a class: the package's page for what it exports."""
    if cls.__name__ in renku_fed.sdk.__all__:
        return "renku_fed/sdk.html"
    return cls.__module__.replace(".", "/") + ".html"


def flat(text: str) -> str:
    """Words only: markup, backticks and line breaks removed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("`", " ")
    return " ".join(text.split())


def rendered_docstring(page: str, anchor: str) -> str:
    """The docstring the page shows for the member with this anchor."""
    start = page.index(f'id="{anchor}"')
    body = page[page.index('<div class="docstring">', start) :]
    return flat(body[: body.index("</div>")])


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    assert docs.main([str(out)]) == 0
    return out


def test_the_reference_has_an_index_and_the_package_page(reference: Path) -> None:
    assert (reference / "index.html").is_file()
    assert "Client" in (reference / "renku_fed" / "sdk.html").read_text()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_public_class_and_method_appears_with_its_docstring(
    reference: Path, cls: type
) -> None:
    page = (reference / page_of(cls)).read_text()
    assert cls.__doc__ and rendered_docstring(page, cls.__name__) == flat(cls.__doc__)
    methods = public_methods(cls)
    assert methods
    for name in methods:
        doc = inspect.getdoc(getattr(cls, name))
        assert doc, f"{cls.__name__}.{name} has no docstring"
        assert rendered_docstring(page, f"{cls.__name__}.{name}") == flat(doc), name


def test_the_clients_resources_are_documented(reference: Path) -> None:
    page = (reference / "renku_fed" / "sdk.html").read_text()
    for client in ("Client", "AsyncClient"):
        assert rendered_docstring(page, f"{client}.projects").startswith("Projects: list")
        assert rendered_docstring(page, f"{client}.sessions").startswith("Your interactive")
        assert rendered_docstring(page, f"{client}.kg").startswith("The knowledge graph")
