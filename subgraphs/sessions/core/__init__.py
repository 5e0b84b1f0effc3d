"""The sessions subgraph's use cases: sessions (`sessions`), what they are made from (`catalog`)."""
