"""Text features of candidate edges: cosine of the stored sentence embeddings, and name overlap.

Name overlap is the cosine of hashed character 3- and 4-gram counts of the entity *names* (not the
descriptions): derivationally related forms ("run" / "runner", "able" / "ability") share stems
that a sentence encoder does not see as close. The hash is CRC-32, so vectors are the same in
every process.
"""

from __future__ import annotations

import math
import re
import zlib

import numpy as np
from numpy.typing import NDArray

NGRAMS = (3, 4)


def _grams(name: str) -> list[str]:
    text = f"#{' '.join(name.lower().replace('_', ' ').split())}#"
    return [text[i : i + n] for n in NGRAMS for i in range(max(0, len(text) - n + 1))]


class NameGrams:
    """The n-gram cosine of every name with a few names, through an inverted index: a name has a
    few dozen n-grams, so a query reads only the entities sharing one of them (about 0.3 ms for
    one name among WordNet's 41k, against 8 ms for the dense product of the vectors)."""

    def __init__(self, names: list[str], dimensions: int = 1024) -> None:
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for row, name in enumerate(names):
            counts: dict[int, float] = {}
            for gram in _grams(name):
                column = zlib.crc32(gram.encode()) % dimensions
                counts[column] = counts.get(column, 0.0) + 1.0
            norm = math.sqrt(sum(count * count for count in counts.values()))
            for column, count in sorted(counts.items()):
                rows.append(row)
                columns.append(column)
                values.append(count / norm)
        self.num_entities = len(names)
        row_array, column_array = np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64)
        value_array = np.asarray(values, dtype=np.float32)
        self.by_entity = _Csr.build(len(names), row_array, column_array, value_array)
        self.by_gram = _Csr.build(dimensions, column_array, row_array, value_array)

    def similarity(self, entities: NDArray[np.int64]) -> NDArray[np.float32]:
        """(len(entities), num_entities): each entity's name n-gram cosine to every name."""
        query_rows, grams, weights = self.by_entity.entries(entities)
        posting_rows, others, values = self.by_gram.entries(grams)
        rows = query_rows[posting_rows]
        scores = weights[posting_rows] * values
        total = np.bincount(
            rows * self.num_entities + others, weights=scores, minlength=len(entities) * self.num_entities
        )
        return total.reshape(len(entities), self.num_entities).astype(np.float32)


def normalised(vectors: NDArray[np.floating]) -> NDArray[np.float32]:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


STOPWORDS = frozenset(
    "a an the of in on at to for by with or and as is are be been that which who whom whose from its it "  # noqa: SIM905
    "this these those any some not no into than then there their such one used also e g i".split()
)


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower().replace("_", " "))


WORD_RE = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


class Mentions:
    """Which entities mention which by name: (a, b, weight) when b's name occurs in a's text.

    "a's text" is its name followed by its description; a mention at word position p weighs
    1 / sqrt(1 + p), so the genus of a WordNet gloss ("chieftainship: the position of chieftain"
    mentions "position" early) counts more than a word at the end. An entity's own full name is
    not a mention of itself; stop words and one-letter names never match.
    """

    def __init__(
        self,
        num_entities: int,
        sources: NDArray[np.int64],
        targets: NDArray[np.int64],
        weights: NDArray[np.float32],
    ) -> None:
        self.num_entities = num_entities
        self.forward = _Csr.build(num_entities, sources, targets, weights)
        self.backward = _Csr.build(num_entities, targets, sources, weights)

    @classmethod
    def build(cls, names: list[str], descriptions: list[str], max_words: int = 4) -> Mentions:
        by_name: dict[str, list[int]] = {}
        for entity, name in enumerate(names):
            key = " ".join(_words(name))
            if len(key) > 1 and key not in STOPWORDS:
                by_name.setdefault(key, []).append(entity)
        sources: list[int] = []
        targets: list[int] = []
        weights: list[float] = []
        for entity, (name, description) in enumerate(zip(names, descriptions, strict=True)):
            own = " ".join(_words(name))
            words = _words(name) + _words(description)
            best: dict[int, float] = {}
            for position in range(len(words)):
                for length in range(1, max_words + 1):
                    if position + length > len(words):
                        break
                    key = " ".join(words[position : position + length])
                    if key == own and position == 0:
                        continue
                    for other in by_name.get(key, ()):
                        if other != entity:
                            weight = 1.0 / math.sqrt(1.0 + position)
                            if weight > best.get(other, 0.0):
                                best[other] = weight
            for other, weight in best.items():
                sources.append(entity)
                targets.append(other)
                weights.append(weight)
        return cls(
            len(names),
            np.asarray(sources, dtype=np.int64),
            np.asarray(targets, dtype=np.int64),
            np.asarray(weights, dtype=np.float32),
        )

    def mentioned_by(self, entities: NDArray[np.int64]) -> NDArray[np.float32]:
        """(batch, num_entities): how strongly each query entity's text mentions each candidate."""
        return self.forward.dense(entities)

    def mentioning(self, entities: NDArray[np.int64]) -> NDArray[np.float32]:
        """(batch, num_entities): how strongly each candidate's text mentions the query entity."""
        return self.backward.dense(entities)

    def __len__(self) -> int:
        return len(self.forward.columns)


class _Csr:
    def __init__(
        self,
        num_rows: int,
        offsets: NDArray[np.int64],
        columns: NDArray[np.int64],
        values: NDArray[np.float32],
    ) -> None:
        self.num_rows, self.offsets, self.columns, self.values = num_rows, offsets, columns, values

    @classmethod
    def build(
        cls, num_rows: int, rows: NDArray[np.int64], columns: NDArray[np.int64], values: NDArray[np.float32]
    ) -> _Csr:
        order = np.argsort(rows, kind="stable")
        offsets = np.zeros(num_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=num_rows), out=offsets[1:])
        return cls(num_rows, offsets, columns[order], values[order])

    def entries(
        self, rows: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]:
        """Every stored entry of ``rows`` as (position in ``rows``, column, value)."""
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        lengths = ends - starts
        batch_rows = np.repeat(np.arange(len(rows)), lengths)
        index = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(
            int(lengths.sum())
        )
        return batch_rows, self.columns[index], self.values[index]

    def dense(self, rows: NDArray[np.int64]) -> NDArray[np.float32]:
        out = np.zeros((len(rows), self.num_rows), dtype=np.float32)
        batch_rows, columns, values = self.entries(rows)
        out[batch_rows, columns] = values
        return out
