"""What every subgraph shares: request identity, tokens, pagination, errors, settings, app factory."""
