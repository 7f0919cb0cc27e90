"""Validate entity/relation files, embed their text, and write them to Neo4j in idempotent batches."""
