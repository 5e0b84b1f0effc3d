"""Printing plans in Apollo's text format and serializing them as Apollo-compatible JSON."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, parse, print_ast

from renku_fed.router.planning.nodes import (
    BatchFetchNode,
    ConditionNode,
    DeferNode,
    FetchNode,
    FieldKey,
    FlattenNode,
    KeyRenamer,
    ListItems,
    ParallelNode,
    PlanNode,
    QueryPlan,
    ResponsePath,
    Rewrite,
    RewriteStep,
    SelectedField,
    SelectedFragment,
    Selection,
    SequenceNode,
    TypeCondition,
    ValueSetter,
)

_INDENT = "  "


def print_plan(plan: QueryPlan) -> str:
    """The plan in Apollo's text format: `QueryPlan { Sequence { Fetch(service: "x") ... } }`."""
    if plan.node is None:
        return "QueryPlan {\n}"
    split = _subscription_parts(plan.node)
    if split is not None:
        return "QueryPlan {\n" + _subscription(*split) + ",\n}"
    return "QueryPlan {\n" + _node(plan.node, 1) + ",\n}"


def _subscription_parts(node: PlanNode) -> tuple[FetchNode, PlanNode | None] | None:
    """A subscription's root fetch and what runs on each event, when `node` is one's plan."""
    first = node.nodes[0] if isinstance(node, SequenceNode) and node.nodes else node
    if not isinstance(first, FetchNode) or first.operation_kind != "subscription":
        return None
    if not isinstance(node, SequenceNode):
        return first, None
    rest = node.nodes[1:]
    return first, (rest[0] if len(rest) == 1 else SequenceNode(rest)) if rest else None


def _subscription(primary: FetchNode, rest: PlanNode | None) -> str:
    """Apollo's `Subscription { Primary: { Fetch }, Rest: { ... } }`."""
    pad, inner = _INDENT, _INDENT * 2
    text = f"{pad}Subscription {{\n{inner}Primary: {{\n{_node(primary, 3)}\n{inner}}}"
    if rest is not None:
        text += f",\n{inner}Rest: {{\n{_node(rest, 3)},\n{inner}}}"
    return text + f"\n{pad}}}"


def _format_path(path: ResponsePath) -> str:
    """A response path as printed in plans: `a.@.b|[T]`."""
    text = ""
    for segment in path:
        if isinstance(segment, FieldKey):
            text += ("." if text else "") + segment.key
        elif isinstance(segment, ListItems):
            text += ("." if text else "") + "@"
        else:
            text += "|[" + "|".join(segment.names) + "]"
    return text


def _node(node: PlanNode, depth: int) -> str:
    pad = _INDENT * depth
    if isinstance(node, FetchNode):
        return _fetch(node, depth)
    if isinstance(node, FlattenNode):
        inner = _node(node.node, depth + 1)
        return f'{pad}Flatten(path: "{_format_path(node.path)}") {{\n{inner},\n{pad}}}'
    if isinstance(node, SequenceNode | ParallelNode):
        kind = "Sequence" if isinstance(node, SequenceNode) else "Parallel"
        body = "".join(_node(child, depth + 1) + ",\n" for child in node.nodes)
        return f"{pad}{kind} {{\n{body}{pad}}}"
    if isinstance(node, BatchFetchNode):
        body = "".join(_node(child, depth + 1) + ",\n" for child in node.entries)
        return f'{pad}BatchFetch(service: "{node.fetch.service}") {{\n{body}{pad}}}'
    if isinstance(node, DeferNode):
        return _defer(node, depth)
    return _condition(node, depth)


def _defer(node: DeferNode, depth: int) -> str:
    """Apollo's `Defer { Primary { ... }, [ Deferred(...) { ... }, ] }`."""
    pad, inner = _INDENT * depth, _INDENT * (depth + 1)
    primary = "" if node.primary is None else _node(node.primary, depth + 2) + "\n"
    text = f"{pad}Defer {{\n{inner}Primary {{\n{primary}{inner}}}, [\n"
    for part in node.deferred:
        head = "Deferred("
        if part.depends:
            head += 'depends: "' + " ".join(_selections(part.depends).split()) + '", '
        head += f'path: "{_format_path(part.path)}"'
        head += f', label: "{part.label}")' if part.label is not None else ")"
        keys = _INDENT * (depth + 3) + "{ " + " ".join(part.keys) + " }:"
        body = "" if part.node is None else "\n" + _node(part.node, depth + 3)
        text += f"{inner}{_INDENT}{head} {{\n{keys}{body}\n{inner}{_INDENT}}},\n"
    return text + f"{inner}]\n{pad}}}"


def _condition(node: ConditionNode, depth: int) -> str:
    pad = _INDENT * depth
    if node.if_clause is not None:
        text = f"{pad}Include(if: ${node.variable}) {{\n{_node(node.if_clause, depth + 1)}\n{pad}}}"
        if node.else_clause is not None:
            text += f" Else {{\n{_node(node.else_clause, depth + 1)}\n{pad}}}"
        return text
    inner = _node(node.else_clause, depth + 1) if node.else_clause is not None else ""
    return f"{pad}Skip(if: ${node.variable}) {{\n{inner}\n{pad}}}"


