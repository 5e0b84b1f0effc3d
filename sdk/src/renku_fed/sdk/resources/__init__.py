"""The client's resources: projects, sessions, users and the knowledge graph."""
