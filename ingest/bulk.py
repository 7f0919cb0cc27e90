"""A bulk first load: into an empty database of the server Atlas runs itself, write the validated
records as `neo4j-admin database import full` files and let the offline importer build the store.

The records are planned, hashed and embedded by the same code as the Bolt path (ingest/pipeline.py),
so the graph that results is the one the Bolt path writes: every node, relationship and property,
with the same types (the embedding stays a float32 array). What the importer cannot express is
finished over Bolt after the restart: empty alias lists, the non-entity nodes the database held
(the stored schema), and the constraint and indexes (the Bolt path's own setup queries).

The server is down while the importer runs. If anything fails, the half-built database is deleted
and the server started again on an empty one; the error says which step failed. A marker file in
the server's home covers the case where this process itself dies: the next start of the server
deletes the database the interrupted load was building (neo4j_local/server.py).
"""

from __future__ import annotations

import functools
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from core.db import Database, forget_bookmarks
from core.errors import AtlasError
from core.queries import Queries
from ingest.embedding import Embedder, embedding_hash
from ingest.pipeline import Ingester, IngestSummary, Progress, batched, plan_entities, relation_rows
from ingest.validate import ValidInput
from neo4j_local.server import LocalNeo4j

# Below about this many records the Bolt path is faster (docs/performance.md, bench.bulk on a quiet
# machine): the bulk load took 1.4x the Bolt path's time on WN18RR (134k records) and 1.5x on
# CoDEx-M (223k), 0.9x on a synthetic graph of 1.2M. Its fixed costs (a restart, the importer's
# JVM, building the indexes afterwards) pay off only on large inputs.
BULK_AUTO_MIN_RECORDS = 1_000_000
# Separates array elements (and labels) in the import files. Validation rejects control characters
# in every text Atlas stores, so no alias can contain it.
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "\\u001F"  # how neo4j-admin's --array-delimiter takes it
EMPTY_ALIASES_BATCH = 10_000
# Seconds a restart may take: a freshly imported store is checked on its first start, and a busy
# machine starts a JVM slowly; failing here would throw the import away.
RESTART_TIMEOUT = 600
ImportStarted = Callable[[subprocess.Popen[str]], None]


class BulkMode(StrEnum):
    """`--bulk`: auto (when the conditions hold and the input is large), on (or fail), off."""

    auto = "auto"
    on = "on"
    off = "off"


class BulkLoadRefused(AtlasError):
    """`--bulk on`, but a bulk load is not possible here (the reason is in the message)."""


class BulkLoadError(AtlasError):
    """The bulk load failed part way; the database was left empty."""


@dataclass(frozen=True)
class ImportFiles:
    folder: Path
    nodes: Path
    relationships: Path


