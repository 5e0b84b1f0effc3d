"""The `renku-fed` command line and the `up` supervisor: the one package knowing all services."""
