"""HTTP doubles of the systems that cannot run here: GitLab's REST v4 and Keycloak's admin API."""
