"""Benchmarks of renku-federation (not part of the installed package)."""
