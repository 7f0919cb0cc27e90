"""Search on WN18RR, every mode side by side: `python -m bench.search [--names N] [--datasets DIR]`.

On a fresh Neo4j of its own, WN18RR goes in through the existing importer (ingest/sources/wn18rr.py)
and Atlas's ingest; then, for each mode (text, meaning, hybrid) in the same run:

- names: a synset's name asked as the query (a seeded sample of synsets). It counts when the first
  hit bears that name: homographs ("run" names 33 synsets) cannot be told apart by name, so
  "ranks first among those sharing the name's word" means a synset of that name beats every
  synset whose name or definition merely contains the word. Also reported: for names borne by one
  synset only, the share where that very synset is first.
- paraphrases: bench/data/search_paraphrases.tsv, a definition of a synset said in other words
  (written for this benchmark, not WordNet's gloss); it counts when the synset is in the top 10.
  bench/data/search_paraphrases_dev.tsv is a second set, 200 other synsets, written later by a
  second author: the development set, on which settings are chosen (the fusion weight), so that
  the first set stays a test set.
- the median latency of one search, through graph/search.py as the API runs it.

The English analyzer is then compared with Lucene's standard one (no stemming): the full-text
index is rebuilt with it and the text and hybrid modes are measured again.

Embedding WN18RR's 40,943 texts takes minutes on two cores: the vectors are those bench/linkpred.py
caches (same model, same texts), computed there if absent. Queries are embedded in one batch first,
with the same model; the searches then look their vectors up.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.linkpred import embeddings, load
from bench.run import command_line, machine
from core.db import Connection, Database, open_driver
from core.queries import Queries
from core.settings import Settings
from graph.search import MIN_CANDIDATES, TEXT_WEIGHT, QueryEmbedder, Searcher, SearchMode, normalised, rank
from ingest.embedding import MODEL_NAME, MiniLMEmbedder
from ingest.pipeline import Ingester
from ingest.schema_use import DatasetTypes
from ingest.sources.wn18rr import SCHEMA, read_wn18rr, synset_id
from ingest.text_index import TEXT_ANALYZER
from neo4j_local.server import LocalNeo4j

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "search-wn18rr.json"
PARAPHRASES = HERE / "data" / "search_paraphrases.tsv"
DEV_PARAPHRASES = HERE / "data" / "search_paraphrases_dev.tsv"
# Result key -> the set it counts: the test set, and the development set settings are chosen on.
PARAPHRASE_SETS = {"paraphrases_top10": PARAPHRASES, "dev_paraphrases_top10": DEV_PARAPHRASES}
BENCH_QUERIES = HERE / "cypher"
DEFAULT_DATASETS = HERE.parent.parent / "shared" / "datasets"
SEED = 20261202
TOP = 10
TARGETS = {"names_first": 0.95, "paraphrases_top10": 0.8}
COMPARED_ANALYZER = "standard"
TEXT_WEIGHTS = (1.0, 0.5, 0.25, 0.1, 0.0)  # the fusion's weight of the full-text ranking, swept


class KnownVectors:
    """An Embedder that answers from vectors computed beforehand by the same model, and asks the
    model only for texts it does not know."""

    model_name = MODEL_NAME

    def __init__(self, known: dict[str, list[float]]) -> None:
        self.known = known
        self._model: MiniLMEmbedder | None = None

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = [text for text in dict.fromkeys(texts) if text not in self.known]
        if missing:
            self._model = self._model or MiniLMEmbedder()
            self.known.update(zip(missing, self._model.embed(missing), strict=True))
        return [self.known[text] for text in texts]


@dataclass(frozen=True)
class NameQuery:
    entity_id: str
    name: str
    unique: bool  # no other synset bears this name


@dataclass(frozen=True)
class ParaphraseQuery:
    entity_id: str
    text: str


def name_queries(datasets: Path, sample: int) -> list[NameQuery]:
    dataset = load("wn18rr", datasets)
    bearers: dict[str, int] = {}
    for name in dataset.names:
        bearers[normalised(name)] = bearers.get(normalised(name), 0) + 1
    rows = list(zip(dataset.entities, dataset.names, strict=True))
    chosen = random.Random(SEED).sample(rows, min(sample, len(rows)))
    return [
        NameQuery(synset_id(offset, name), name, bearers[normalised(name)] == 1) for offset, name in chosen
    ]


def paraphrase_queries(datasets: Path, path: Path) -> list[ParaphraseQuery]:
    dataset = load("wn18rr", datasets)
    names = dict(zip(dataset.entities, dataset.names, strict=True))
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            offset, text = line.split("\t")
            queries.append(ParaphraseQuery(synset_id(offset, names[offset]), text.strip()))
    return queries


def load_graph(db: Database, queries: Queries, datasets: Path, vectors: KnownVectors) -> dict[str, Any]:
    records, problems = read_wn18rr(datasets / "wn18rr")
    started = time.perf_counter()
    summary = Ingester(db, queries, vectors).ingest_records(records, problems, DatasetTypes(SCHEMA))
    return {"wall_seconds": round(time.perf_counter() - started, 1), **summary.as_dict()}


Paraphrases = dict[str, list[ParaphraseQuery]]  # PARAPHRASE_SETS' keys -> their queries


def measure_mode(
    searcher: Searcher, mode: SearchMode, names: list[NameQuery], paraphrases: Paraphrases
) -> dict[str, Any]:
    latencies: list[float] = []

    def top(query: str) -> list[Any]:
        started = time.perf_counter()
        hits = searcher.search(query, mode, limit=TOP).items
        latencies.append(time.perf_counter() - started)
        return hits

    named_first = unique_first = unique_total = 0
    for query in names:
        hits = top(query.name)
        first = hits[0].entity if hits else None
        named_first += first is not None and normalised(first.name) == normalised(query.name)
        if query.unique:
            unique_total += 1
            unique_first += first is not None and first.id == query.entity_id
    found = {
        key: sum(query.entity_id in [hit.entity.id for hit in top(query.text)] for query in asked)
        for key, asked in paraphrases.items()
    }
    return {
        "names_first": round(named_first / len(names), 4),
        "unique_names_first": round(unique_first / max(unique_total, 1), 4),
        **{key: round(found[key] / len(paraphrases[key]), 4) for key in paraphrases},
        "median_ms": round(1000 * statistics.median(latencies), 2),
        "p95_ms": round(1000 * statistics.quantiles(latencies, n=20)[-1], 2),
    }


def fusion_sweep(
    searcher: Searcher, names: list[NameQuery], paraphrases: Paraphrases
) -> dict[str, dict[str, float]]:
    """Hybrid mode with each weight of TEXT_WEIGHTS: both rankings read once per query, fused by
    graph/search.py's own `rank` (what the API answers with that weight)."""
    asked = [(q.name, q.entity_id, "name") for q in names] + [
        (q.text, q.entity_id, key) for key, queries in paraphrases.items() for q in queries
    ]
    rankings = [
        searcher.rankings(query.split(), SearchMode.hybrid, MIN_CANDIDATES)[:2] for query, _, _ in asked
    ]
    sweep = {}
    for weight in TEXT_WEIGHTS:
        named = 0
        found = dict.fromkeys(paraphrases, 0)
        for (query, entity_id, kind), (text, meaning) in zip(asked, rankings, strict=True):
            hits = rank(query, SearchMode.hybrid, text, meaning, text_weight=weight)[:TOP]
            if kind == "name":
                named += bool(hits) and normalised(hits[0].entity.name) == normalised(query)
            else:
                found[kind] += entity_id in [hit.entity.id for hit in hits]
        sweep[str(weight)] = {
            "names_first": round(named / len(names), 4),
            **{key: round(found[key] / len(paraphrases[key]), 4) for key in paraphrases},
        }
    return sweep


