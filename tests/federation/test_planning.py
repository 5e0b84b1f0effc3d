"""Golden query plans: a fixture supergraph, an operation, the expected printed plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from planning_support import dedent, plan_text


@dataclass(frozen=True)
class Case:
    id: str
    fixture: str
    query: str
    expected: str
    variables: dict[str, object] | None = None
    labels: frozenset[str] = field(default_factory=frozenset)
    operation_name: str | None = None


CASES = [
    Case(
        "root-field-single-subgraph",
        "domain",
        "{ me { id username } }",
        """
        QueryPlan {
          Fetch(service: "users") {
            {
              me {
                id
                username
              }
            }
          },
        }
        """,
    ),
    Case(
        "root-fields-parallel",
        "domain",
        "query Q($id: ID!) { project(id: $id) { name } user(id: $id) { username } }",
        """
        QueryPlan {
          Parallel {
            Fetch(service: "projects") {
              {
                project(id: $id) {
                  name
                }
              }
            },
            Fetch(service: "users") {
              {
                user(id: $id) {
                  username
                }
              }
            },
          },
        }
        """,
        **{"operation_name": "Q"},
    ),
    Case(
        "entity-jump-by-key",
        "domain",
        "{ me { username projects(first: 5) { totalCount nodes { name } } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "users") {
              {
                me {
                  username
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "projects") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    projects(first: 5) {
                      totalCount
                      nodes {
                        name
                      }
                    }
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "nested-entity-chain-with-lists",
        "domain",
        (
            "{ me { projects { nodes { name createdBy { email } members { role user "
            "{ username } } sessions { state } datasets { title } } } } }"
        ),
        """
        QueryPlan {
          Sequence {
            Fetch(service: "users") {
              {
                me {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "projects") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    projects {
                      nodes {
                        name
                        createdBy {
                          __typename
                          id
                        }
                        members {
                          role
                          user {
                            __typename
                            id
                          }
                        }
                        __typename
                        id
                      }
                    }
                  }
                }
              },
            },
            Parallel {
              Flatten(path: "me.projects.nodes.@.createdBy") {
                Fetch(service: "users") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      email
                    }
                  }
                },
              },
              Flatten(path: "me.projects.nodes.@.members.@.user") {
                Fetch(service: "users") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      username
                    }
                  }
                },
              },
              Flatten(path: "me.projects.nodes.@") {
                Fetch(service: "sessions") {
                  {
                    ... on Project {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on Project {
                      sessions {
                        state
                      }
                    }
                  }
                },
              },
              Flatten(path: "me.projects.nodes.@") {
                Fetch(service: "kg") {
                  {
                    ... on Project {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on Project {
                      datasets {
                        title
                      }
                    }
                  }
                },
              },
            },
          },
        }
        """,
    ),
    Case(
        "entity-back-reference",
        "domain",
        ('{ session(id: "s") { state project { name datasets { title project { slug } } } } }'),
        """
        QueryPlan {
          Sequence {
            Fetch(service: "sessions") {
              {
                session(id: "s") {
                  state
                  project {
                    __typename
                    id
                  }
                }
              }
            },
            Parallel {
              Flatten(path: "session.project") {
                Fetch(service: "projects") {
                  {
                    ... on Project {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on Project {
                      name
                    }
                  }
                },
              },
              Sequence {
                Flatten(path: "session.project") {
                  Fetch(service: "kg") {
                    {
                      ... on Project {
                        __typename
                        id
                      }
                    } =>
                    {
                      ... on Project {
                        datasets {
                          title
                          project {
                            __typename
                            id
                          }
                        }
                      }
                    }
                  },
                },
                Flatten(path: "session.project.datasets.@.project") {
                  Fetch(service: "projects") {
                    {
                      ... on Project {
                        __typename
                        id
                      }
                    } =>
                    {
                      ... on Project {
                        slug
                      }
                    }
                  },
                },
              },
            },
          },
        }
        """,
    ),
    Case(
        "mutations-run-in-order",
        "domain",
        (
            "mutation M($n: String!) { a: createProject(name: $n) { project { id "
            'createdBy { username } } } b: createProject(name: "x") { errors } '
            'startSession(projectId: "1") { project { name } } deleteProject(id: '
            '"2") }'
        ),
        """
        QueryPlan {
          Sequence {
            Fetch(service: "projects") {
              {
                a: createProject(name: $n) {
                  project {
                    id
                    createdBy {
                      __typename
                      id
                    }
                  }
                }
                b: createProject(name: "x") {
                  errors
                }
              }
            },
            Flatten(path: "a.project.createdBy") {
              Fetch(service: "users") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    username
                  }
                }
              },
            },
            Fetch(service: "sessions") {
              {
                startSession(projectId: "1") {
                  project {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "startSession.project") {
              Fetch(service: "projects") {
                {
                  ... on Project {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Project {
                    name
                  }
                }
              },
            },
            Fetch(service: "projects") {
              {
                deleteProject(id: "2")
              }
            },
          },
        }
        """,
        **{"operation_name": "M"},
    ),
    Case(
        "typename-only-needs-no-extra-fetch",
        "domain",
        "{ me { __typename id } __typename }",
        """
        QueryPlan {
          Fetch(service: "users") {
            {
              me {
                id
              }
            }
          },
        }
        """,
    ),
    Case(
        "introspection-only-needs-no-fetch",
        "domain",
        "{ __schema { queryType { name } } __typename }",
        """
        QueryPlan {
        }
        """,
    ),
    Case(
        "requires-from-other-subgraph",
        "requires",
        "{ items { name shippingCost } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                items {
                  name
                  __typename
                  id
                  weight
                }
              }
            },
            Flatten(path: "items.@") {
              Fetch(service: "shipping") {
                {
                  ... on Item {
                    __typename
                    id
                    weight
                  }
                } =>
                {
                  ... on Item {
                    shippingCost
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "requires-chain",
        "requires",
        "{ topItem { shippingTax } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                topItem {
                  __typename
                  id
                  weight
                }
              }
            },
            Flatten(path: "topItem") {
              Fetch(service: "shipping") {
                {
                  ... on Item {
                    __typename
                    id
                    weight
                  }
                } =>
                {
                  ... on Item {
                    shippingCost
                  }
                }
              },
            },
            Flatten(path: "topItem") {
              Fetch(service: "tax") {
                {
                  ... on Item {
                    __typename
                    id
                    shippingCost
                  }
                } =>
                {
                  ... on Item {
                    shippingTax
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "requires-starting-in-requiring-subgraph",
        "requires",
        "{ cheapest { carrier shippingCost } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "shipping") {
              {
                cheapest {
                  carrier
                  __typename
                  id
                }
              }
            },
            Flatten(path: "cheapest") {
              Fetch(service: "catalog") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    weight
                  }
                }
              },
            },
            Flatten(path: "cheapest") {
              Fetch(service: "shipping") {
                {
                  ... on Item {
                    __typename
                    id
                    weight
                  }
                } =>
                {
                  ... on Item {
                    shippingCost
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "requires-two-arguments-conflict",
        "requires",
        "{ cheapest { shippingQuote shippingQuoteEur } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "shipping") {
              {
                cheapest {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "cheapest") {
              Fetch(service: "catalog") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    weight
                    price(currency: "CHF")
                    _internal_qp_alias_0: price(currency: "EUR")
                  }
                }
              },
            },
            Parallel {
              Flatten(path: "cheapest") {
                Fetch(service: "shipping") {
                  {
                    ... on Item {
                      __typename
                      id
                      weight
                      price
                    }
                  } =>
                  {
                    ... on Item {
                      shippingQuote
                    }
                  }
                },
              },
              Flatten(path: "cheapest") {
                Fetch(service: "shipping") {
                  {
                    ... on Item {
                      __typename
                      id
                      weight
                      _internal_qp_alias_0: price
                    }
                  } =>
                  {
                    ... on Item {
                      shippingQuoteEur
                    }
                  }
                },
              },
            },
          },
        }
        """,
    ),
    Case(
        "requires-with-argument-and-user-field",
        "requires",
        "{ topItem { reviews(limit: 1) { body } topReviewer { id } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                topItem {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "topItem") {
              Fetch(service: "reviews") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    reviews(limit: 1) {
                      body
                    }
                    _internal_qp_alias_0: reviews(limit: 3) {
                      __typename
                      id
                    }
                  }
                }
              },
            },
            Flatten(path: "topItem._internal_qp_alias_0.@") {
              Fetch(service: "people") {
                {
                  ... on Review {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Review {
                    authorId
                  }
                }
              },
            },
            Flatten(path: "topItem") {
              Fetch(service: "reviews") {
                {
                  ... on Item {
                    __typename
                    id
                    _internal_qp_alias_0: reviews {
                      authorId
                    }
                  }
                } =>
                {
                  ... on Item {
                    topReviewer {
                      id
                    }
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "provides-no-fetch",
        "provides",
        "{ reviews { body author { name } } }",
        """
        QueryPlan {
          Fetch(service: "reviews") {
            {
              reviews {
                body
                author {
                  name
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "provides-partial",
        "provides",
        "{ reviews { author { name email } plainAuthor { name } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              {
                reviews {
                  author {
                    name
                    __typename
                    id
                  }
                  plainAuthor {
                    __typename
                    id
                  }
                }
              }
            },
            Parallel {
              Flatten(path: "reviews.@.author") {
                Fetch(service: "accounts") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      email
                    }
                  }
                },
              },
              Flatten(path: "reviews.@.plainAuthor") {
                Fetch(service: "accounts") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      name
                    }
                  }
                },
              },
            },
          },
        }
        """,
    ),
    Case(
        "provides-on-union",
        "provides",
        "{ media { ... on Book { id title } ... on Movie { id } } }",
        """
        QueryPlan {
          Fetch(service: "reviews") {
            {
              media {
                __typename
                ... on Book {
                  id
                  title
                }
                ... on Movie {
                  id
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "provides-on-union-not-provided-member",
        "provides",
        "{ media { ... on Book { title } ... on Movie { title } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              {
                media {
                  __typename
                  ... on Book {
                    title
                  }
                  ... on Movie {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "media.@|[Movie]") {
              Fetch(service: "accounts") {
                {
                  ... on Movie {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Movie {
                    title
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "provides-nested",
        "provides",
        "{ shelves { owner { id name } } }",
        """
        QueryPlan {
          Fetch(service: "reviews") {
            {
              shelves {
                owner {
                  id
                  name
                }
              }
            }
          },
        }
        """,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_plan(case: Case) -> None:
    printed = plan_text(
        case.fixture,
        case.query,
        variables=case.variables,
        labels=case.labels,
        operation_name=case.operation_name,
    )
    assert printed == dedent(case.expected)
