"""The composed supergraph and each subgraph's SDL, shipped as package data."""
