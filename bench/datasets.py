"""The graphs a benchmark runs on, and the `atlas import` command that loads each one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.schema import Schema
from ingest.problems import IngestError
from ingest.readers import RawRecord
from ingest.sources.codex import SCHEMA as CODEX_TYPES
from ingest.sources.codex import read_codex
from ingest.sources.synthetic import SCHEMA as SYNTHETIC_TYPES
from ingest.sources.synthetic import SyntheticSpec, generate
from ingest.sources.wn18rr import SCHEMA as WN18RR_TYPES
from ingest.sources.wn18rr import read_wn18rr
from ingest.validate import ValidInput, validate


@dataclass(frozen=True)
class BenchGraph:
    name: str
    import_args: list[str]  # after `atlas import`
    real_model: bool  # embedded with all-MiniLM-L6-v2 (else the hashing embedder)
    spec: SyntheticSpec | None = None
    folder: Path | None = None

    def records(self) -> Iterable[RawRecord]:
        if self.spec is not None:
            return generate(self.spec)
        assert self.folder is not None
        if self.name == "wn18rr":
            records, problems = read_wn18rr(self.folder)
        else:
            records, problems = read_codex(self.folder, "m" if self.name == "codex-m" else "s")
        if problems:
            raise IngestError(problems)
        return records

    def schema(self) -> Schema:
        """The types the graph's importer brings."""
        if self.spec is not None:
            return SYNTHETIC_TYPES
        return WN18RR_TYPES if self.name == "wn18rr" else CODEX_TYPES

    def validated(self) -> ValidInput:
        valid, problems = validate(self.records(), lambda ids: set(), self.schema())
        if problems:
            raise IngestError(problems)
        return valid


def bench_graph(name: str, datasets: Path, synthetic: SyntheticSpec, embedder: str = "hashing") -> BenchGraph:
    """`embedder` applies to the synthetic graph only: the datasets are always embedded with the model."""
    if name == "wn18rr":
        folder = datasets / "wn18rr"
        return BenchGraph(name, ["wn18rr", str(folder)], True, folder=folder)
    if name in ("codex-s", "codex-m"):
        folder = datasets / "codex"
        return BenchGraph(name, ["codex", str(folder), "--size", name[-1]], True, folder=folder)
    if name == "synthetic":
        args = [
            "synthetic",
            f"--entities={synthetic.entities}",
            f"--relations={synthetic.relations}",
            f"--hubs={synthetic.hubs}",
            f"--hub-degree={synthetic.hub_degree}",
            f"--seed={synthetic.seed}",
            f"--embedder={embedder}",
        ]
        return BenchGraph(name, args, embedder == "minilm", spec=synthetic)
    raise ValueError(f"unknown graph {name!r}: wn18rr, codex-s, codex-m or synthetic")
