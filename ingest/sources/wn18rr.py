"""WN18RR (Dettmers et al., 2018): WordNet synsets as entities, its 11 relation types as relations.

Mapping (see the README's "Importing public datasets"):
- every synset is an entity of type `synset`: WN18RR has no types, and part of speech can only be
  guessed from the relations, so one honest type beats a derived one;
- `entity2text.txt` holds "name, definition": the name is the text before the first ", ", the
  definition the rest; the embedded text is therefore "name: definition" like any entity;
- the id is `synset:<name slug>-<synset offset>`: homographs ("run" names 33 synsets) share a
  name and a slug but never an offset, so they stay distinct entities;
- relation types are the dataset's names without the leading underscore (`_hypernym` ->
  `hypernym`); train, dev and test triples are all imported (93,003), or only the splits asked
  for (every synset is imported either way: link prediction ranks among all of them).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from core.schema import Schema
from ingest.problems import Problem
from ingest.readers import RawRecord
from ingest.records import slugify
from ingest.sources import SPLITS, checked_splits, tab_separated

TEXTS = "entity2text.txt"
# The types WN18RR brings to a graph (`atlas import wn18rr` adds them to its schema). WordNet
# relates a few synsets to themselves by derivationally_related_form: the one reflexive type.
SCHEMA = Schema(
    entity_types=("synset",),
    relation_types=(
        "hypernym",
        "instance_hypernym",
        "member_meronym",
        "has_part",
        "synset_domain_topic_of",
        "member_of_domain_usage",
        "member_of_domain_region",
        "derivationally_related_form",
        "also_see",
        "verb_group",
        "similar_to",
    ),
    reflexive_relation_types=frozenset({"derivationally_related_form"}),
    entity_descriptions={"synset": "A WordNet synset: one sense of a word, with its definition"},
)
DATASET_URL = "https://wordnet.princeton.edu/"


def synset_id(offset: str, name: str) -> str:
    slug = slugify(name)
    return f"synset:{slug}-{offset}" if slug else f"synset:{offset}"


def read_wn18rr(folder: Path, splits: Collection[str] = SPLITS) -> tuple[list[RawRecord], list[Problem]]:
    problems: list[Problem] = []
    records: list[RawRecord] = []
    ids: dict[str, str] = {}  # synset offset -> Atlas id
    for location, (offset, text) in tab_separated(folder / TEXTS, 2, problems):
        name, _, definition = text.partition(", ")
        ids[offset] = synset_id(offset, name)
        entity: dict[str, Any] = {
            "kind": "entity",
            "type": "synset",
            "id": ids[offset],
            "name": name.strip(),
            "description": definition.strip(),
            "properties": {"dataset": "wn18rr", "synset_offset": offset},
        }
        records.append(RawRecord(location, entity))
    for split in checked_splits(splits):
        for location, (head, relation, tail) in tab_separated(folder / f"{split}.tsv", 3, problems):
            relation_record = {
                "kind": "relation",
                "source": ids.get(head, f"synset:{head}"),  # unknown: validation names it
                "type": relation.removeprefix("_"),
                "target": ids.get(tail, f"synset:{tail}"),
            }
            records.append(RawRecord(location, relation_record))
    return records, problems
