"""Golden query plans: one file per case in `cases/`, each planned and compared to its printed plan.

A case file is the operation under a header and above the plan `print_plan` should print::

    # supergraph: domain
    # operation name: Q
    # variables: {"id": "1"}
    # labels: new-status, percent(30)
    query Q($id: ID!) { project(id: $id) { name } }
    ---
    QueryPlan {
      ...
    }

`supergraph` names a fixture of `tests/support/supergraphs/`; the other header lines are optional
(`variables` is JSON, `labels` a comma-separated list of override labels). A new case is a new
file. After an intended planner change, run
`RENKU_FED_UPDATE_PLANS=1 pytest tests/router/planning/test_plans.py` to rewrite every expected
plan, then review and commit the diff.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.planning import plan_text

CASES = Path(__file__).with_name("cases")
SEPARATOR = "\n---\n"
UPDATE = os.environ.get("RENKU_FED_UPDATE_PLANS") == "1"
HOW_TO_UPDATE = "run `RENKU_FED_UPDATE_PLANS=1 pytest tests/router/planning/test_plans.py`"
HEADER_KEYS = {"supergraph", "operation name", "variables", "labels"}


@dataclass(frozen=True)
class Case:
    """One case file: what to plan, and the plan it should print."""

    path: Path
    header: dict[str, str]
    operation: str
    expected: str

    @classmethod
    def read(cls, path: Path) -> Case:
        """Parse a case file: `# key: value` lines, the operation, `---`, the printed plan."""
        head, expected = path.read_text().split(SEPARATOR, 1)
        lines = head.splitlines()
        header = {}
        while lines and lines[0].startswith("# "):
            key, _, value = lines.pop(0)[2:].partition(": ")
            header[key] = value
        unknown = set(header) - HEADER_KEYS
        assert not unknown, f"{path.name}: unknown header lines {sorted(unknown)}"
        assert "supergraph" in header, f"{path.name}: no `# supergraph:` line"
        return cls(path, header, "\n".join(lines), expected.removesuffix("\n"))

    def plan(self) -> str:
        """The plan the planner prints for this case today."""
        labels = self.header.get("labels", "")
        variables = self.header.get("variables")
        return plan_text(
            self.header["supergraph"],
            self.operation,
            variables=json.loads(variables) if variables else None,
            labels=frozenset(label.strip() for label in labels.split(",") if label.strip()),
            operation_name=self.header.get("operation name"),
        )

    def rewrite(self, plan: str) -> None:
        """Write `plan` as this case's expected plan, keeping its header and operation."""
        head = self.path.read_text().split(SEPARATOR, 1)[0]
        self.path.write_text(head + SEPARATOR + plan + "\n")


CASE_FILES = sorted(CASES.glob("*.txt"))


def test_the_cases_folder_has_cases() -> None:
    assert len(CASE_FILES) >= 60, f"{CASES} lost case files"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda path: path.stem)
def test_plan(path: Path) -> None:
    case = Case.read(path)
    printed = case.plan()
    if UPDATE and printed != case.expected:
        case.rewrite(printed)
        case = Case.read(path)
    assert printed == case.expected, f"{path.name}: the plan changed; if intended, {HOW_TO_UPDATE}"
