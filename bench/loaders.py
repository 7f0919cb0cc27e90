"""Neo4j's own loaders, fed the same validated records as Atlas's ingest: LOAD CSV, and the offline
`neo4j-admin database import` (org.neo4j.cli.AdminTool from the same Maven artifacts)."""

from __future__ import annotations

import csv
import os
import subprocess
import time
from pathlib import Path

from core.db import Database
from core.queries import Queries
from core.schema import neo4j_label, neo4j_rel_type
from ingest.embedding import DIMENSIONS
from ingest.pipeline import SETUP_QUERIES, entity_properties
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
LOAD_CSV_BATCH = 10_000


def write_load_csv_files(valid: ValidInput, folder: Path) -> None:
    """entities.csv and relations.csv, with a header, as LOAD CSV WITH HEADERS reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "entities.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(ENTITY_COLUMNS)
        for entity in valid.entities:
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
                ]
            )
    with (folder / "relations.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("source", "rel_type", "target", "description"))
        for relation in valid.relations:
            writer.writerow(
                [relation.source, neo4j_rel_type(relation.type), relation.target, relation.description]
            )


def load_csv(db: Database, atlas_queries: Queries, bench_queries: Queries) -> dict[str, float]:
    """LOAD CSV into an empty database with Atlas's indexes in place; seconds per file."""
    for name in SETUP_QUERIES:  # the same constraint and indexes Atlas's ingest maintains
        db.write(atlas_queries[name], dimensions=DIMENSIONS)
    seconds = {}
    for part in ("entities", "relations"):
        start = time.perf_counter()
        # CALL { } IN TRANSACTIONS must run in an auto-commit transaction, not a managed one.
        with db.driver.session(database=db.database) as session:
            session.run(bench_queries[f"load_csv_{part}"], batch=LOAD_CSV_BATCH).consume()
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
