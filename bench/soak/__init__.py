"""Soak run: steady load on `renku-fed up`, error rate and RSS over time (bench/soak/README.md)."""
