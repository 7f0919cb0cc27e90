"""BibTeX libraries (as Zotero, JabRef, Mendeley or Overleaf export them) as Atlas records.

Parsing is pybtex's (its BibTeX grammar: `@string` macros and `#` concatenation, month macros,
nested braces; and BibTeX's own name-splitting rules for "von" particles, "Jr" and
`{Braced Organisation}` names). pybtex's low-level parser is used directly so that every entry and
field keeps its line, and every syntax error in a file is reported, not only the first. LaTeX is
turned into text by pylatexenc (accents, `\\emph{}`, dashes, math such as `$\\alpha$`).

`crossref` follows BibTeX: an entry takes each field it lacks from the entry it names (a
proceedings' `title` becomes its papers' `booktitle`), and a crossref'd `@proceedings`/`@book` is
a container, not a paper of its own. What the fields map to is in `bibliography.py`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pybtex.bibtex.utils import split_name_list  # type: ignore[import-untyped]
from pybtex.database import Person  # type: ignore[import-untyped]
from pybtex.database.input.bibtex import LowLevelParser, month_names  # type: ignore[import-untyped]
from pybtex.exceptions import PybtexError  # type: ignore[import-untyped]
from pybtex.scanner import PybtexSyntaxError  # type: ignore[import-untyped]
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

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

PERSON_FIELDS = ("author", "editor")
CONTAINER_TYPES = {
    "proceedings",
    "book",
    "collection",
    "mvbook",
    "mvproceedings",
    "mvcollection",
    "periodical",
}
VENUE_FIELDS = ("journal", "journaltitle", "booktitle")
REPORT_VENUE_FIELDS = ("institution", "school", "organization")


@dataclass
class _Entry:
    location: Location
    entry_type: str
    key: str
    fields: dict[str, str]  # lowercase field name -> value, macros expanded, LaTeX kept
    lines: dict[str, int] = field(default_factory=dict)


class _LocatingParser(LowLevelParser):  # type: ignore[misc]
    """pybtex's parser, remembering the line each entry and each field starts on."""

    entry_line = 1
    field_line = 1  # of the field being read
    field_lines: dict[str, int]

    def parse_command(self) -> Any:
        self.entry_line = self.lineno  # the '@' has just been read
        self.field_lines = {}
        return super().parse_command()

    def parse_field(self) -> None:
        self.eat_whitespace()
        self.field_line = line = self.lineno
        super().parse_field()
        if self.current_field_name:
            self.field_lines.setdefault(self.current_field_name.lower(), line)


logging.getLogger("pylatexenc").setLevel(logging.ERROR)  # it logs what it keeps as written
_latex = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """LaTeX as plain text: `{\\"o}` -> ö, `{GPT}` -> GPT, `\\emph{x}` -> x, `---` -> —."""
    try:
        return plain(_latex.latex_to_text(value))
    except Exception:  # pylatexenc is tolerant; anything it still refuses is kept as written
        return plain(value)


def read_bibtex(paths: list[Path], notes: list[str] | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """The records of one library spread over `paths` (macros carry from one file to the next, as
    in BibTeX). Notes (ambiguous names, repeated entries, references outside the library) are
    appended to `notes`."""
    problems: list[Problem] = []
    macros: dict[str, str] = dict(month_names)
    entries: list[_Entry] = []
    for path in paths:
        entries.extend(_read_file(path, macros, problems))
    works = _works(entries, problems)
    records = library_records(works, problems, notes if notes is not None else [])
    return records, problems


def _read_file(path: Path, macros: dict[str, str], problems: list[Problem]) -> list[_Entry]:
    text, bad_bytes = read_text(path, problems)
    if text is None:
        return []
    from pybtex.utils import CaseInsensitiveDict  # type: ignore[import-untyped]

    shared = CaseInsensitiveDict(macros)
    parser: _LocatingParser
    broken: set[int] = set()  # lines of entries with a syntax error: reported once, not read on

    def failed(error: PybtexSyntaxError) -> None:  # every syntax error, with where it happened
        problems.append(_syntax_problem(path, text, error, parser))
        broken.add(parser.entry_line)

    parser = _LocatingParser(text, macros=shared, handle_error=failed, filename=str(path))
    entries: list[_Entry] = []
    for command, body in parser:
        location = Location(path, parser.entry_line)
        kind = command.lower()
        if kind in ("string", "preamble") or parser.entry_line in broken:
            continue
        key, fields = body
        if not key:
            problems.append(Problem(location, "key", f"@{command} entry without a citation key"))
            continue
        values: dict[str, str] = {}
        for name, parts in fields:
            lower = name.lower()
            if lower in values:
                line = Location(path, parser.field_lines.get(lower, parser.entry_line))
                problems.append(Problem(line, lower, f"entry {key!r} gives the field twice"))
                continue
            values[lower] = " ".join("".join(parts).split())
        entries.append(_Entry(location, kind, key, values, dict(parser.field_lines)))
    macros.update(dict(shared.items()))
    if bad_bytes:  # name the entry and field holding them; nothing of the file is read on
        found = [
            Problem(_at(entry, name), name, f"entry {entry.key!r}: {message}")
            for entry in entries
            for name, value in entry.fields.items()
            if (message := bad_bytes_message(value))
        ]
        problems.extend(invalid_utf8(path, text, found))
        return []
    return entries


def _syntax_problem(path: Path, text: str, error: PybtexSyntaxError, parser: _LocatingParser) -> Problem:
    """Where the entry that failed starts, its key and field, and where the parser gave up."""
    key, field_name = parser.current_entry_key, parser.current_field_name
    if field_name:
        line = parser.field_line
    else:
        start = error.error_context_info[0] if isinstance(error.error_context_info, tuple) else None
        line = text.count("\n", 0, start) + 1 if isinstance(start, int) else error.lineno or 0
    message = str(error.args[0]) if error.args else type(error).__name__
    entry = f"entry {key!r}: " if key else ""
    at = f" (the parser stopped at line {error.lineno})" if error.lineno and error.lineno != line else ""
    hint = "; unbalanced braces or quotes?" if "end of file" in message else ""
    field_name = field_name.lower() if field_name else None
    return Problem(Location(path, line), field_name, f"{entry}{error.error_type}: {message}{at}{hint}")


def _works(entries: list[_Entry], problems: list[Problem]) -> list[Work]:
    by_key = {entry.key.lower(): entry for entry in entries}
    containers: set[str] = set()
    works: list[Work] = []
    for entry in entries:
        if parent_key := entry.fields.get("crossref"):
            parent = by_key.get(parent_key.lower())
            if parent is None:
                problems.append(
                    Problem(
                        _at(entry, "crossref"),
                        "crossref",
                        f"entry {entry.key!r} refers to {parent_key!r}, which the library does not hold",
                    )
                )
                continue
            containers.add(parent.key.lower())
            _inherit(entry, parent)
    for entry in entries:
        if entry.key.lower() in containers and entry.entry_type in CONTAINER_TYPES:
            continue
        work = _work(entry, problems)
        if work is not None:
            works.append(work)
    return works


def _inherit(entry: _Entry, parent: _Entry) -> None:
    for name, value in parent.fields.items():
        if name in ("crossref", "key", "ids"):
            continue
        if name == "title":
            entry.fields.setdefault("booktitle", value)
            continue
        entry.fields.setdefault(name, value)


def _at(entry: _Entry, field_name: str) -> Location:
    return Location(entry.location.path, entry.lines.get(field_name, entry.location.line))


def _work(entry: _Entry, problems: list[Problem]) -> Work | None:
    f = entry.fields
    title = latex_to_text(f.get("title", ""))
    if not title:
        where = "an empty title" if "title" in f else "no title"
        problems.append(Problem(_at(entry, "title"), "title", f"entry {entry.key!r} has {where}"))
        return None
    names: dict[str, list[Name]] = {}
    for role in PERSON_FIELDS:
        names[role] = _names(entry, role, problems)
    venue_fields = VENUE_FIELDS + (
        REPORT_VENUE_FIELDS if entry.entry_type in ("techreport", "report") else ()
    )
    venue = next((latex_to_text(f[name]) for name in venue_fields if f.get(name)), None)
    doi = normalise_doi(f.get("doi"))
    eprint = (
        f.get("eprint") if f.get("archiveprefix", f.get("eprinttype", "arxiv")).lower() == "arxiv" else None
    )
    return Work(
        location=entry.location,
        key=entry.key,
        entry_type=entry.entry_type,
        title=title,
        abstract=latex_to_text(f.get("abstract", "")),
        year=_year(f.get("year") or f.get("date", "")[:4]),
        venue=venue or None,
        doi=doi,
        arxiv=arxiv_id(eprint, doi, f.get("url"), f.get("journal"), f.get("note")),
        url=f.get("url"),
        authors=names["author"],
        editors=names["editor"],
        references=[ref for ref in (f.get("cites") or "").replace(";", ",").split(",") if ref.strip()],
    )


def _year(value: str) -> int | str | None:
    value = value.strip()
    return int(value) if value.isdigit() else (value or None)


def _names(entry: _Entry, role: str, problems: list[Problem]) -> list[Name]:
    value = entry.fields.get(role)
    if not value:
        return []
    orcids = _orcids(entry.fields.get(f"{role}+an:orcid", ""))
    names: list[Name] = []
    for position, text in enumerate(split_name_list(value), start=1):
        text = text.strip()
        if not text or text.lower() == "others":  # "and others": et al.
            continue
        stripped = text.strip()
        if stripped.startswith("{") and stripped.endswith("}") and _one_group(stripped):
            names.append(Name(literal=latex_to_text(stripped), orcid=orcids.get(position)))
            continue
        try:
            person = Person(text)
        except PybtexError as error:
            problems.append(
                Problem(_at(entry, role), role, f"entry {entry.key!r}: {role} {position}: {error}")
            )
            continue
        name = Name(
            given=latex_to_text(" ".join(person.first_names + person.middle_names)),
            particle=latex_to_text(" ".join(person.prelast_names)),
            family=latex_to_text(" ".join(person.last_names)),
            suffix=latex_to_text(" ".join(person.lineage_names)),
            orcid=orcids.get(position),
        )
        if not name.family:
            problems.append(
                Problem(
                    _at(entry, role),
                    role,
                    f"entry {entry.key!r}: {role} {position} {text!r} has no family name",
                )
            )
            continue
        names.append(name)
    return names


def _one_group(text: str) -> bool:
    """`{The Open Science Collaboration}`: the whole name is one brace group (BibTeX's way of
    writing a corporate name, never split into given and family names)."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _orcids(annotation: str) -> dict[int, str]:
    """biblatex data annotations `author+an:orcid = {1="0000-0002-...";3="..."}`: position ->
    ORCID."""
    found: dict[int, str] = {}
    for item in annotation.split(";"):
        position, _, value = item.partition("=")
        orcid = normalise_orcid(value)
        if position.strip().isdigit() and orcid:
            found[int(position.strip())] = orcid
    return found
