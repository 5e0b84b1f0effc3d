"""Planner behaviour beyond printed plans: plan data, JSON, names, caching, errors, aliases."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from renku_fed.router.planning import PlanningError, QueryPlanner, plan_to_json
from renku_fed.router.planning.nodes import (
    ConditionNode,
    ContextInput,
    FetchNode,
    FieldKey,
    FlattenNode,
    KeyRenamer,
    ListItems,
    PlanNode,
    QueryPlan,
    SelectedField,
    SelectedFragment,
    SequenceNode,
    TypeCondition,
    TypenameEquals,
    ValueSetter,
)
from renku_fed.router.supergraph import Supergraph
from tests.support.planning import FIXTURES, load_supergraph, planner_for


def _plan(fixture: str, query: str, name: str | None = None, **kwargs: object) -> QueryPlan:
    return planner_for(fixture).plan(parse(query), name, **kwargs)  # type: ignore[arg-type]


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return _fetches(node.node)
    return [f for child in getattr(node, "nodes", ()) for f in _fetches(child)]


def _sequence(plan: QueryPlan) -> SequenceNode:
    assert isinstance(plan.node, SequenceNode)
    return plan.node


def test_entity_fetch_data_and_operation_names() -> None:
    plan = _plan("domain", "query Me { me { username projects { totalCount } } }", "Me")
    root, flatten = _sequence(plan).nodes
    assert isinstance(root, FetchNode) and isinstance(flatten, FlattenNode)
    assert root.operation == "query Me__users__0{me{username __typename id}}"
    assert root.operation_name == "Me__users__0"
    assert root.requires is None
    entity = flatten.node
    assert isinstance(entity, FetchNode)
    assert flatten.path == (FieldKey("me"),)
    assert entity.operation == (
        "query Me__projects__1($representations:[_Any!]!)"
        "{_entities(representations:$representations){...on User{projects{totalCount}}}}"
    )
    assert entity.requires == (
        SelectedFragment("User", (SelectedField("__typename"), SelectedField("id"))),
    )


def test_variables_are_declared_only_where_used() -> None:
    query = (
        "query P($id: ID!, $first: Int = 3) { project(id: $id) { name } "
        "me { projects(first: $first) { totalCount } } }"
    )
    usages = {
        (f.service, f.requires is None): f for f in _fetches(_plan("domain", query, "P").node)
    }
    assert usages[("users", True)].variable_usages == ()
    assert usages[("projects", True)].variable_usages == ("id",)
    assert usages[("projects", True)].operation.startswith("query P__projects__0($id:ID!){")
    entity = usages[("projects", False)]
    assert entity.variable_usages == ("first",)
    assert "($representations:[_Any!]!,$first:Int=3)" in entity.operation


def test_plan_to_json_is_apollo_shaped() -> None:
    plan = _plan("interface_object", "{ admins { lastSeen } }")
    data = plan_to_json(plan)
    assert data["kind"] == "QueryPlan"
    sequence = data["node"]
    assert isinstance(sequence, dict) and sequence["kind"] == "Sequence"
    flatten = sequence["nodes"][1]
    assert flatten["kind"] == "Flatten"
    assert flatten["path"] == ["admins", "@"]
    fetch = flatten["node"]
    assert fetch["serviceName"] == "activity"
    assert fetch["operationKind"] == "query"
    assert fetch["requires"] == [
        {
            "kind": "InlineFragment",
            "typeCondition": "Admin",
            "selections": [
                {"kind": "Field", "name": "__typename"},
                {"kind": "Field", "name": "id"},
            ],
        }
    ]
    assert fetch["inputRewrites"] == [
        {"kind": "ValueSetter", "path": ["... on Admin", "__typename"], "setValueTo": "Account"}
    ]


def test_interface_object_input_rewrite_sets_the_interface_name() -> None:
    flatten = _sequence(_plan("interface_object", "{ admins { lastSeen } }")).nodes[1]
    assert isinstance(flatten, FlattenNode) and isinstance(flatten.node, FetchNode)
    assert flatten.node.input_rewrites == (
        ValueSetter((TypenameEquals("Admin"), FieldKey("__typename")), "Account"),
    )


def test_type_condition_in_merge_path_json() -> None:
    plan = _plan("abstract", "{ catalog { ... on Book { stars } } }")
    flatten = _sequence(plan).nodes[1]
    assert isinstance(flatten, FlattenNode)
    assert flatten.path == (FieldKey("catalog"), ListItems(), TypeCondition(("Book",)))
    assert plan_to_json(plan)["node"]["nodes"][1]["path"] == ["catalog", "@|[Book]"]  # type: ignore[index]


def test_internal_key_gets_an_alias_when_the_client_uses_its_name() -> None:
    plan = _plan("domain", "{ me { projects { totalCount } id: username } }")
    root, flatten = _sequence(plan).nodes
    assert isinstance(root, FetchNode) and isinstance(flatten, FlattenNode)
    assert root.operation == "{me{__typename _internal_qp_alias_0:id id:username}}"
    assert root.output_rewrites == ()
    assert isinstance(flatten.node, FetchNode)
    assert flatten.node.requires == (
        SelectedFragment(
            "User",
            (SelectedField("__typename"), SelectedField("id", "_internal_qp_alias_0")),
        ),
    )


def test_fields_with_different_subgraph_types_are_aliased_and_renamed_back() -> None:
    query = (
        "{ parties { ... on Person { code label } "
        "... on Robot { code peers { ... on Person { code } ... on Robot { code } } } } }"
    )
    plan = _plan("type_mismatch", query)
    assert isinstance(plan.node, FetchNode)
    assert "_internal_qp_alias_0:code" in plan.node.operation
    assert plan.node.output_rewrites == (
        KeyRenamer(
            (FieldKey("parties"), TypenameEquals("Robot"), FieldKey("_internal_qp_alias_0")),
            "code",
        ),
        KeyRenamer(
            (
                FieldKey("parties"),
                TypenameEquals("Robot"),
                FieldKey("peers"),
                TypenameEquals("Robot"),
                FieldKey("_internal_qp_alias_1"),
            ),
            "code",
        ),
    )


def test_mismatched_types_under_one_key_in_separate_fragments_are_aliased() -> None:
    # both `peers` merge into one selection in the subgraph, so their `code`s must agree too
    query = (
        "{ parties { ... on Person { peers { ... on Person { code } } } "
        "... on Robot { peers { ... on Robot { code } } } } }"
    )
    plan = _plan("type_mismatch", query)
    assert isinstance(plan.node, FetchNode)
    assert plan.node.operation == (
        "{parties{__typename ...on Person{peers{__typename ...on Person{code}}} "
        "...on Robot{peers{__typename ...on Robot{_internal_qp_alias_0:code}}}}}"
    )
    assert plan.node.output_rewrites == (
        KeyRenamer(
            (
                FieldKey("parties"),
                TypenameEquals("Robot"),
                FieldKey("peers"),
                TypenameEquals("Robot"),
                FieldKey("_internal_qp_alias_0"),
            ),
            "code",
        ),
    )


def test_one_cached_plan_serves_every_condition_value() -> None:
    planner = QueryPlanner(load_supergraph("domain"), cache_size=2)
    query = "query S($s: Boolean!) { project(id: 1) { name sessions @include(if: $s) { id } } }"
    document = parse(query)
    with_sessions = planner.plan(document, None, {"s": True})
    assert planner.plan(parse(query), None, {"s": False}) is with_sessions
    assert isinstance(with_sessions.node, SequenceNode)
    condition = with_sessions.node.nodes[1]
    assert isinstance(condition, ConditionNode)
    assert (condition.variable, condition.else_clause) == ("s", None)
    assert "@include" not in with_sessions.node.nodes[0].operation  # type: ignore[union-attr]
    planner.plan(parse("{ me { id } }"), None)
    planner.plan(parse("{ me { username } }"), None)
    # the LRU holds two plans: the oldest one was evicted and is planned again
    assert planner.plan(document, None, {"s": True}) is not with_sessions


def test_override_labels_outside_the_supergraph_do_not_split_the_cache() -> None:
    planner = QueryPlanner(load_supergraph("override"))
    document = parse("{ legacyInvoices { status } }")
    plain = planner.plan(document, None)
    assert planner.plan(document, None, override_labels=frozenset({"unrelated"})) is plain
    active = planner.plan(document, None, override_labels=frozenset({"new-status"}))
    assert active is not plain


def test_introspection_only_operation_needs_no_subgraph() -> None:
    assert _plan("domain", '{ __type(name: "User") { name } __typename }').node is None


def test_unreachable_field_is_a_planning_error_naming_it() -> None:
    sdl = (FIXTURES / "domain.graphql").read_text()
    broken = sdl.replace(
        '@join__type(graph: KG, key: "id")\n  @join__type(graph: PROJECTS',
        ("@join__type(graph: KG)\n  @join__type(graph: PROJECTS"),
    )
    assert broken != sdl
    planner = QueryPlanner(Supergraph.parse(broken))
    with pytest.raises(PlanningError, match=r"Project\.datasets"):
        planner.plan(parse("{ project(id: 1) { datasets { title } } }"), None)


def test_from_context_fields_are_entity_fetches_told_where_the_context_is() -> None:
    plan = _plan("context_v05", "{ org { team { greeting } } }")
    _, flatten = _sequence(plan).nodes
    assert isinstance(flatten, FlattenNode) and isinstance(flatten.node, FetchNode)
    assert flatten.node.context_inputs == (ContextInput("contextualArgument_1_0", 1, ("locale",)),)
    assert "greeting(locale:$contextualArgument_1_0)" in flatten.node.operation


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("query A { me { id } } query B { me { id } }", None, "operation name is required"),
        ("query A { me { id } }", "B", "unknown operation named 'B'"),
    ],
)
def test_operation_selection_errors(query: str, name: str | None, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        _plan("domain", query, name)


def test_mutation_follow_ups_are_queries_and_stages_keep_order() -> None:
    plan = _plan(
        "domain",
        'mutation { startSession(projectId: "p") { project { name } } deleteProject(id: "p") }',
    )
    first, follow_up, last = _sequence(plan).nodes
    assert isinstance(first, FetchNode) and first.operation_kind == "mutation"
    assert isinstance(follow_up, FlattenNode) and isinstance(follow_up.node, FetchNode)
    assert follow_up.node.operation_kind == "query"
    assert isinstance(last, FetchNode) and last.operation == 'mutation{deleteProject(id:"p")}'


def test_same_plans_from_apollo_and_guild_composed_supergraphs() -> None:
    query = "{ recentlyActive { id greeting ... on Admin { level } } }"
    assert _plan("interface_object", query) == _plan("interface_object_guild", query)


@pytest.mark.parametrize(
    "query",
    ['{ node(id: "1") { id } }', '{ node(id: "1") { id ... on Chat { id } } }'],
)
def test_field_no_single_subgraph_can_serve_for_all_implementations(query: str) -> None:
    # each subgraph's `node` may return an object whose `id` only the other one knows, and the
    # key is `id` itself, so no entity move can fetch it: an error, not a guessed value
    with pytest.raises(PlanningError, match=r"cannot plan field (Chat|Account)\.id"):
        _plan("nodes", query)


def test_interface_field_only_in_a_non_resolvable_interface_object_is_an_error() -> None:
    # `front` returns `Node` without knowing any implementation, and `back` (an interface
    # object) cannot be entered: no subgraph can produce `note` for front's objects
    with pytest.raises(PlanningError, match=r"Node\.note"):
        _plan("unreachable_interface_object", "{ node { note } }")
    assert isinstance(_plan("unreachable_interface_object", "{ node { id } }").node, FetchNode)


def test_fragments_spread_twice_per_level_are_normalized_once_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from renku_fed.router.planning import operation

    levels = 12
    fragments = "\n".join(
        f"fragment F{i} on User {{ id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    document = parse(f"{{ me {{ ...F0 }} }}\n{fragments}\nfragment F{levels} on User {{ id }}")
    calls = 0
    original = operation._Normalizer.selection_set

    def counting(self: Any, node: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, node)

    monkeypatch.setattr(operation._Normalizer, "selection_set", counting)
    normalized = operation.normalize(document.definitions[0], document)  # type: ignore[arg-type]
    assert calls <= 2 * levels + 4
    me = normalized.items[0]
    assert isinstance(me, operation.OpField) and me.name == "me"
