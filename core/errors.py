"""Atlas's own exceptions. Driver errors are wrapped here once; the API maps these to HTTP."""


class AtlasError(Exception):
    """Base class of every error Atlas raises on purpose."""


class DatabaseUnavailable(AtlasError):
    """Neo4j does not answer (down, restarting, unreachable)."""


class EntityNotFound(AtlasError):
    def __init__(self, entity_id: str) -> None:
        super().__init__(f"no entity with id {entity_id!r}")
        self.entity_id = entity_id


class ConfigurationError(AtlasError):
    """Something Atlas needs to start is missing (a password file, Java, Maven, ...)."""
