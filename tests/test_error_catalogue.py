"""The README's "Errors" tables list exactly the codes of the error enums, with their statuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from renku_fed.identity.errors import ErrorCode as IdentityErrorCode
from renku_fed.router.errors import ErrorCode as RouterErrorCode
from renku_fed.subgraphs.common.errors import ErrorCode as SubgraphErrorCode

README = Path(__file__).resolve().parents[1] / "README.md"
_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|(.*)\|$")


def _section(text: str, heading: str, level: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    start = text.index(f"\n{level} {heading}\n")
    ends = [m.start() for m in re.finditer(rf"\n#{{1,{len(level)}}} ", text) if m.start() > start]
    return text[start : min(ends, default=len(text))]


def documented(heading: str, readme: Path = README) -> dict[str, list[str]]:
    """The codes of the table under `### heading` of "## Errors", each with its other cells."""
    errors = _section(readme.read_text(encoding="utf-8"), "Errors", "##")
    rows: dict[str, list[str]] = {}
    for line in _section(errors, heading, "###").splitlines():
        match = _ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} is documented twice"
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


@pytest.mark.parametrize(
    ("heading", "codes"),
    [
        ("Router", {c.value for c in RouterErrorCode}),
        ("Subgraphs", {c.value for c in SubgraphErrorCode}),
    ],
)
def test_every_code_is_documented_and_every_documented_code_exists(
    heading: str, codes: set[str]
) -> None:
    """A code added to an enum needs a README row; a README row needs an enum member."""
    rows = set(documented(heading))
    assert codes - rows == set(), f"in the enum, not in README's {heading} table"
    assert rows - codes == set(), f"in README's {heading} table, not in the enum"


def test_the_router_table_states_each_code_status() -> None:
    """The status column starts with the status the router's enum gives the code."""
    rows = documented("Router")
    for code in RouterErrorCode:
        stated = rows[code.value][0].split()[0]
        assert stated == str(int(code.status)), f"{code}: README says {stated}"


def test_the_router_reuses_the_identity_codes() -> None:
    """The bearer-token codes mean the same, with the same status, in router and identity."""
    for code in IdentityErrorCode:
        assert RouterErrorCode(code.value).definition == code.definition


def test_the_check_sees_a_dropped_row(tmp_path: Path) -> None:
    """A README without the RATE_LIMITED row no longer documents it."""
    text = README.read_text(encoding="utf-8")
    trimmed = tmp_path / "README.md"
    trimmed.write_text(re.sub(r"(?m)^\| `RATE_LIMITED` \|.*\n", "", text), encoding="utf-8")
    assert "RATE_LIMITED" in documented("Router")
    assert "RATE_LIMITED" not in documented("Router", trimmed)
