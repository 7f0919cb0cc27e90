"""Shared by `ingest` and `api`: settings, the Neo4j driver, the schema and the Cypher query loader."""
