"""The projects subgraph: Renku projects and their git repositories, owner of `Project`."""
