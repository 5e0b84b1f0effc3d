"""The storage subgraph benchmark (`python -m bench.storage`)."""
