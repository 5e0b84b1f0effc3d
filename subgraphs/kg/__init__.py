"""The kg subgraph: datasets, activities and lineage of projects, as a knowledge graph.

Design (issue 13). The repository is the source of truth; the graph is derived from it.

- *Recording.* `recordDataset` / `recordActivity` (EDITOR or OWNER) write JSON-LD files under
  `.renku/` (`metadata`) and commit them to the project's repository with the caller as author
  (`recording`, `repository`: git plumbing on the bare repository, the branch moved only if
  nobody else moved it). A GitLab project's commit is made in the kg's mirror of it and pushed
  as the caller, with their GitLab token from Keycloak's broker (`common/gitlab_tokens.py`).
  A user committing the same files from a session gets the same graph.
- *Events.* Every change arrives as an event stored in SQLite before it is acknowledged
  (`events`): the projects subgraph posts project created / changed (visibility, members,
  names, repository URL) / deleted to `POST /internal/events` with the shared secret in
  `X-Renku-Events-Token` (`renku-fed up` generates it per data dir, mode 0600); a GitLab push
  webhook posts to `/internal/gitlab/webhook` with the same secret in `X-Gitlab-Token`; a
  recording mutation adds the push event of its own commit. kg and projects never import each
  other: they meet over HTTP, and the kg reads repositories by the URL projects publishes.
- *Ingestion.* One background task (`ingest`) applies events in order, NEW -> PROCESSING ->
  DONE | FAILED(message): a project event replaces the project's entry in the access-control
  graph, a push re-reads `.renku/` at its commit and replaces the project's named graph whole
  (so re-ingesting a commit changes nothing). While the store is unreachable the event is
  retried with exponential backoff (tenacity); PROCESSING events left by a crash restart as
  NEW. `Project.indexingStatus` shows the project's events.
- *Rebuild.* The event log also keeps each project's latest access entry and repository URL;
  `reindexProject` / `reindexAll` (administrators) replay them and re-read every repository.
- *Demo.* The demo projects come as events from projects like any other; the first time the
  kg hears of alice/flights it commits the demo metadata into its repository (`demo`).
"""
