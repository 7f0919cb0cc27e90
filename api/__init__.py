"""The thin HTTP layer: FastAPI routes that run `cypher/` queries and shape the answers."""
