"""Knowledge-graph benchmark: search, lineage and ingestion on the embedded store and Virtuoso."""
