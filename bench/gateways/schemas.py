"""The four benchmark subgraphs' SDLs and the query every gateway is measured with."""

from __future__ import annotations

_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)

SDLS: dict[str, str] = {
    "accounts": _LINK
    + """
type Query {
  me: User
  user(id: ID!): User
  users: [User]
}

type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
  birthday: Int
}
""",
    "inventory": _LINK
    + """
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
""",
    "products": _LINK
    + """
type Query {
  topProducts(first: Int = 5): [Product]
}

type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}
""",
    "reviews": _LINK
    + """
type Review @key(fields: "id") {
  id: ID!
  body: String
  product: Product
  author: User @provides(fields: "username")
}

type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}

type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}
""",
}

# What a client of the composed graph sees: the subgraphs merged, federation removed.
API_SDL = """
type Query {
  me: User
  user(id: ID!): User
  users: [User]
  topProducts(first: Int = 5): [Product]
}

type User {
  id: ID!
  name: String
  username: String
  birthday: Int
  reviews: [Review]
}

type Product {
  upc: String!
  name: String
  price: Int
  weight: Int
  inStock: Boolean
  shippingEstimate: Int
  reviews: [Review]
}

type Review {
  id: ID!
  body: String
  product: Product
  author: User
}
"""

QUERY = """
fragment User on User { id username name }

fragment Review on Review { id body }

fragment Product on Product { inStock name price shippingEstimate upc weight }

query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
      }
    }
  }
  topProducts {
    ...Product
    reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
  }
}
"""
