"""Golden plans for client `__typename` selections: answered from the fetch that returns the
parent object, never with a fragment of their own (`... on T {}` is not valid GraphQL).
"""

from __future__ import annotations

import pytest

from tests.support.planning import dedent, plan_text

CASES = [
    (
        "aliased-typename-in-every-union-member",
        "abstract",
        "{ assets { __typename ... on Book { kind: __typename } ... on Film { k: __typename } } }",
        """
        QueryPlan {
          Fetch(service: "library") {
            {
              assets {
                __typename
              }
            }
          },
        }
        """,
    ),
    (
        "aliased-typename-in-interface-implementations",
        "abstract",
        "{ catalog { id ... on Book { t: __typename } ... on Film { t: __typename minutes } } }",
        """
        QueryPlan {
          Fetch(service: "library") {
            {
              catalog {
                __typename
                id
                ... on Film {
                  minutes
                }
              }
            }
          },
        }
        """,
    ),
    (
        "typename-fragment-beside-a-field-fragment",
        "abstract",
        "{ catalog { ... on Book { t: __typename title } ... on Film { t: __typename } } }",
        """
        QueryPlan {
          Fetch(service: "library") {
            {
              catalog {
                __typename
                ... on Book {
                  title
                }
              }
            }
          },
        }
        """,
    ),
    (
        "typename-of-an-implementation-behind-an-interface-object",
        "interface_object",
        "{ recentlyActive { ... on Admin { __typename } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "activity") {
              {
                recentlyActive {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "recentlyActive.@") {
              Fetch(service: "accounts") {
                {
                  ... on Account {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    __typename
                  }
                }
              },
            },
          },
        }
        """,
    ),
]


@pytest.mark.parametrize(
    ("fixture", "query", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_typename_plan(fixture: str, query: str, expected: str) -> None:
    assert plan_text(fixture, query) == dedent(expected)
