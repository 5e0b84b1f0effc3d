"""The users subgraph: Renku accounts, owner of the `User` entity."""
