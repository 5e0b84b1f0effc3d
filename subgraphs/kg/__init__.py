"""The kg subgraph: datasets, activities and lineage of projects, as a knowledge graph."""
