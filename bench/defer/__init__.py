"""`python -m bench.defer`: what `@defer` buys and costs (bench/README.md)."""
