"""A deferred plan's JSON form: Apollo's `Defer` with its primary part and `Deferred` parts."""

from __future__ import annotations

from graphql import parse

from renku_fed.router.planning import plan_to_json
from tests.support.planning import planner_for


def test_defer_plan_as_json() -> None:
    query = '{ project(id: "1") { name ... @defer(label: "kg") { datasets { id } } } }'

    plan = plan_to_json(planner_for("domain").plan(parse(query), None))

    defer = plan["node"]
    assert isinstance(defer, dict) and defer["kind"] == "Defer"
    assert defer["primary"]["node"]["serviceName"] == "projects"
    [part] = defer["deferred"]
    assert part["label"] == "kg" and part["path"] == ["project"] and part["keys"] == ["datasets"]
    assert part["depends"] == [
        {
            "kind": "InlineFragment",
            "typeCondition": "Project",
            "selections": [
                {"kind": "Field", "name": "__typename"},
                {"kind": "Field", "name": "id"},
            ],
        }
    ]
    assert part["node"]["kind"] == "Flatten" and part["node"]["path"] == ["project"]
    assert part["node"]["node"]["serviceName"] == "kg"
