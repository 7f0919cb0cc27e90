"""CoDEx-S and CoDEx-M (Safavi & Koutra, 2020): Wikidata items and properties.

Mapping (see the README's "Importing public datasets"):
- entities are the items that occur in the size's triples (train, valid and test);
- Wikidata gives an item several types out of 3,443; Atlas gives it one coarse type: the first
  rule of `TYPE_RULES` that matches any of its Wikidata type labels (`person`, `place`,
  `organization`, `work`), else `concept` (professions, genres, languages, diseases, ...).
  The Wikidata types themselves are kept, as labels, in the `wikidata_types` property;
- names: this copy of CoDEx has labels only for items that are themselves types; the others are
  named by their Wikidata id (Q30). The description lists the item's Wikidata types, so the
  embedded text ("Q30: sovereign state, country, ...") still says what the item is;
- ids are `<type>:<name slug>-<qid>` (`place:united-states-of-america-q30` when named, else
  `place:q30`); the url is the item's Wikidata page;
- relation types are the property's English label in snake_case (P131 "located in the
  administrative terroritorial entity" keeps the dataset's spelling).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from core.schema import Schema
from ingest.problems import Location, Problem
from ingest.readers import RawRecord
from ingest.records import slugify
from ingest.sources import SPLITS, checked_splits, tab_separated

# The types CoDEx brings to a graph (`atlas import codex` adds them to its schema): the coarse
# classes of TYPE_RULES, and each property's label with its Wikidata id as the description.
# `part_of` and `uses` also serve research graphs.
PROPERTIES: tuple[tuple[str, str], ...] = (
    ("country", "Wikidata P17"),
    ("place_of_birth", "Wikidata P19"),
    ("place_of_death", "Wikidata P20"),
    ("spouse", "Wikidata P26"),
    ("country_of_citizenship", "Wikidata P27"),
    ("continent", "Wikidata P30"),
    ("head_of_state", "Wikidata P35"),
    ("official_language", "Wikidata P37"),
    ("child", "Wikidata P40"),
    ("author", "Wikidata P50"),
    ("member_of_sports_team", "Wikidata P54"),
    ("director", "Wikidata P57"),
    ("educated_at", "Wikidata P69"),
    ("field_of_work", "Wikidata P101"),
    ("member_of_political_party", "Wikidata P102"),
    ("occupation", "Wikidata P106"),
    ("employer", "Wikidata P108"),
    ("founded_by", "Wikidata P112"),
    ("airline_hub", "Wikidata P113"),
    ("place_of_burial", "Wikidata P119"),
    ("located_in_the_administrative_terroritorial_entity", "Wikidata P131"),
    ("movement", "Wikidata P135"),
    ("genre", "Wikidata P136"),
    ("named_after", "Wikidata P138"),
    ("religion", "Wikidata P140"),
    ("headquarters_location", "Wikidata P159"),
    ("cast_member", "Wikidata P161"),
    ("ethnic_group", "Wikidata P172"),
    ("record_label", "Wikidata P264"),
    ("language_of_work_or_name", "Wikidata P407"),
    ("unmarried_partner", "Wikidata P451"),
    ("industry", "Wikidata P452"),
    ("member_of", "Wikidata P463"),
    ("country_of_origin", "Wikidata P495"),
    ("cause_of_death", "Wikidata P509"),
    ("diplomatic_relation", "Wikidata P530"),
    ("residence", "Wikidata P551"),
    ("sport", "Wikidata P641"),
    ("influenced_by", "Wikidata P737"),
    ("location_of_formation", "Wikidata P740"),
    ("parent_organization", "Wikidata P749"),
    ("symptoms", "Wikidata P780"),
    ("notable_works", "Wikidata P800"),
    ("narrative_location", "Wikidata P840"),
    ("medical_condition", "Wikidata P1050"),
    ("product_or_material_produced", "Wikidata P1056"),
    ("instrument", "Wikidata P1303"),
    ("languages_spoken_written_or_signed", "Wikidata P1412"),
    ("time_period", "Wikidata P2348"),
    ("practiced_by", "Wikidata P3095"),
    ("sibling", "Wikidata P3373"),
    ("part_of", "Wikidata P361"),
    ("uses", "Wikidata P2283"),
)
SCHEMA = Schema(
    entity_types=("person", "place", "organization", "work", "concept"),
    relation_types=tuple(name for name, _ in PROPERTIES),
    relation_descriptions=dict(PROPERTIES),
)
Size = Literal["s", "m"]
SPLIT_FILES = {"train": "train.txt", "dev": "valid.txt", "test": "test.txt"}
# Matched in order against each Wikidata type label of an item; the first match decides.
TYPE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "concept",
        re.compile(
            r"\b(genre|profession|occupation|language|discipline|major|movement|disease|"
            r"ethnic group|music|sport|position|religion|ideology)\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"\b(city|country|state|capital|municipality|town|village|island|continent|region|"
            r"province|county|territory|commune|district|nation|republic|kingdom|empire|"
            r"metropolis|borough|prefecture|settlement|cemetery|airport|oblast|canton)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"^(human|person)$|fictional character|human who may be fictional", re.I)),
    (
        "organization",
        re.compile(
            r"organi[sz]ation|universit|college|school|institut|academy|company|business|"
            r"enterprise|party|band|group|label|publisher|club|team|league|association|society|"
            r"agency|airline|ensemble|orchestra|corporation|foundation|council|conservatory",
            re.I,
        ),
    ),
    (
        "work",
        re.compile(
            r"\b(film|album|single|song|novel|book|series|work|play|opera|musical|video game|"
            r"painting|magazine|newspaper|poem|television)\b",
            re.I,
        ),
    ),
)


def coarse_type(type_labels: list[str]) -> str:
    for atlas_type, pattern in TYPE_RULES:
        if any(pattern.search(label) for label in type_labels):
            return atlas_type
    return "concept"


def relation_type(label: str) -> str:
    """'located in the administrative terroritorial entity' -> 'located_in_the_..._entity'."""
    return re.sub(r"[^a-z]+", "_", label.lower()).strip("_")


def _load_json(path: Path, problems: list[Problem]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(Location(path, 0), None, "no such file in the dataset folder"))
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problems.append(Problem(Location(path, 0), None, f"invalid JSON: {error}"))
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(Location(path, 0), None, "expected a JSON object"))
        return {}
    return data


def read_codex(
    folder: Path, size: Size, splits: Collection[str] = SPLITS
) -> tuple[list[RawRecord], list[Problem]]:
    """Items come from the triples of every split (link prediction ranks among all of them);
    relations only from the splits asked for."""
    chosen = checked_splits(splits)
    problems: list[Problem] = []
    properties = _load_json(folder / "relations" / "en" / "relations.json", problems)
    entity_types = _load_json(folder / "types" / "entity2types.json", problems)
    types_path = folder / "types" / "en" / "types.json"
    type_info = _load_json(types_path, problems)
    triples = [
        (split, location, fields)
        for split in SPLITS
        for location, fields in tab_separated(
            folder / "triples" / f"codex-{size}" / SPLIT_FILES[split], 3, problems
        )
    ]
    if problems:
        return [], problems

    first_seen: dict[str, Location] = {}  # an item's errors point at the triple that introduced it
    for _, location, (head, _, tail) in triples:
        first_seen.setdefault(head, location)
        first_seen.setdefault(tail, location)
    records: list[RawRecord] = []
    ids: dict[str, str] = {}
    for qid in sorted(first_seen, key=_qid_order):
        labels = [type_info.get(t, {}).get("label", t) for t in entity_types.get(qid, [])]
        info = type_info.get(qid, {})
        name = info.get("label") or qid
        atlas_type = coarse_type(labels)
        slug = slugify(name) if name != qid else ""
        ids[qid] = f"{atlas_type}:{slug}-{qid.lower()}" if slug else f"{atlas_type}:{qid.lower()}"
        kinds = ", ".join(labels) or "no Wikidata type"
        description = f"{info['description']} ({kinds})" if info.get("description") else kinds
        entity = {
            "kind": "entity",
            "type": atlas_type,
            "id": ids[qid],
            "name": name,
            "description": description,
            "url": f"https://www.wikidata.org/wiki/{qid}",
            "properties": {"dataset": f"codex-{size}", "wikidata_id": qid, "wikidata_types": labels},
        }
        records.append(RawRecord(first_seen[qid], entity))
    for split, location, (head, prop, tail) in triples:
        if split not in chosen:
            continue
        label = properties.get(prop, {}).get("label")
        if label is None:
            problems.append(Problem(location, "relation", f"{prop!r} is not in relations.json"))
            continue
        relation = {
            "kind": "relation",
            "source": ids[head],
            "type": relation_type(label),
            "target": ids[tail],
        }
        records.append(RawRecord(location, relation))
    return records, problems


def _qid_order(qid: str) -> tuple[int, str]:
    return (int(qid[1:]), qid) if qid[1:].isdigit() else (0, qid)
