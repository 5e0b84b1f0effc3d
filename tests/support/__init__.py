"""Helpers the test folders share: doubles, fake subgraphs, a test OpenID provider, oracles."""
