"""Search: by words (full-text, English stemming), by meaning (the query's embedding), or both.

Modes:
- `text`: the full-text index `entity_text` (English analyzer) over names, aliases and descriptions;
  names and aliases weigh more, and the last word also counts as a prefix ("align" finds
  "Alignment Faking");
- `meaning`: the query embedded with the model of the stored embeddings, nearest entities by the
  vector index;
- `hybrid` (the default): both rankings fused by reciprocal rank fusion, words weighing a quarter.

In `text` and `hybrid` an entity whose name or an alias equals the query comes first, then those
whose name or alias starts with it, then the rest by score: a name typed in full is never outranked
by descriptions that mention it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.db import Database
from core.queries import Queries
from graph.models import EntitySummary
from ingest.embedding import MODEL_NAME, Embedder, MiniLMEmbedder

LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
# Upper-case AND, OR and NOT are Lucene operators; lower-cased they are plain words (the index
# lower-cases anyway).
LUCENE_OPERATORS = re.compile(r"\b(AND|OR|NOT)\b")
NAME_BOOST = 4  # a word in a name or alias counts this many times a word in a description
MIN_PREFIX = 2  # a one-letter prefix matches too much to mean anything
RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al., 2009): damps the top ranks
# The full-text ranking's weight in the fusion (the meaning ranking's is 1). Words only match the
# words written, and a description in other words ranks poorly by them: on WN18RR's definition
# paraphrases each lower weight found more synsets, 0.1 as many as meaning alone; a quarter keeps
# words as more than a tie-break for keyword queries (docs/performance.md#search has the sweep).
TEXT_WEIGHT = 0.25
MIN_CANDIDATES = 50  # each ranking looks this deep at least, so exact names are never cut off


class SearchMode(StrEnum):
    text = "text"
    meaning = "meaning"
    hybrid = "hybrid"


Match = Literal["exact", "prefix", "text", "meaning"]
TIER: dict[str, int] = {"exact": 0, "prefix": 1, "text": 2, "meaning": 2}


class SearchHit(BaseModel):
    entity: EntitySummary
    score: float = Field(
        description="text: the full-text score; meaning: the vector index's cosine score "
        "(1 + cos) / 2; hybrid: the fused score, 0.25 / (60 + text rank) + 1 / (60 + meaning rank)."
    )
    match: Match = Field(
        description="Why the entity ranks where it does: its name or an alias equals the query "
        "(exact) or starts with it (prefix), or it was found by words (text) or by meaning only."
    )
    text_rank: int | None = Field(None, description="1-based rank in the full-text ranking.")
    meaning_rank: int | None = Field(None, description="1-based rank in the meaning ranking.")


class ModelUse(BaseModel):
    name: str = Field(description="The embedding model the query was embedded with.")
    load_seconds: float | None = Field(
        description="Seconds this request spent loading the model (it loads on the first search "
        "by meaning); null when it was already loaded."
    )
    embed_seconds: float = Field(description="Seconds spent embedding the query.")


class SearchResults(BaseModel):
    query: str
    mode: SearchMode
    items: list[SearchHit]
    model: ModelUse | None = Field(None, description="Set when the query was embedded.")


class QueryEmbedder:
    """The embedding model, loaded on first use and once only, however many requests ask at once."""

    def __init__(self, load: Callable[[], Embedder] = MiniLMEmbedder) -> None:
        self._load = load
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed(self, text: str) -> tuple[list[float], ModelUse]:
        load_seconds = None
        if self._model is None:
            with self._lock:
                if self._model is None:
                    started = time.perf_counter()
                    self._model = self._load()
                    load_seconds = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        vector = self._model.embed([text])[0]
        use = ModelUse(
            name=getattr(self._model, "model_name", MODEL_NAME),
            load_seconds=load_seconds,
            embed_seconds=round(time.perf_counter() - started, 4),
        )
        return vector, use


class Searcher:
    """One search for the API, the CLI and the benchmark. Cheap to build: no model until needed."""

    def __init__(self, db: Database, queries: Queries, embedder: QueryEmbedder | None = None) -> None:
        self.db = db
        self.queries = queries
        self.embedder = embedder or QueryEmbedder()

    def search(self, query: str, mode: SearchMode = SearchMode.hybrid, limit: int = 20) -> SearchResults:
        mode = SearchMode(mode)
        words = query.split()
        if not words:
            return SearchResults(query=query, mode=mode, items=[])
        text, meaning, model = self.rankings(words, mode, max(MIN_CANDIDATES, 3 * limit))
        hits = rank(" ".join(words), mode, text, meaning)
        return SearchResults(query=query, mode=mode, items=hits[:limit], model=model)

    def rankings(
        self, words: list[str], mode: SearchMode, candidates: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], ModelUse | None]:
        """The full-text and the meaning rankings the mode asks for (records: entity, score), and
        the model's use when the query was embedded."""
        text = self._text_ranking(words, candidates) if mode != SearchMode.meaning else []
        meaning: list[dict[str, Any]] = []
        model = None
        if mode != SearchMode.text:
            vector, model = self.embedder.embed(" ".join(words))
            meaning = self._meaning_ranking(vector, candidates)
        return text, meaning, model

    def _text_ranking(self, words: list[str], candidates: int) -> list[dict[str, Any]]:
        lucene = lucene_query(words)
        if lucene is None:
            return []
        return [dict(r) for r in self.db.read(self.queries["search_text"], q=lucene, candidates=candidates)]

    def _meaning_ranking(self, vector: list[float], candidates: int) -> list[dict[str, Any]]:
        records = self.db.read(self.queries["search_meaning"], vector=vector, candidates=candidates)
        return [dict(r) for r in records]


