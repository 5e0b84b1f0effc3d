"""ui/schema.graphql, which the front end's types are generated from, is the router's API schema."""

from __future__ import annotations

import os
from pathlib import Path

from graphql import print_schema

from renku_fed.router.supergraph import Supergraph

ROOT = Path(__file__).parents[2]


def test_the_ui_schema_is_the_api_schema_of_the_checked_in_supergraph() -> None:
    supergraph = Supergraph.parse((ROOT / "schema/supergraph.graphql").read_text())
    api = print_schema(supergraph.api_schema) + "\n"
    ui_schema = ROOT / "ui/schema.graphql"
    if os.environ.get("RENKU_FED_UPDATE_UI_SCHEMA") == "1":
        ui_schema.write_text(api)
    assert ui_schema.read_text() == api, (
        "schema/supergraph.graphql changed: run RENKU_FED_UPDATE_UI_SCHEMA=1 pytest tests/ui, "
        "then `npm run build` in ui/ and fix what the generated types show"
    )
