"""Link prediction on WN18RR and CoDEx, the standard way, with the suggester of `suggest/`.

    python -m bench.linkpred --dataset wn18rr|codex-m|codex-s [--datasets DIR] [--quick]

Protocol: train on the train split only; everything tuned (component weights, the number of epochs)
is selected on the dev split only; the test split is scored once. Filtered MRR and Hits@1/3/10 over
both directions (tail and head prediction), ranking the true answer among all entities with every
other true triple of train, dev and test removed; ties count as the mean of the optimistic and
pessimistic rank ("realistic" rank). The cosine-only baseline (what `similar` does: rank candidates
by the cosine of their all-MiniLM-L6-v2 vectors to the query entity) is measured in the same run.

The datasets are read where they lie (`../shared/datasets` by default) and never copied; the
MiniLM vectors are cached under ``~/.cache/atlas/bench/linkpred/`` keyed by dataset, model and a
hash of the texts. Results go to ``bench/results/linkpred-<dataset>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ingest.sources.codex import coarse_type
from suggest import Suggester, SuggesterConfig
from suggest.evaluation import AnswerIndex, ScoreFunction, evaluate, ranking_metrics
from suggest.service import type_joins

RESULTS = Path(__file__).parent / "results"
DEFAULT_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
CACHE = Path.home() / ".cache" / "atlas" / "bench" / "linkpred"
MODEL_NAME = "all-MiniLM-L6-v2"
MASKED_SCORE = -1e30
ABLATED = frozenset({"slot", "slot_taken"})  # measured without, weights re-selected on dev, in every run

# Published filtered test results (MRR, Hits@1, Hits@3, Hits@10; None where not reported) with their sources.
PUBLISHED: dict[str, list[tuple[str, float | None, float | None, float | None, float | None, str]]] = {
    "wn18rr": [
        (
            "TransE",
            0.226,
            None,
            None,
            0.501,
            "Sun et al., ICLR 2019 (RotatE), Table 5, from Nguyen et al. 2018",
        ),
        ("RotatE", 0.476, 0.428, 0.492, 0.571, "Sun et al., ICLR 2019, Table 5"),
        ("TuckER", 0.470, 0.443, 0.482, 0.526, "Balažević et al., EMNLP 2019, Table 3"),
        ("KG-BERT", None, None, None, 0.524, "Yao et al., 2019, Table 3 (Hits@10 only)"),
        ("SimKGC", 0.666, 0.587, 0.717, 0.800, "Wang et al., ACL 2022, Table 2"),
    ],
    "codex-m": [
        ("TransE", 0.303, 0.223, 0.336, 0.454, "Safavi & Koutra, EMNLP 2020, Table 5"),
        ("RESCAL", 0.317, 0.244, 0.347, 0.456, "Safavi & Koutra, EMNLP 2020, Table 5"),
        ("TuckER", 0.328, 0.259, 0.360, 0.458, "Safavi & Koutra, EMNLP 2020, Table 5"),
        ("ComplEx", 0.337, 0.262, 0.370, 0.476, "Safavi & Koutra, EMNLP 2020, Table 5"),
    ],
    "codex-s": [
        ("TransE", 0.354, 0.219, 0.421, 0.634, "Safavi & Koutra, EMNLP 2020, Table 5"),
        ("RESCAL", 0.404, 0.293, 0.449, 0.623, "Safavi & Koutra, EMNLP 2020, Table 5"),
        ("TuckER", 0.444, 0.339, 0.496, 0.638, "Safavi & Koutra, EMNLP 2020, Table 5"),
        ("ComplEx", 0.465, 0.372, 0.504, 0.646, "Safavi & Koutra, EMNLP 2020, Table 5"),
    ],
}


@dataclass(frozen=True)
class Dataset:
    name: str
    entities: list[str]  # dataset ids, index = Atlas-side integer id
    relations: list[str]
    texts: list[str]  # "name: description", as Atlas embeds an entity
    names: list[str]
    descriptions: list[str]
    types: list[str]  # the Atlas entity type the importer gives each entity
    train: NDArray[np.int64]
    dev: NDArray[np.int64]
    test: NDArray[np.int64]


def _read_triples(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            head, relation, tail = line.split("\t")
            rows.append((head.strip(), relation.strip(), tail.strip()))
    return rows


def _index(
    splits: list[list[tuple[str, str, str]]], entities: list[str]
) -> tuple[list[str], list[NDArray[np.int64]]]:
    entity_id = {entity: i for i, entity in enumerate(entities)}
    relations = sorted({r for split in splits for _, r, _ in split})
    relation_id = {r: i for i, r in enumerate(relations)}
    arrays = [
        np.array([(entity_id[h], relation_id[r], entity_id[t]) for h, r, t in split], dtype=np.int64)
        for split in splits
    ]
    return relations, arrays


def load_wn18rr(folder: Path) -> Dataset:
    entities, names, texts = [], [], []
    for line in (folder / "entity2text.txt").read_text(encoding="utf-8").splitlines():
        offset, text = line.split("\t", 1)
        name, _, definition = text.partition(", ")
        name, definition = name.strip(), definition.strip()
        entities.append(offset.strip())
        names.append(name)
        texts.append(f"{name}: {definition}" if definition else name)
    splits = [_read_triples(folder / f) for f in ("train.tsv", "dev.tsv", "test.tsv")]
    relations, (train, dev, test) = _index(splits, entities)
    descriptions = [text.partition(": ")[2] for text in texts]
    types = ["synset"] * len(entities)
    return Dataset("wn18rr", entities, relations, texts, names, descriptions, types, train, dev, test)


def load_codex(folder: Path, size: str) -> Dataset:
    """Texts exactly as ingest/sources/codex.py builds them (most items are named by their Q-id)."""
    entity_types = json.loads((folder / "types" / "entity2types.json").read_text(encoding="utf-8"))
    type_info = json.loads((folder / "types" / "en" / "types.json").read_text(encoding="utf-8"))
    splits = [
        _read_triples(folder / "triples" / f"codex-{size}" / f)
        for f in ("train.txt", "valid.txt", "test.txt")
    ]
    seen = {e for split in splits for h, _, t in split for e in (h, t)}
    entities = sorted(seen, key=lambda q: (int(q[1:]), q) if q[1:].isdigit() else (0, q))
    names, texts, descriptions, types = [], [], [], []
    for qid in entities:
        labels = [type_info.get(t, {}).get("label", t) for t in entity_types.get(qid, [])]
        types.append(coarse_type(labels))
        info = type_info.get(qid, {})
        name = info.get("label") or qid
        kinds = ", ".join(labels) or "no Wikidata type"
        description = f"{info['description']} ({kinds})" if info.get("description") else kinds
        names.append(name)
        descriptions.append(description)
        texts.append(f"{name}: {description}")
    relations, (train, dev, test) = _index(splits, entities)
    return Dataset(f"codex-{size}", entities, relations, texts, names, descriptions, types, train, dev, test)


def load(name: str, datasets: Path) -> Dataset:
    if name == "wn18rr":
        return load_wn18rr(datasets / "wn18rr")
    if name in ("codex-s", "codex-m"):
        return load_codex(datasets / "codex", name[-1])
    raise SystemExit(f"unknown dataset {name!r}")


def embeddings(dataset: Dataset) -> NDArray[np.float32]:
    """MiniLM vectors of the dataset's texts, computed once and cached on disk."""
    digest = hashlib.sha256("\n".join(dataset.texts).encode()).hexdigest()[:16]
    path = CACHE / f"{dataset.name}-{MODEL_NAME}-{digest}.npy"
    if path.exists():
        cached: NDArray[np.float32] = np.load(path, allow_pickle=False)
        return cached
    from ingest.embedding import MiniLMEmbedder

    started = time.perf_counter()
    embedder = MiniLMEmbedder(batch_size=128)
    vectors = np.zeros((len(dataset.texts), 384), dtype=np.float32)
    step = 2048
    for start in range(0, len(dataset.texts), step):
        vectors[start : start + step] = np.asarray(embedder.embed(dataset.texts[start : start + step]))
        print(f"  embedded {min(start + step, len(dataset.texts))}/{len(dataset.texts)}", file=sys.stderr)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    print(f"  embedding took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return vectors


def cosine_scores(vectors: NDArray[np.float32]) -> ScoreFunction:
    """What `similar` does: candidates by cosine to the query entity (never the entity itself)."""

    def score(entities: NDArray[np.int64], relations: NDArray[np.int64]) -> NDArray[np.float32]:
        values: NDArray[np.float32] = vectors[entities] @ vectors.T
        values[np.arange(len(entities)), entities] = -1e4
        return values

    return score


def type_masked(score: ScoreFunction, dataset: Dataset) -> ScoreFunction:
    """`score` with the served model's type mask: an answer whose type the relation never joins
    to the query's type in train scores below every other (finite, so it ties only with its kind,
    not with the filtered answers)."""
    signatures: set[tuple[str, ...]] = {
        (dataset.relations[r], dataset.types[h], dataset.types[t]) for h, r, t in dataset.train
    }
    relation_of = {name: number for number, name in enumerate(dataset.relations)}
    type_of, joins = type_joins(dataset.types, relation_of, signatures)

    def masked(entities: NDArray[np.int64], relations: NDArray[np.int64]) -> NDArray[np.floating]:
        scores = np.array(score(entities, relations), copy=True)
        allowed = joins[relations, type_of[entities]][:, type_of]
        scores[~allowed] = MASKED_SCORE
        return scores

    return masked


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _row(label: str, metrics: dict[str, float | None]) -> str:
    cells = [
        f"{metrics[k]:.3f}" if metrics.get(k) is not None else "  -  "
        for k in ("mrr", "hits@1", "hits@3", "hits@10")
    ]
    return f"| {label:<44} | " + " | ".join(cells) + " |"


def table(dataset: str, measured: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        f"| {'model (' + dataset + ', filtered, both directions)':<44} | MRR   | H@1   | H@3   | H@10  |",
        f"| {'-' * 44} | ----- | ----- | ----- | ----- |",
    ]
    for label, metrics in measured:
        lines.append(_row(label, metrics))
    for name, mrr, h1, h3, h10, source in PUBLISHED.get(dataset, []):
        lines.append(
            _row(
                f"{name} (published: {source.split(',')[0]})",
                {"mrr": mrr, "hits@1": h1, "hits@3": h3, "hits@10": h10},
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--dataset", required=True, choices=["wn18rr", "codex-m", "codex-s"])
    parser.add_argument(
        "--datasets", type=Path, default=Path(os.environ.get("ATLAS_DATASETS", DEFAULT_DATASETS))
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="a short smoke run: few epochs, no JSON written")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--kge-seconds", type=float, default=None, help="wall-clock budget of the KGE training"
    )
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    dataset = load(args.dataset, args.datasets)
    print(
        f"{dataset.name}: {len(dataset.entities)} entities, {len(dataset.relations)} relations, "
        f"{len(dataset.train)}/{len(dataset.dev)}/{len(dataset.test)} train/dev/test",
        file=sys.stderr,
    )
    vectors = embeddings(dataset)
    num_entities, num_relations = len(dataset.entities), len(dataset.relations)
    everything = AnswerIndex.build(
        np.concatenate([dataset.train, dataset.dev, dataset.test]), num_entities, num_relations
    )

    cosine_test = evaluate(cosine_scores(vectors), dataset.test, everything)
    print(f"cosine baseline, test: {_fmt(cosine_test.both)}", file=sys.stderr)

    config = SuggesterConfig.for_graph(len(dataset.train), num_entities, num_relations)
    if args.kge_seconds is not None:
        config = dataclasses.replace(
            config, kge=dataclasses.replace(config.kge, time_budget_s=args.kge_seconds)
        )
    if args.quick:
        config = dataclasses.replace(config, kge=dataclasses.replace(config.kge, epochs=2))
    started = time.perf_counter()

    def progress(stage: str, fraction: float, message: str) -> None:
        print(f"  [{time.perf_counter() - started:7.1f}s] {stage} {fraction:5.1%} {message}", file=sys.stderr)

    suggester = Suggester.fit(
        dataset.train,
        num_entities,
        num_relations,
        embeddings=vectors,
        names=dataset.names,
        types=dataset.types,
        descriptions=dataset.descriptions,
        valid=dataset.dev,
        config=config,
        progress=progress,
        revision=f"{dataset.name}:train",
    )
    train_seconds = time.perf_counter() - started
    print(f"fit: {train_seconds:.0f} s, peak RSS {peak_rss_mib():.0f} MiB", file=sys.stderr)

    def score(entities: NDArray[np.int64], relations: NDArray[np.int64]) -> NDArray[np.float32]:
        return suggester.scores_by_relation(entities, relations)

    # The API leaves out answers of a type the relation never joins (suggest/service.py); score
    # the model as served, and without the mask beside it, so its effect is measured, not assumed.
    served = type_masked(score, dataset)
    dev_result = evaluate(served, dataset.dev, everything)
    test_result = evaluate(served, dataset.test, everything)
    unmasked_dev = evaluate(score, dataset.dev, everything)
    unmasked_test = evaluate(score, dataset.test, everything)
    ablated = suggester.without(ABLATED, dataset.dev)
    ablated_test = evaluate(
        type_masked(lambda e, r: ablated.scores_by_relation(e, r), dataset), dataset.test, everything
    )
    component_test = {
        name: evaluate(component, dataset.test, everything).both
        for name, component in suggester.component_scorers().items()
    }
    per_relation = _per_relation(test_result.ranks, dataset.test, dataset.relations)

    measured = [
        ("Atlas suggester (this run, as served)", test_result.both),
        ("  without the type mask", unmasked_test.both),
        (f"  without {' and '.join(sorted(ABLATED))} (re-selected)", ablated_test.both),
        *[(f"  component: {name}", m) for name, m in component_test.items()],
        ("cosine of MiniLM vectors (this run)", cosine_test.both),
    ]
    print(table(dataset.name, measured))
    result = {
        "dataset": dataset.name,
        "protocol": (
            "train on train; weights and epochs selected on dev; test scored once; filtered "
            "(train+dev+test), both directions, ranked against all entities; realistic (mean) rank for ties; "
            "as served, answers of a type the relation never joins in train rank last"
        ),
        "sizes": {
            "entities": num_entities,
            "relations": num_relations,
            "train": len(dataset.train),
            "dev": len(dataset.dev),
            "test": len(dataset.test),
        },
        "config": suggester.config.to_json(),
        "selection": suggester.report,
        "dev": dev_result.to_json(),
        "test": test_result.to_json(),
        "dev_without_type_mask": unmasked_dev.to_json(),
        "test_without_type_mask": unmasked_test.to_json(),
        "test_components": component_test,
        "test_without": {"signals": sorted(ABLATED), **ablated_test.to_json()},
        "test_per_relation": per_relation,
        "cosine_baseline_test": cosine_test.to_json(),
        "published": [
            {"model": n, "mrr": m, "hits@1": h1, "hits@3": h3, "hits@10": h10, "source": s}
            for n, m, h1, h3, h10, s in PUBLISHED.get(dataset.name, [])
        ],
        "train_seconds": round(train_seconds, 1),
        "peak_rss_mib": round(peak_rss_mib(), 0),
        "machine": {
            "cpu_count": os.cpu_count(),
            "torch_threads": args.threads,
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
        },
        "quick": args.quick,
    }
    if not args.quick:
        out = args.out or RESULTS / f"linkpred-{dataset.name}.json"
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.name}", file=sys.stderr)
    return 0


def _fmt(metrics: dict[str, float]) -> str:
    return " ".join(f"{k} {v:.3f}" for k, v in metrics.items() if k != "count")


def _per_relation(
    ranks: NDArray[np.float32], test: NDArray[np.int64], relations: list[str]
) -> dict[str, Any]:
    n = len(test)
    out: dict[str, Any] = {}
    for r, relation in enumerate(relations):
        rows = np.flatnonzero(test[:, 1] == r)
        if len(rows):
            out[relation] = {
                "tail": ranking_metrics(ranks[rows]),
                "head": ranking_metrics(ranks[n + rows]),
            }
    return out


if __name__ == "__main__":
    raise SystemExit(main())
