"""What every subgraph shares: identity, tokens, pagination, errors, settings, app factory."""
