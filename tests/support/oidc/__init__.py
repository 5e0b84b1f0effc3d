"""The test OpenID provider (a Keycloak realm look-alike), as a helper and pytest fixtures."""
