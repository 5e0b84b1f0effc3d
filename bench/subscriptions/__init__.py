"""`python -m bench.subscriptions`: a change's way to a subscriber (bench/README.md)."""