class BulkIngester(Ingester):
    """An Ingester that, into an empty database of the local server, loads with neo4j-admin.

    Validation is the Ingester's own (ingest_records); only the writing differs. Where a bulk load
    is not chosen, everything is the Bolt path unchanged."""

    def __init__(
        self,
        db: Database,
        queries: Queries,
        embedder: Embedder,
        batch_size: int = 1000,
        progress: Progress | None = None,
        *,
        server: LocalNeo4j | None,
        mode: BulkMode = BulkMode.auto,
        min_records: int = BULK_AUTO_MIN_RECORDS,
        import_started: ImportStarted | None = None,
    ) -> None:
        if progress is None:
            super().__init__(db, queries, embedder, batch_size)
        else:
            super().__init__(db, queries, embedder, batch_size, progress=progress)
        self.server = server
        self.mode = mode
        self.min_records = min_records
        self.import_started = import_started  # for fault tests: sees the importer's process
        self.bulk_loaded = False
        self._setup_arguments: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})

    def ensure_indexes(self, *args: Any, **kwargs: Any) -> None:
        # Deferred to write(): a bulk load replaces the store, indexes included, and creates them after.
        # The arguments (whatever the Ingester passes) are kept for that later call.
        self._setup_arguments = (args, kwargs)
        if self.mode is BulkMode.off:
            super().ensure_indexes(*args, **kwargs)

    def write(self, valid: ValidInput, summary: IngestSummary | None = None) -> IngestSummary:
        summary = summary or IngestSummary()
        if self._bulk_chosen(valid):
            return self.bulk_load(valid, summary)
        if self.mode is not BulkMode.off:
            self._setup()
        return super().write(valid, summary)

    def _setup(self) -> None:
        args, kwargs = self._setup_arguments
        super().ensure_indexes(*args, **kwargs)

    def bulk_obstacles(self, valid: ValidInput) -> list[str]:
        """Why a bulk load cannot run here; empty when it can."""
        if self.server is None:
            return ["Atlas does not run this Neo4j server itself (NEO4J_URI is set)"]
        if self.server.pid() is None:
            return [f"the local Neo4j server in {self.server.home} is not running"]
        if self.server.bulk_load_running():
            return [f"another bulk load is in progress ({self.server.bulk_load_marker})"]
        if self.db.database == "system":
            return ["the system database cannot be bulk loaded"]
        if not self.db.read(self.queries["bulk_target_state"])[0]["empty"]:
            return [f"the database '{self.db.database}' already holds entities or relationships"]
        return []

    def _bulk_chosen(self, valid: ValidInput) -> bool:
        if self.mode is BulkMode.off:
            return False
        self._discard_interrupted_load()
        obstacles = self.bulk_obstacles(valid)
        if self.mode is BulkMode.on and obstacles:
            raise BulkLoadRefused("--bulk on: " + "; ".join(obstacles) + ". Use --bulk auto or off.")
        records = len(valid.entities) + len(valid.relations)
        return not obstacles and (self.mode is BulkMode.on or records >= self.min_records)

    def _discard_interrupted_load(self) -> None:
        """An earlier load whose process died after the import, before it finished, left its
        marker on a running server: restart it, which deletes that unfinished database."""
        server = self.server
        if server is None or not server.bulk_load_marker.exists() or server.bulk_load_running():
            return
        server.stop()
        server.start(die_with_parent=server.dies_with_parent, timeout=RESTART_TIMEOUT)
        forget_bookmarks(self.db.driver, self.db.database)

    def bulk_load(self, valid: ValidInput, summary: IngestSummary) -> IngestSummary:
        """Plan and embed as the Bolt path does, write the import files, replace the database."""
        assert self.server is not None
        with summary.timed("plan"):
            actions = plan_entities(valid.entities, {}, self.embedder.model_name, summary)
            rows, to_embed = self.planned(valid.entities, actions)
        vectors, hashes = self._embed_all(to_embed, summary)
        folder = self.server.home / "bulk-import"
        try:
            with summary.timed("import_files"):
                files = write_import_files(rows, vectors, hashes, valid.relations, folder)
            summary.embeddings_computed = len(to_embed)
            summary.relations.created = len(valid.relations)
            self._replace_database(files, summary)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.bulk_loaded = True
        return summary

    def _embed_all(
        self, items: list[tuple[str, str]], summary: IngestSummary
    ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
        """Every entity's vector (float32, as the vector property stores it) and embedding hash.
        Sorted by length and chunked as the Bolt path embeds (ingest/pipeline.py)."""
        ordered = sorted(items, key=lambda item: len(item[1]))
        chunk_size = max(self.batch_size, 256)
        vectors: dict[str, np.ndarray] = {}
        for done, chunk in enumerate(batched(ordered, chunk_size)):
            with summary.timed("embed"):
                computed = np.asarray(self.embedder.embed([text for _, text in chunk]), dtype=np.float32)
            vectors.update(zip((entity_id for entity_id, _ in chunk), computed, strict=True))
            self.progress("embeddings", min((done + 1) * chunk_size, len(ordered)), len(ordered))
        model = self.embedder.model_name
        return vectors, {entity_id: embedding_hash(text, model) for entity_id, text in items}

    def _replace_database(self, files: ImportFiles, summary: IngestSummary) -> None:
        """Stop the server, import, start it, finish over Bolt. On failure: empty database, error."""
        assert self.server is not None
        server, database = self.server, self.db.database
        other_nodes = [record.data() for record in self.db.read(self.queries["bulk_other_nodes"])]
        step = "stopping the server"
        server.mark_bulk_load(database)
        try:
            with summary.timed("server_stop"):
                server.stop()
            step = "neo4j-admin database import full"
            with summary.timed("admin_import"):
                self._run_import(files, database)
            step = "starting the server on the imported database"
            with summary.timed("server_start"):
                server.start(die_with_parent=server.dies_with_parent, timeout=RESTART_TIMEOUT)
            forget_bookmarks(self.db.driver, self.db.database)  # the new store's transaction ids begin again
            step = "creating the constraint and indexes"
            self._finish(other_nodes, summary)
            server.bulk_load_marker.unlink()
        except Exception as error:
            self._leave_empty(other_nodes)
            raise BulkLoadError(
                f"bulk load failed while {step}: {error}\n"
                f"The database '{database}' was left empty; running the same command again loads it."
            ) from error
        except BaseException:  # Ctrl-C, SIGTERM: clean up the same way, then let it stop the process
            self._leave_empty(other_nodes)
            raise

    def _run_import(self, files: ImportFiles, database: str) -> None:
        assert self.server is not None
        process = self.server.admin_process(
            "database",
            "import",
            "full",
            database,
            f"--nodes={files.nodes}",
            f"--relationships={files.relationships}",
            "--overwrite-destination=true",
            "--multiline-fields=true",
            f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
            f"--report-file={files.folder / 'import.report'}",
            # Its default, 90% of the free memory, is not the machine's to take while the API,
            # the model and other servers run beside it: the page cache Atlas gives the server.
            f"--max-off-heap-memory={self.server.pagecache}",
        )
        if self.import_started is not None:
            self.import_started(process)
        output, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"the importer {exit_description(process.returncode)}:\n{output[-3000:]}")

    def _finish(self, other_nodes: list[dict[str, Any]], summary: IngestSummary) -> None:
        """What the importer cannot write, then the Bolt path's own constraint and indexes."""
        with summary.timed("finish"):
            if other_nodes:
                self.db.write(self.queries["bulk_restore_nodes"], nodes=other_nodes)
            self.db.write_in_transactions(self.queries["bulk_empty_aliases"], batch=EMPTY_ALIASES_BATCH)
            self._setup()
        # Apart, because it is mostly the vector index taking in every embedding, which the
        # Bolt path pays as it writes them.
        with summary.timed("index_population"):
            self.db.read(self.queries["bulk_await_indexes"])

    def _leave_empty(self, other_nodes: list[dict[str, Any]]) -> None:
        """Delete whatever the failed load built and start the server on an empty database."""
        assert self.server is not None
        self.server.stop()
        self.server.discard_unfinished_bulk_load(even_while_loading=True)
        self.server.start(die_with_parent=self.server.dies_with_parent, timeout=RESTART_TIMEOUT)
        forget_bookmarks(self.db.driver, self.db.database)
        if other_nodes:
            self.db.write(self.queries["bulk_restore_nodes"], nodes=other_nodes)


