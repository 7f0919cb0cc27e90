"""Atlas's own exceptions. Driver errors are wrapped here once; the API maps these to HTTP."""


class AtlasError(Exception):
    """Base class of every error Atlas raises on purpose."""


class DatabaseUnavailable(AtlasError):
    """Neo4j does not answer (down, restarting, unreachable)."""


class EntityNotFound(AtlasError):
    def __init__(self, entity_id: str) -> None:
        super().__init__(f"no entity with id {entity_id!r}")
        self.entity_id = entity_id


class EntityMerged(AtlasError):
    """The entity was merged into another by curation: its answers are the canonical entity's."""

    def __init__(self, entity_id: str, merged_into: str) -> None:
        super().__init__(f"{entity_id!r} was merged into {merged_into!r}")
        self.entity_id = entity_id
        self.merged_into = merged_into


class ConfigurationError(AtlasError):
    """Something Atlas needs to start is missing (a password file, Java, Maven, ...)."""
