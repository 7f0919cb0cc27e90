"""Runs a real Neo4j Community server from Maven Central jars, for `atlas neo4j` and the tests."""