def exit_description(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


def write_import_files(
    rows: Sequence[dict[str, Any]],
    vectors: dict[str, np.ndarray],
    hashes: dict[str, str],
    relations: Sequence[Any],
    folder: Path,
) -> ImportFiles:
    """nodes.csv and relationships.csv in neo4j-admin's format, typed in the header.

    `rows` are the Bolt path's entity rows (id, label, props). A string is always quoted, so that
    an empty one stays an empty string; a missing value (None) is an empty field, so that, as over
    Bolt, no property is stored."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = ImportFiles(folder, folder / "nodes.csv", folder / "relationships.csv")
    with files.nodes.open("w", encoding="utf-8", newline="") as out:
        _write_nodes(out, rows, vectors, hashes)
    with files.relationships.open("w", encoding="utf-8", newline="") as out:
        _write_relationships(out, relations)
    return files


def _write_nodes(
    out: TextIO, rows: Sequence[dict[str, Any]], vectors: dict[str, np.ndarray], hashes: dict[str, str]
) -> None:
    keys = property_keys(row["props"] for row in rows)
    header = ["id:ID", ":LABEL", *(f"{key}{suffix}" for key, suffix in keys.items())]
    out.write(",".join([*header, "embedding:float[]", "embedding_hash"]) + "\n")
    for row in rows:
        fields = [_quoted(row["id"]), _quoted(ARRAY_DELIMITER.join(("Entity", row["label"])))]
        fields.extend(_field(row["props"].get(key)) for key in keys)
        vector = vectors.get(row["id"])
        fields.append(float32_text(vector) if vector is not None else "")
        fields.append(_field(hashes.get(row["id"])))
        out.write(",".join(fields) + "\n")


def _write_relationships(out: TextIO, relations: Sequence[Any]) -> None:
    header_written = False
    for chunk in batched(relations, 10_000):
        rows = relation_rows(chunk)
        if not header_written:
            extra = [key for key in rows[0] if key not in ("source", "rel_type", "target")]
            out.write(",".join([":START_ID", ":END_ID", ":TYPE", *extra]) + "\n")
            header_written = True
        for row in rows:
            fields = [_quoted(row["source"]), _quoted(row["target"]), _quoted(row["rel_type"])]
            fields.extend(_field(row[key]) for key in extra)
            out.write(",".join(fields) + "\n")
    if not header_written:
        out.write(":START_ID,:END_ID,:TYPE\n")


def property_keys(props: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Each property key with its header type suffix, from the first value that is not None:
    strings plain, lists `:string[]`, integers `:long`, floats `:double`, booleans `:boolean`."""
    suffixes: dict[str, str] = {}
    for one in props:
        for key, value in one.items():
            if key not in suffixes and value is not None:
                suffixes[key] = _suffix(key, value)
    return suffixes


def _suffix(key: str, value: Any) -> str:
    if isinstance(value, str):
        return ""
    if isinstance(value, bool):
        return ":boolean"
    if isinstance(value, int):
        return ":long"
    if isinstance(value, float):
        return ":double"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ":string[]"
    raise TypeError(f"property {key!r}: no import type for {type(value).__name__} values")


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, list):
        # An empty list has no import form (an empty field means no property); _finish sets it.
        return _quoted(ARRAY_DELIMITER.join(value)) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def float32_text(vector: np.ndarray, delimiter: str = ARRAY_DELIMITER) -> str:
    """The vector as text that parses back to the very same float32 values."""
    # Nine significant digits identify every float32 (the importer parses each back to the very
    # number the Bolt path stores; the snapshot tests compare them). One format per vector is 2.6x
    # faster than a repr per float, and the text a third shorter.
    return _vector_format(len(vector), delimiter) % tuple(vector.tolist())


@functools.cache
def _vector_format(dimensions: int, delimiter: str) -> str:
    return delimiter.join(["%.9g"] * dimensions)
