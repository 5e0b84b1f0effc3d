"""What two of the router's own checks cost on the request path, each beside its absence in the
same run: the response-validation scalar check in projection, and traffic shaping's guard
around a subgraph call.

Run from the repository root: `python -m bench.request_path.checks` (or the whole
`python -m bench.request_path`; see bench/request_path/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from graphql import OperationDefinitionNode, build_schema, parse

from bench.request_path.swaps import async_ops_per_second, ops_per_second
from renku_fed.router.execution import OperationProjector, TypeIndex, collect, projection
from renku_fed.router.execution.response_policy import ResponseValidation
from renku_fed.router.execution.shaping import SubgraphGuard
from renku_fed.router.execution.shaping_settings import SubgraphShaping

OBJECTS = 2_000
SCALARS = ("Int", "Float", "String", "Boolean", "ID") * 2
SCHEMA = build_schema(
    "type Query { items: [Item!]! }\ntype Item { "
    + " ".join(f"f{index}: {scalar}!" for index, scalar in enumerate(SCALARS))
    + " }"
)
QUERY = parse("{ items { " + " ".join(f"f{index}" for index in range(len(SCALARS))) + " } }")
VALUES = {"Int": 7, "Float": 1.5, "String": "seven", "Boolean": True, "ID": "i-7"}
OFF = SubgraphShaping(max_concurrency=0, retry_attempts=0, breaker_failures=0)


def _data() -> dict[str, Any]:
    item = {f"f{index}": VALUES[scalar] for index, scalar in enumerate(SCALARS)}
    return {"items": [dict(item) for _ in range(OBJECTS)]}


@contextmanager
def _scalar_check_off() -> Iterator[None]:
    """Projection with every scalar taken as it is: the check's absence, for this run only.

    A projector's shapes are collected at its first projection: build the peer's inside.
    """
    # The names are imported into these modules, not exported by them: patch their namespaces.
    projector, collector = vars(projection), vars(collect)
    fits, accepted = projector["fits_scalar"], collector["scalar_types"]
    projector["fits_scalar"] = lambda type_, value: True
    collector["scalar_types"] = lambda type_: None
    try:
        yield
    finally:
        projector["fits_scalar"], collector["scalar_types"] = fits, accepted


def line(name: str, per_second: float, peer: float, unit: float, label: str) -> None:
    """One row: time per operation of ours and the peer's, and their ratio (above 1: slower)."""
    ours, theirs = unit / per_second, unit / peer
    print(f"{name:<46} {ours:10.2f} {theirs:10.2f} {label:<3} {peer / per_second:6.2f}x")


def bench_projection(rounds: int = 7) -> None:
    """Projecting 2,000 objects of 10 scalars, by response-validation mode and with no check.

    The three are timed in turn, round after round, and each keeps its best round, so that a
    busy moment of the machine does not fall on one of them only.
    """
    definition = QUERY.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    data = _data()

    def project(projector: OperationProjector, mode: ResponseValidation) -> object:
        errors: list[dict[str, Any]] = []
        problems = errors if mode is ResponseValidation.STRICT else []
        return projector.project(data, errors, {}, problems=problems)

    def projector() -> OperationProjector:
        return OperationProjector(SCHEMA, QUERY, definition, TypeIndex(SCHEMA))

    checked = projector()
    wrong = {"items": [{**data["items"][0], "f0": "not an Int"}]}
    assert project(checked, ResponseValidation.STRICT) == data
    assert checked.project(wrong, [], {}) is None, "the check must refuse a string for an Int"
    with _scalar_check_off():
        unchecked = projector()
        assert project(unchecked, ResponseValidation.STRICT) == data
    assert unchecked.project(wrong, [], {}) == wrong, "the peer must not check"
    variants = {mode.value: partial(project, checked, mode) for mode in ResponseValidation}
    variants["off"] = partial(project, unchecked, ResponseValidation.STRICT)
    best = dict.fromkeys(variants, 0.0)
    for _ in range(rounds):
        for name, call in variants.items():
            best[name] = max(best[name], ops_per_second(call, seconds=0.3, rounds=1))
    for mode in ResponseValidation:
        name = f"projection, {mode.value} vs scalar check off"
        line(name, best[mode.value], best["off"], 1e3, "ms")


def bench_guard() -> None:
    """One subgraph call answered at once, through the guard (defaults; shaping off) and bare."""

    async def answer() -> tuple[int, bytes]:
        return 200, b"{}"

    bare = async_ops_per_second(answer, count=20_000)
    for name, policy, retry in (
        ("guard, query (limit, breaker, retries)", SubgraphShaping(), True),
        ("guard, mutation (limit, breaker)", SubgraphShaping(), False),
        ("guard, shaping off", OFF, False),
    ):
        guard = SubgraphGuard(f"bench-{name}", policy)

        async def guarded(guard: SubgraphGuard = guard, retry: bool = retry) -> object:
            return await guard.call(answer, retry=retry)

        shaped = async_ops_per_second(guarded, count=20_000)
        line(f"{name} vs none", shaped, bare, 1e6, "µs")
        print(f"{'':<46} {'+' + format(1e6 / shaped - 1e6 / bare, '.2f'):>10} µs per call")


def main() -> None:
    """Run both benchmarks and print a table."""
    logging.disable(logging.CRITICAL)
    print(f"{'router check':<46} {'ours':>10} {'without':>10} {'':<3} {'ratio':>7}")
    bench_projection()
    bench_guard()


if __name__ == "__main__":
    main()