def lucene_query(words: list[str]) -> str | None:
    """User words as a Lucene query of plain terms: every special character escaped, so that
    `C++ (draft)` or `AND` is text, never syntax. None when nothing searchable is left."""
    escaped = [
        LUCENE_OPERATORS.sub(lambda m: m.group().lower(), LUCENE_SPECIAL.sub(r"\\\1", w)) for w in words
    ]
    escaped = [w for w in escaped if w]
    if not escaped:
        return None
    terms = " ".join(escaped)
    phrase = '"' + terms + '"'
    parts = [
        f"name:{phrase}^{NAME_BOOST}",
        f"aliases:{phrase}^{NAME_BOOST}",
        f"({terms})",
    ]
    last = words[-1]
    # The prefix term is not analysed by Lucene (no stemming, no lower-casing): only plain words.
    if len(last) >= MIN_PREFIX and last.isalnum():
        prefixed = " ".join([*escaped[:-1], last.lower() + "*"])
        parts += [f"name:({prefixed})", f"aliases:({prefixed})"]
    return " OR ".join(parts)


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def name_match(query: str, entity: dict[str, Any]) -> Match | None:
    """'exact' when the name or an alias equals the query (case and spacing aside), 'prefix' when
    one starts with it, else None."""
    wanted = normalised(query)
    names = [normalised(entity["name"]), *(normalised(a) for a in entity.get("aliases") or [])]
    if wanted in names:
        return "exact"
    if any(name.startswith(wanted) for name in names):
        return "prefix"
    return None


def rank(
    query: str,
    mode: SearchMode,
    text: list[dict[str, Any]],
    meaning: list[dict[str, Any]],
    text_weight: float = TEXT_WEIGHT,
) -> list[SearchHit]:
    """Exact names first, then prefixes (text and hybrid modes), then by score: the full-text score,
    the cosine score, or in hybrid mode the weighted reciprocal rank fusion of both rankings."""
    entities: dict[str, dict[str, Any]] = {}
    text_rank: dict[str, int] = {}
    meaning_rank: dict[str, int] = {}
    scores: dict[str, float] = {}
    for ranking, ranks, weight in ((text, text_rank, text_weight), (meaning, meaning_rank, 1.0)):
        for position, record in enumerate(ranking, start=1):
            entity = record["entity"]
            entities.setdefault(entity["id"], entity)
            ranks[entity["id"]] = position
            if mode == SearchMode.hybrid:
                scores[entity["id"]] = scores.get(entity["id"], 0.0) + weight / (RRF_K + position)
            else:
                scores[entity["id"]] = float(record["score"])
    hits = []
    for entity_id, entity in entities.items():
        match: Match = "text" if entity_id in text_rank else "meaning"
        if mode != SearchMode.meaning:
            match = name_match(query, entity) or match
        hits.append(
            SearchHit(
                entity=EntitySummary(
                    id=entity["id"],
                    type=entity["type"],
                    name=entity["name"],
                    description=entity.get("description") or "",
                    status=entity.get("status") or "active",
                ),
                score=round(scores[entity_id], 6),
                match=match,
                text_rank=text_rank.get(entity_id),
                meaning_rank=meaning_rank.get(entity_id),
            )
        )
    hits.sort(key=lambda hit: (TIER[hit.match], -hit.score, hit.entity.id))
    return hits
