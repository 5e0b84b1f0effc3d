"""The sessions subgraph: interactive sessions (Jupyter servers) and their launchers."""
