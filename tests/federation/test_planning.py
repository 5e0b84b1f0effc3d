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