def _fetch(node: FetchNode, depth: int) -> str:
    pad = _INDENT * depth
    selection = _operation_selection(node.operation, entity=node.requires is not None)
    body = _indent(print_ast(selection), depth + 1)
    if node.requires is not None:
        requires = _indent(_selections(node.requires), depth + 1)
        body = f"{requires} =>\n{body}"
    return f'{pad}Fetch(service: "{node.service}") {{\n{body}\n{pad}}}'


def _operation_selection(operation: str, entity: bool) -> SelectionSetNode:
    definition = parse(operation, no_location=True).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    selection = definition.selection_set
    if entity:
        entities = selection.selections[0]
        assert isinstance(entities, FieldNode) and entities.selection_set is not None
        selection = entities.selection_set
    return selection


def _selections(selections: tuple[Selection, ...]) -> str:
    lines = ["{"]
    lines.extend(_selection_lines(selections, 1))
    lines.append("}")
    return "\n".join(lines)


def _selection_lines(selections: tuple[Selection, ...], depth: int) -> list[str]:
    pad = _INDENT * depth
    lines: list[str] = []
    for selection in selections:
        if isinstance(selection, SelectedFragment):
            lines.append(f"{pad}... on {selection.type_condition} {{")
        else:
            head = f"{selection.alias}: {selection.name}" if selection.alias else selection.name
            if not selection.selections:
                lines.append(pad + head)
                continue
            lines.append(f"{pad}{head} {{")
        lines.extend(_selection_lines(selection.selections, depth + 1))
        lines.append(pad + "}")
    return lines


def _indent(text: str, depth: int) -> str:
    pad = _INDENT * depth
    return "\n".join(pad + line for line in text.splitlines())


def plan_to_json(plan: QueryPlan) -> dict[str, object]:
    """The plan as Apollo-compatible JSON data (`kind`, `serviceName`, `path` with "@", ...)."""
    return {"kind": "QueryPlan", "node": None if plan.node is None else _json(plan.node)}


def _json(node: PlanNode) -> dict[str, object]:
    if isinstance(node, FetchNode):
        result: dict[str, object] = {
            "kind": "Fetch",
            "serviceName": node.service,
            "variableUsages": list(node.variable_usages),
            "operation": node.operation,
            "operationKind": node.operation_kind,
            "operationName": node.operation_name,
        }
        if node.requires is not None:
            result["requires"] = [_json_selection(s) for s in node.requires]
        if node.input_rewrites:
            result["inputRewrites"] = [_json_rewrite(r) for r in node.input_rewrites]
        if node.output_rewrites:
            result["outputRewrites"] = [_json_rewrite(r) for r in node.output_rewrites]
        if node.id is not None:
            result["id"] = node.id
        return result
    if isinstance(node, FlattenNode):
        return {"kind": "Flatten", "path": _json_path(node.path), "node": _json(node.node)}
    if isinstance(node, SequenceNode | ParallelNode):
        kind = "Sequence" if isinstance(node, SequenceNode) else "Parallel"
        return {"kind": kind, "nodes": [_json(n) for n in node.nodes]}
    if isinstance(node, BatchFetchNode):
        return {
            "kind": "BatchFetch",
            "serviceName": node.fetch.service,
            "operation": node.fetch.operation,
            "nodes": [_json(n) for n in node.entries],
        }
    if isinstance(node, DeferNode):
        return {
            "kind": "Defer",
            "primary": {"node": None if node.primary is None else _json(node.primary)},
            "deferred": [
                {
                    "depends": [_json_selection(s) for s in part.depends],
                    "label": part.label,
                    "path": _json_path(part.path),
                    "keys": list(part.keys),
                    "node": None if part.node is None else _json(part.node),
                }
                for part in node.deferred
            ],
        }
    return {
        "kind": "Condition",
        "condition": node.variable,
        "ifClause": None if node.if_clause is None else _json(node.if_clause),
        "elseClause": None if node.else_clause is None else _json(node.else_clause),
    }


def _json_path(path: ResponsePath) -> list[str]:
    result: list[str] = []
    for segment in path:
        if isinstance(segment, FieldKey):
            result.append(segment.key)
        elif isinstance(segment, ListItems):
            result.append("@")
        elif isinstance(segment, TypeCondition):
            suffix = "|[" + "|".join(segment.names) + "]"
            if result:
                result[-1] += suffix
            else:
                result.append(suffix)
    return result


def _json_selection(selection: Selection) -> dict[str, object]:
    if isinstance(selection, SelectedField):
        result: dict[str, object] = {"kind": "Field", "name": selection.name}
        if selection.alias:
            result["alias"] = selection.alias
        if selection.selections:
            result["selections"] = [_json_selection(s) for s in selection.selections]
        return result
    return {
        "kind": "InlineFragment",
        "typeCondition": selection.type_condition,
        "selections": [_json_selection(s) for s in selection.selections],
    }


def _json_rewrite(rewrite: Rewrite) -> dict[str, object]:
    path = [_json_step(step) for step in rewrite.path]
    if isinstance(rewrite, ValueSetter):
        return {"kind": "ValueSetter", "path": path, "setValueTo": rewrite.value}
    assert isinstance(rewrite, KeyRenamer)
    return {"kind": "KeyRenamer", "path": path, "renameKeyTo": rewrite.rename_to}


def _json_step(step: RewriteStep) -> str:
    return step.key if isinstance(step, FieldKey) else f"... on {step.type_name}"