def rebuild_text_index(db: Database, queries: Queries, bench_queries: Queries, analyzer: str) -> None:
    db.write(queries["search_drop_text_index"])
    db.write(bench_queries[f"search_create_entity_text_index_{analyzer}"])
    db.read(queries["search_await_text_index"], seconds=600)


def print_table(result: dict[str, Any]) -> None:
    columns = ("names_first", "unique_names_first", *PARAPHRASE_SETS, "median_ms", "p95_ms")
    print(f"\n{'analyzer':<9} {'mode':<8} " + " ".join(f"{c:>18}" for c in columns))
    for analyzer, modes in result["analyzers"].items():
        for mode, figures in modes.items():
            print(f"{analyzer:<9} {mode:<8} " + " ".join(f"{figures[c]:>18}" for c in columns))
    print(f"\nhybrid, full-text weight swept (the API's: {TEXT_WEIGHT}):")
    for weight, figures in result["fusion_sweep"].items():
        print(f"  {weight:<5} " + " ".join(f"{key} {value:<7}" for key, value in figures.items()))
    print(f"targets: {TARGETS}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--names", type=int, default=2000, help="synsets whose name is asked")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--heap", default="1g", help="the Neo4j heap (WN18RR's store is ~0.7 GB)")
    parser.add_argument("--pagecache", default="1g")
    args = parser.parse_args(argv)

    names = name_queries(args.datasets, args.names)
    paraphrases = {key: paraphrase_queries(args.datasets, path) for key, path in PARAPHRASE_SETS.items()}
    dataset = load("wn18rr", args.datasets)
    vectors = KnownVectors(dict(zip(dataset.texts, embeddings(dataset).tolist(), strict=True)))
    started = time.perf_counter()
    asked = [q.name for q in names] + [q.text for queries in paraphrases.values() for q in queries]
    query_texts = list(dict.fromkeys(asked))
    vectors.embed(query_texts)  # the queries, in one batch, by the same model
    query_embedding_seconds = round(time.perf_counter() - started, 1)
    queries, bench_queries = Queries(Settings().cypher_dir), Queries(BENCH_QUERIES)
    result: dict[str, Any] = {
        "taken": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "command": command_line("bench.search"),
        "machine": machine(),
        "model": MODEL_NAME,
        "names_asked": len(names),
        "unique_names_asked": sum(q.unique for q in names),
        "paraphrases": {key: len(queries) for key, queries in paraphrases.items()},
        "query_embedding_seconds": query_embedding_seconds,
        "targets": TARGETS,
        "text_weight": TEXT_WEIGHT,
        "analyzers": {},
    }
    with tempfile.TemporaryDirectory(prefix="atlas-bench-search-") as home:
        server = LocalNeo4j.disposable(Path(home), heap=args.heap, pagecache=args.pagecache)
        server.start(die_with_parent=True)
        driver = open_driver(Connection(server.bolt_uri, "neo4j", server.password(), "neo4j"))
        try:
            db = Database(driver, "neo4j")
            result["ingest"] = load_graph(db, queries, args.datasets, vectors)
            searcher = Searcher(db, queries, QueryEmbedder(lambda: vectors))
            result["fusion_sweep"] = fusion_sweep(searcher, names, paraphrases)
            print(f"ingested in {result['ingest']['wall_seconds']} s; fusion swept", flush=True)
            for analyzer in (TEXT_ANALYZER, COMPARED_ANALYZER):
                if analyzer != TEXT_ANALYZER:
                    rebuild_text_index(db, queries, bench_queries, analyzer)
                modes = (
                    list(SearchMode) if analyzer == TEXT_ANALYZER else [SearchMode.text, SearchMode.hybrid]
                )
                result["analyzers"][analyzer] = {
                    mode.value: measure_mode(searcher, mode, names, paraphrases) for mode in modes
                }
        finally:
            driver.close()
            server.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
