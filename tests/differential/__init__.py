"""The differential test: our router against `@apollo/gateway` on the same subgraphs."""
