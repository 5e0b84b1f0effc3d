"""Golden query plans: a fixture supergraph, an operation, the expected printed plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.support.planning import dedent, plan_text


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
    Case(
        "requires-chains-ending-in-one-subgraph-share-a-fetch",
        "requires",
        "{ cheapest { shippingTax carrierTax } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "shipping") {
              {
                cheapest {
                  __typename
                  id
                  carrier
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
            Flatten(path: "cheapest") {
              Fetch(service: "tax") {
                {
                  ... on Item {
                    __typename
                    id
                    shippingCost
                    carrier
                  }
                } =>
                {
                  ... on Item {
                    shippingTax
                    carrierTax
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "interface-fields-in-one-subgraph",
        "abstract",
        "{ catalog { id title } }",
        """
        QueryPlan {
          Fetch(service: "library") {
            {
              catalog {
                __typename
                id
                title
              }
            }
          },
        }
        """,
    ),
    Case(
        "interface-type-conditions-and-entity-jump",
        "abstract",
        "{ catalog { title ... on Book { pages stars } ... on Film { minutes } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "library") {
              {
                catalog {
                  __typename
                  title
                  ... on Book {
                    pages
                    __typename
                    id
                  }
                  ... on Film {
                    minutes
                  }
                }
              }
            },
            Flatten(path: "catalog.@|[Book]") {
              Fetch(service: "ratings") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    stars
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "union-members-split-by-subgraph",
        "abstract",
        "{ assets { ... on Book { pages stars } ... on Poster { size } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "library") {
              {
                assets {
                  __typename
                  ... on Book {
                    pages
                    __typename
                    id
                  }
                  ... on Poster {
                    size
                  }
                }
              }
            },
            Flatten(path: "assets.@|[Book]") {
              Fetch(service: "ratings") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    stars
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "union-type-condition-unknown-to-subgraph",
        "abstract",
        ("{ topRated { ... on Song { stars } ... on Film { stars } ... on Book { pages } } }"),
        """
        QueryPlan {
          Sequence {
            Fetch(service: "ratings") {
              {
                topRated {
                  __typename
                  ... on Song {
                    stars
                  }
                  ... on Book {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "topRated.@|[Book]") {
              Fetch(service: "library") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    pages
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "named-fragments-and-typename",
        "abstract",
        (
            "query Q { catalog { ...M __typename } } fragment M on Media { id ... "
            "on Book { pages } }"
        ),
        """
        QueryPlan {
          Fetch(service: "library") {
            {
              catalog {
                __typename
                id
                ... on Book {
                  pages
                }
              }
            }
          },
        }
        """,
        **{"operation_name": "Q"},
    ),
    Case(
        "interface-object-field-from-implementation",
        "interface_object",
        "{ admins { name lastSeen } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                admins {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "admins.@") {
              Fetch(service: "activity") {
                {
                  ... on Admin {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    lastSeen
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "interface-object-requires-from-entity-interface",
        "interface_object",
        "{ recentlyActive { id lastSeen greeting } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "activity") {
              {
                recentlyActive {
                  id
                  lastSeen
                  __typename
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
                    name
                  }
                }
              },
            },
            Flatten(path: "recentlyActive.@") {
              Fetch(service: "activity") {
                {
                  ... on Account {
                    __typename
                    id
                    name
                  }
                } =>
                {
                  ... on Account {
                    greeting
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "interface-object-type-condition-needs-real-type",
        "interface_object",
        "{ recentlyActive { lastSeen ... on Admin { level } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "activity") {
              {
                recentlyActive {
                  lastSeen
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
                    ... on Admin {
                      level
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
        "interface-object-typename-from-real-subgraph",
        "interface_object",
        "{ recentlyActive { __typename id } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "activity") {
              {
                recentlyActive {
                  id
                  __typename
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
    Case(
        "entity-interface-field-from-interface-object",
        "interface_object",
        "{ accounts { id lastSeen greeting } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                accounts {
                  __typename
                  id
                  ... on Admin {
                    __typename
                    id
                    name
                  }
                  ... on Member {
                    __typename
                    id
                    name
                  }
                }
              }
            },
            Flatten(path: "accounts.@|[Admin|Member]") {
              Fetch(service: "activity") {
                {
                  ... on Admin {
                    __typename
                    id
                    name
                  }
                  ... on Member {
                    __typename
                    id
                    name
                  }
                } =>
                {
                  ... on Account {
                    lastSeen
                    greeting
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "shareable-union-yields-members-all-candidates-know",
        "abstract",
        ("{ featured { ... on Poster { size } ... on Song { stars } ... on Book { pages } } }"),
        """
        QueryPlan {
          Fetch(service: "library") {
            {
              featured {
                __typename
                ... on Book {
                  pages
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "override-moves-field",
        "override",
        "{ legacyInvoices { total issuedAt } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "legacy") {
              {
                legacyInvoices {
                  __typename
                  id
                  issuedAt
                }
              }
            },
            Flatten(path: "legacyInvoices.@") {
              Fetch(service: "billing") {
                {
                  ... on Invoice {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Invoice {
                    total
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "progressive-override-label-inactive",
        "override",
        "{ legacyInvoices { currency status } }",
        """
        QueryPlan {
          Fetch(service: "legacy") {
            {
              legacyInvoices {
                currency
                status
              }
            }
          },
        }
        """,
    ),
    Case(
        "progressive-override-labels-active",
        "override",
        "{ legacyInvoices { currency status } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "legacy") {
              {
                legacyInvoices {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "legacyInvoices.@") {
              Fetch(service: "billing") {
                {
                  ... on Invoice {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Invoice {
                    currency
                    status
                  }
                }
              },
            },
          },
        }
        """,
        **{"labels": frozenset({"percent(30)", "new-status"})},
    ),
    Case(
        "progressive-override-from-owner-side",
        "override",
        '{ invoice(id: "1") { status issuedAt } }',
        """
        QueryPlan {
          Sequence {
            Fetch(service: "billing") {
              {
                invoice(id: "1") {
                  status
                  __typename
                  id
                }
              }
            },
            Flatten(path: "invoice") {
              Fetch(service: "legacy") {
                {
                  ... on Invoice {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Invoice {
                    issuedAt
                  }
                }
              },
            },
          },
        }
        """,
        **{"labels": frozenset({"new-status"})},
    ),
    Case(
        "shared-root-without-keys-splits",
        "shared_root",
        "{ gadget { id label cost quantity } }",
        """
        QueryPlan {
          Parallel {
            Fetch(service: "names") {
              {
                gadget {
                  id
                  label
                }
              }
            },
            Fetch(service: "prices") {
              {
                gadget {
                  cost
                }
              }
            },
            Fetch(service: "stock") {
              {
                gadget {
                  quantity
                }
              }
            },
          },
        }
        """,
    ),
    Case(
        "shareable-root-field-one-subgraph",
        "shared_root",
        "{ gadget { id cost } }",
        """
        QueryPlan {
          Fetch(service: "prices") {
            {
              gadget {
                id
                cost
              }
            }
          },
        }
        """,
    ),
    Case(
        "multi-hop-key-path",
        "keys",
        "{ volumes { borrowedBy } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "isbn") {
              {
                volumes {
                  __typename
                  isbn
                }
              }
            },
            Flatten(path: "volumes.@") {
              Fetch(service: "catalog") {
                {
                  ... on Volume {
                    __typename
                    isbn
                  }
                } =>
                {
                  ... on Volume {
                    __typename
                    id
                  }
                }
              },
            },
            Flatten(path: "volumes.@") {
              Fetch(service: "loans") {
                {
                  ... on Volume {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Volume {
                    borrowedBy
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "composite-key",
        "keys",
        "{ shelf { label capacity } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "loans") {
              {
                shelf {
                  __typename
                  room {
                    building
                    number
                  }
                  position
                  capacity
                }
              }
            },
            Flatten(path: "shelf") {
              Fetch(service: "catalog") {
                {
                  ... on Shelf {
                    __typename
                    room {
                      building
                      number
                    }
                    position
                  }
                } =>
                {
                  ... on Shelf {
                    label
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "non-resolvable-key-reference",
        "keys",
        "{ boxes { volume { title } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "archive") {
              {
                boxes {
                  volume {
                    __typename
                    isbn
                  }
                }
              }
            },
            Flatten(path: "boxes.@.volume") {
              Fetch(service: "catalog") {
                {
                  ... on Volume {
                    __typename
                    isbn
                  }
                } =>
                {
                  ... on Volume {
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
        "aliases-with-different-arguments",
        "domain",
        ("{ me { a: projects(first: 1) { totalCount } b: projects(first: 2) { totalCount } } }"),
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
                    a: projects(first: 1) {
                      totalCount
                    }
                    b: projects(first: 2) {
                      totalCount
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
        "variables-and-defaults",
        "domain",
        (
            "query P($first: Int = 3, $after: String) { projects(first: $first, "
            "after: $after) { nodes { name sessions { id } } } }"
        ),
        """
        QueryPlan {
          Sequence {
            Fetch(service: "projects") {
              {
                projects(first: $first, after: $after) {
                  nodes {
                    name
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "projects.nodes.@") {
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
                      id
                    }
                  }
                }
              },
            },
          },
        }
        """,
        **{"operation_name": "P"},
    ),
    Case(
        "skip-include-with-variables-evaluated",
        "domain",
        (
            "query S($withSessions: Boolean!, $skipName: Boolean = false) { "
            'project(id: "p") { name @skip(if: $skipName) sessions @include(if: '
            "$withSessions) { id } datasets @include(if: false) { id } } }"
        ),
        """
        QueryPlan {
          Sequence {
            Fetch(service: "projects") {
              {
                project(id: "p") {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "project") {
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
                      id
                    }
                  }
                }
              },
            },
          },
        }
        """,
        **{"variables": {"withSessions": True}, "operation_name": "S"},
    ),
    Case(
        "skip-include-everything-skipped",
        "domain",
        (
            'query S($withSessions: Boolean!) { project(id: "p") { sessions '
            "@include(if: $withSessions) { id } } }"
        ),
        """
        QueryPlan {
          Fetch(service: "projects") {
            {
              project(id: "p") {
                __typename
              }
            }
          },
        }
        """,
        **{"variables": {"withSessions": False}},
    ),
    Case(
        "fed1-owner-and-extension-key",
        "fed1",
        "{ me { username reviews { body rating { stars } } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  username
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      body
                      rating {
                        stars
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
        "fed1-provides",
        "fed1",
        "{ topReviews { body author { username } } }",
        """
        QueryPlan {
          Fetch(service: "reviews") {
            {
              topReviews {
                body
                author {
                  username
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "fed1-jump-back-to-owner",
        "fed1",
        "{ topReviews(first: 2) { author { id email } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              {
                topReviews(first: 2) {
                  author {
                    id
                    __typename
                  }
                }
              }
            },
            Flatten(path: "topReviews.@.author") {
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
          },
        }
        """,
    ),
    Case(
        "fed1-subgraph-extension-key-is-owned",
        "fed1_extension",
        "{ randomPerson { id badge nickname } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "legacy") {
              {
                randomPerson {
                  id
                  badge
                  __typename
                }
              }
            },
            Flatten(path: "randomPerson") {
              Fetch(service: "people") {
                {
                  ... on Person {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Person {
                    nickname
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "fed1-subgraph-provides",
        "fed1_extension",
        "{ featuredPerson { id badge nickname } }",
        """
        QueryPlan {
          Fetch(service: "legacy") {
            {
              featuredPerson {
                id
                badge
                nickname
              }
            }
          },
        }
        """,
    ),
    Case(
        "override-on-interface-implementation-expands-type",
        "posts",
        "{ feed { id createdAt } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                feed {
                  __typename
                  id
                  ... on ImagePost {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "feed.@|[ImagePost]") {
              Fetch(service: "b") {
                {
                  ... on ImagePost {
                    __typename
                    id
                  }
                } =>
                {
                  ... on ImagePost {
                    createdAt
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "type-condition-unknown-to-subgraph-is-not-sent",
        "posts",
        "{ feed { ... on TextPost { id body } } }",
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              feed {
                __typename
              }
            }
          },
        }
        """,
    ),
    Case(
        "union-intersection-member-of-no-candidate",
        "posts",
        "{ viewer { media { ... on Clip { caption } ... on Sketch { caption } } } }",
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              viewer {
                media {
                  __typename
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "field-narrowed-to-object-in-one-subgraph",
        "posts",
        "{ viewer { photo { ... on Photo { caption } ... on Sketch { caption } } } }",
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              viewer {
                photo {
                  __typename
                  ... on Photo {
                    caption
                  }
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "shareable-abstract-root-typename-only",
        "nodes",
        '{ node(id: "1") { __typename } }',
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              node(id: "1") {
                __typename
              }
            }
          },
        }
        """,
    ),
    Case(
        "shareable-abstract-root-pinned-by-fragment",
        "nodes",
        '{ node(id: "1") { ... on Chat { id topic } } }',
        """
        QueryPlan {
          Fetch(service: "b") {
            {
              node(id: "1") {
                __typename
                ... on Chat {
                  id
                  topic
                }
              }
            }
          },
        }
        """,
    ),
    Case(
        "key-fields-fetched-for-the-only-resolvable-key",
        "mashup",
        "{ truck { id crates { id title shout } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "yard") {
              {
                truck {
                  id
                  crates {
                    id
                    __typename
                    label {
                      zone
                      slot
                    }
                  }
                }
              }
            },
            Flatten(path: "truck.crates.@") {
              Fetch(service: "depot") {
                {
                  ... on Crate {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Crate {
                    title
                  }
                }
              },
            },
            Flatten(path: "truck.crates.@") {
              Fetch(service: "yard") {
                {
                  ... on Crate {
                    __typename
                    id
                    label {
                      zone
                      slot
                    }
                    title
                  }
                } =>
                {
                  ... on Crate {
                    shout
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "requires-with-abstract-selection",
        "mashup",
        "{ crate { summary } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "depot") {
              {
                crate {
                  __typename
                  id
                  label {
                    zone
                    slot
                  }
                  contents {
                    __typename
                    weight
                    ... on Hammer {
                      grip
                      head
                    }
                    ... on Saw {
                      grip
                      teeth
                    }
                  }
                }
              }
            },
            Flatten(path: "crate") {
              Fetch(service: "yard") {
                {
                  ... on Crate {
                    __typename
                    id
                    label {
                      zone
                      slot
                    }
                    contents {
                      __typename
                      weight
                      ... on Tool {
                        grip
                        ... on Hammer {
                          head
                        }
                        ... on Saw {
                          teeth
                        }
                      }
                    }
                  }
                } =>
                {
                  ... on Crate {
                    summary
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "requires-on-interface-field-and-type-condition",
        "mashup",
        "{ crate { where shelfRow } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "depot") {
              {
                crate {
                  __typename
                  id
                  label {
                    zone
                    slot
                  }
                  spot {
                    __typename
                    id
                    ... on Shelf {
                      id
                    }
                  }
                }
              }
            },
            Flatten(path: "crate") {
              Fetch(service: "yard") {
                {
                  ... on Crate {
                    __typename
                    id
                    label {
                      zone
                      slot
                    }
                    spot {
                      __typename
                      id
                      ... on Shelf {
                        id
                      }
                    }
                  }
                } =>
                {
                  ... on Crate {
                    where
                    shelfRow
                  }
                }
              },
            },
          },
        }
        """,
    ),
    Case(
        "key-assembled-from-several-subgraphs",
        "assembled_key",
        "{ gizmos { price } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "stock") {
              {
                gizmos {
                  __typename
                  id
                  bin {
                    code
                    aisle
                  }
                }
              }
            },
            Flatten(path: "gizmos.@") {
              Fetch(service: "catalog") {
                {
                  ... on Gizmo {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Gizmo {
                    sku
                  }
                }
              },
            },
            Flatten(path: "gizmos.@") {
              Fetch(service: "pricing") {
                {
                  ... on Gizmo {
                    __typename
                    id
                    sku
                    bin {
                      code
                      aisle
                    }
                  }
                } =>
                {
                  ... on Gizmo {
                    price
                  }
                }
              },
            },
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
