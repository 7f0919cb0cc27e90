"""Neo4j's own loaders, fed the same validated records as Atlas's ingest: LOAD CSV, and the offline
`neo4j-admin database import` (org.neo4j.cli.AdminTool from the same Maven artifacts)."""

from __future__ import annotations

import csv
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from core.db import Database
from core.queries import Queries
from core.schema import neo4j_label, neo4j_rel_type
from ingest.bulk import float32_text
from ingest.embedding import DIMENSIONS, Embedder, embedding_hash, embedding_text
from ingest.pipeline import ensure_indexes, entity_properties
from ingest.records import Entity
from ingest.validate import ValidInput
from neo4j_local.server import LocalNeo4j, find_java, resolve_jars

ENTITY_COLUMNS = (
    "id",
    "label",
    "type",
    "name",
    "description",
    "status",
    "aliases",
    "url",
    "properties_json",
    "content_hash",
)
EMBEDDING_COLUMNS = ("embedding", "embedding_hash")
LOAD_CSV_BATCH = 10_000
EMBED_CHUNK = 10_000


def _embeddings(entities: list[Entity], embedder: Embedder | None) -> Iterator[tuple[str, ...]]:
    """Per entity, its embedding and embedding hash as CSV fields; nothing without an embedder."""
    for begin in range(0, len(entities), EMBED_CHUNK):
        chunk = entities[begin : begin + EMBED_CHUNK]
        if embedder is None:
            yield from [()] * len(chunk)
            continue
        texts = [embedding_text(entity) for entity in chunk]
        for text, vector in zip(texts, np.asarray(embedder.embed(texts), dtype=np.float32), strict=True):
            yield float32_text(vector, ";"), embedding_hash(text, embedder.model_name)


def write_load_csv_files(valid: ValidInput, folder: Path, embedder: Embedder | None = None) -> None:
    """entities.csv and relations.csv, with a header, as LOAD CSV WITH HEADERS reads them. With an
    embedder, each entity also carries its embedding (';'-separated, nine digits: exact for
    float32) and embedding hash, as Atlas stores them."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "entities.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*ENTITY_COLUMNS, *(EMBEDDING_COLUMNS if embedder else ())])
        for entity, embedded in zip(valid.entities, _embeddings(valid.entities, embedder), strict=True):
            props = entity_properties(entity)
            writer.writerow(
                [
                    entity.entity_id,
                    neo4j_label(entity.type),
                    props["type"],
                    props["name"],
                    props["description"],
                    props["status"],
                    "|".join(props["aliases"]),
                    props["url"] or "",
                    props["properties_json"],
                    props["content_hash"],
                    *embedded,
                ]
            )
    with (folder / "relations.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("source", "rel_type", "target", "description"))
        for relation in valid.relations:
            writer.writerow(
                [relation.source, neo4j_rel_type(relation.type), relation.target, relation.description]
            )


def load_csv(
    db: Database, atlas_queries: Queries, bench_queries: Queries, *, embedded: bool = False
) -> dict[str, float]:
    """LOAD CSV into an empty database with Atlas's indexes in place; seconds per file. `embedded`:
    the entities' file carries their embeddings (write_load_csv_files with an embedder)."""
    ensure_indexes(db, atlas_queries, DIMENSIONS)  # the same constraint and indexes as Atlas's ingest
    seconds = {}
    for part in ("entities", "relations"):
        start = time.perf_counter()
        query = "load_csv_entities_embedded" if embedded and part == "entities" else f"load_csv_{part}"
        db.write_in_transactions(bench_queries[query], batch=LOAD_CSV_BATCH)
        seconds[part] = time.perf_counter() - start
    return seconds


def write_admin_import_files(valid: ValidInput, folder: Path) -> tuple[Path, Path]:
    """Node and relationship files in neo4j-admin's header format."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes, relationships = folder / "nodes.csv", folder / "relationships.csv"
    with nodes.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "id:ID",
                ":LABEL",
                "type",
                "name",
                "description",
                "status",
                "aliases:string[]",
                "url",
                "properties_json",
                "content_hash",
            ]
        )
        for entity in valid.entities:
            props = entity_properties(entity)
            writer.writerow(
                [
                    entity.entity_id,
                    f"Entity;{neo4j_label(entity.type)}",
                    props["type"],
                    props["name"],
                    props["description"],
                    props["status"],
                    ";".join(props["aliases"]),
                    props["url"] or "",
                    props["properties_json"],
                    props["content_hash"],
                ]
            )
    with relationships.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([":START_ID", ":END_ID", ":TYPE", "description"])
        for relation in valid.relations:
            writer.writerow(
                [relation.source, relation.target, neo4j_rel_type(relation.type), relation.description]
            )
    return nodes, relationships


def admin_import(server: LocalNeo4j, nodes: Path, relationships: Path) -> float:
    """`neo4j-admin database import full` into the (stopped) server's database; seconds."""
    lib = resolve_jars(server.cache_dir)
    command = [
        find_java(),
        "-Xmx2g",
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        "neo4j",
        f"--nodes={nodes}",
        f"--relationships={relationships}",
        "--overwrite-destination=true",
        "--multiline-fields=true",
        f"--report-file={server.home / 'import.report'}",  # not the working directory
    ]
    env = {**os.environ, "NEO4J_HOME": str(server.home), "NEO4J_CONF": str(server.home / "conf")}
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"neo4j-admin import failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed
