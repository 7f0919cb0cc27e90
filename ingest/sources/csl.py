"""CSL-JSON libraries (as Zotero, pandoc and Crossref write them) as Atlas records.

A CSL-JSON file is an array of items. Each item is read with the standard library's JSON decoder
one at a time, so that it keeps the line it starts on; a field repeated within an object is an
error, as in every Atlas input. Names are already split by the exporter (`given`, `family`, the
particles, `suffix`; `literal` for an organisation). The item's CSL type is mapped to the BibTeX
entry type (`paper-conference` -> `inproceedings`, ...), so that a library gives the same graph in
either format. What the fields map to is in `bibliography.py`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ingest.problems import Location, Problem
from ingest.readers import RawRecord
from ingest.sources.bibliography import (
    Name,
    Work,
    arxiv_id,
    bad_bytes_message,
    invalid_utf8,
    library_records,
    normalise_doi,
    normalise_orcid,
    plain,
    read_text,
)

# CSL item types -> BibTeX entry types (Zotero's and pandoc's correspondence); others are `misc`.
ENTRY_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "report": "techreport",
    "thesis": "phdthesis",
    "manuscript": "unpublished",
    "article": "misc",  # a preprint
}
# The rich-text markup CSL allows in titles: <i>, <b>, <sup>, <sub>, <span class="nocase">...
MARKUP = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^<>]*)?>", re.IGNORECASE)


class _RepeatedField(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedField(key)
        data[key] = value
    return data


_decoder = json.JSONDecoder(object_pairs_hook=_object)


def read_csl(paths: list[Path], notes: list[str] | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """The records of one library spread over `paths`; notes (ambiguous names, repeated items,
    references outside the library) are appended to `notes`."""
    problems: list[Problem] = []
    works: list[Work] = []
    for path in paths:
        for location, item in _items(path, problems):
            work = _work(location, item, problems)
            if work is not None:
                works.append(work)
    records = library_records(works, problems, notes if notes is not None else [])
    return records, problems


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _items(path: Path, problems: list[Problem]) -> list[tuple[Location, dict[str, Any]]]:
    """Each item of the top-level array with the line it starts on."""
    text, bad_bytes = read_text(path, problems)
    if text is None:
        return []
    if bad_bytes:
        items, found = _items_in(path, text, []), []
        for location, item in items:
            key = _text(item.get("citation-key") or item.get("id"))
            for name, value in item.items():
                if message := bad_bytes_message(json.dumps(value, ensure_ascii=False)):
                    found.append(Problem(location, name, f"item {key!r}: {message}"))
        problems.extend(invalid_utf8(path, text, found))
        return []
    return _items_in(path, text, problems)


def _items_in(path: Path, text: str, problems: list[Problem]) -> list[tuple[Location, dict[str, Any]]]:
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        problems.append(
            Problem(
                Location(path, _line(text, position)), None, "CSL-JSON is an array of items: '[' expected"
            )
        )
        return []
    items: list[tuple[Location, dict[str, Any]]] = []
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return items
    while True:
        location = Location(path, _line(text, position))
        try:
            item, position = _decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problems.append(
                Problem(
                    Location(path, error.lineno), None, f"invalid JSON: {error.msg} (column {error.colno})"
                )
            )
            return []
        except _RepeatedField as error:
            problems.append(Problem(location, str(error), "the field is given twice in one object"))
            return []
        if isinstance(item, dict):
            items.append((location, item))
        else:
            problems.append(
                Problem(location, None, f"an item must be a JSON object, not {type(item).__name__}")
            )
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            continue
        if text.startswith("]", position) and not text[position + 1 :].strip():
            return items
        problems.append(
            Problem(Location(path, _line(text, position)), None, "invalid JSON: ',' or ']' expected")
        )
        return []


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _text(value: Any) -> str:
    return plain(MARKUP.sub("", value)) if isinstance(value, str) else plain(str(value)) if value else ""


def _work(location: Location, item: dict[str, Any], problems: list[Problem]) -> Work | None:
    key = _text(item.get("citation-key") or item.get("id"))
    if not key:
        problems.append(Problem(location, "id", "item without an id"))
        return None
    title = _text(item.get("title"))
    if not title:
        where = "an empty title" if "title" in item else "no title"
        problems.append(Problem(location, "title", f"item {key!r} has {where}"))
        return None
    csl_type = _text(item.get("type"))
    entry_type = ENTRY_TYPES.get(csl_type, "misc")
    venue = _text(item.get("container-title"))
    if not venue and entry_type in ("techreport", "phdthesis"):
        venue = _text(item.get("publisher"))
    doi = normalise_doi(_text(item.get("DOI")))
    references = [_text(ref) for ref in item.get("cites") or [] if _text(ref)]
    for reference in item.get("reference") or []:  # Crossref's list of what the work cites
        if isinstance(reference, dict) and (ref := _text(reference.get("DOI") or reference.get("key"))):
            references.append(ref)
    names = {role: _names(location, key, item, role, problems) for role in ("author", "editor")}
    return Work(
        location=location,
        key=key,
        entry_type=entry_type,
        title=title,
        abstract=_text(item.get("abstract")),
        year=_year(location, key, item.get("issued"), problems),
        venue=venue or None,
        doi=doi,
        arxiv=arxiv_id(None, doi, _text(item.get("number")), _text(item.get("URL")), _text(item.get("note"))),
        url=_text(item.get("URL")) or None,
        authors=names["author"],
        editors=names["editor"],
        references=references,
    )


def _year(location: Location, key: str, issued: Any, problems: list[Problem]) -> int | str | None:
    if issued is None:
        return None
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            first = parts[0][0]
            if isinstance(first, int) or (isinstance(first, str) and first.strip().isdigit()):
                return int(first)
        raw = issued.get("raw") or issued.get("literal")
        if isinstance(raw, str) and raw.strip():
            digits = raw.strip()[:4]
            return int(digits) if digits.isdigit() else raw.strip()
    if isinstance(issued, str) and issued.strip()[:4].isdigit():  # an EDTF date: "2024-12-18"
        return int(issued.strip()[:4])
    problems.append(Problem(location, "issued", f"item {key!r}: no year in {json.dumps(issued)[:80]}"))
    return None


def _names(
    location: Location, key: str, item: dict[str, Any], role: str, problems: list[Problem]
) -> list[Name]:
    value = item.get(role) or []
    if not isinstance(value, list):
        problems.append(Problem(location, role, f"item {key!r}: a list of names expected"))
        return []
    names: list[Name] = []
    for position, person in enumerate(value, start=1):
        if not isinstance(person, dict):
            problems.append(Problem(location, role, f"item {key!r}: {role} {position} is not a name object"))
            continue
        orcid = normalise_orcid(_text(person.get("ORCID")))
        if literal := _text(person.get("literal")):
            names.append(Name(literal=literal, orcid=orcid))
            continue
        family = _text(person.get("family"))
        if not family:
            problems.append(Problem(location, role, f"item {key!r}: {role} {position} has no family name"))
            continue
        particle = " ".join(
            part
            for part in (_text(person.get("dropping-particle")), _text(person.get("non-dropping-particle")))
            if part
        )
        names.append(
            Name(
                given=_text(person.get("given")),
                particle=particle,
                family=family,
                suffix=_text(person.get("suffix")),
                orcid=orcid,
            )
        )
    return names
