"""Renku subgraphs: one package per backend, each a Strawberry federation subgraph."""
