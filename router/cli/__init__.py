"""The `renku-fed` command line: run the platform or the router, compose, plan, sign tokens."""
