"""A reference manager's library as Atlas records: what `bibtex.py` and `csl.py` share.

Each reader turns its format into `Work`s (one per entry, located at its file and line, every name
already split into given names, particle, family name and suffix); `library_records` maps them:

- each work -> a `paper`: name = the title as plain text, description = the abstract, `url` from the
  DOI (else the url field, else the arXiv id); year, venue, DOI, arXiv id, entry type and citation
  key in `properties`. Id: `paper:doi-<doi>` for a DOI, else `paper:arxiv-<id>` (arXiv DOIs
  10.48550/arXiv.<id> count as arXiv ids), else `paper:key-<citation key>`: stable, so re-importing
  a grown library only adds its new entries;
- each person -> one `thinker` for the whole library: the same ORCID, else the same normalised full
  name (accents, case and punctuation aside) is the same person; a form with initials only
  ("S. R. Bowman") joins the one person whose full name it abbreviates, and when several fit it is
  kept apart and reported (a note), never guessed. Id: `thinker:<name slug>` (plus the ORCID when
  two people share the slug); the other spellings are its aliases;
- a corporate author (BibTeX `{Braced Name}`, CSL `literal`) -> an `organization`;
- `authored` (author -> paper) and `edited` (editor -> paper) edges, the position on the edge as its
  description: "author 2 of 5";
- `cites` (paper -> paper) for each reference that names a work of the library (its citation key,
  DOI or arXiv id); references outside it are counted in a note.

`link_existing` then drops the records of people and organisations the graph already holds: they
are linked to, never rewritten (a curated description stays).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.schema import Schema
from ingest.problems import Location, Problem
from ingest.readers import RawRecord
from ingest.records import slugify

# The types this importer writes, kept here in one place; SCHEMA adds them to the graph's schema.
ENTITY_TYPES = {"paper": "paper", "person": "thinker", "organization": "organization"}
RELATION_TYPES = {"author": "authored", "editor": "edited", "cites": "cites"}
SCHEMA = Schema(
    entity_types=tuple(ENTITY_TYPES.values()),
    relation_types=tuple(RELATION_TYPES.values()),
    relation_descriptions={
        "authored": "thinker -> paper, in author order",
        "edited": "thinker/organization -> paper, or the volume holding it",
        "cites": "paper -> paper",
    },
)

ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
# New-style (2412.14093, 0704.0001) and old-style (hep-th/9901001) arXiv identifiers.
# New-style (2412.14093, 0704.0001) and old-style (hep-th/9901001) arXiv identifiers, bare (an
# eprint field) or named as such in a URL, a DOI or a note ("arXiv:2412.14093").
_ARXIV = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?"
ARXIV_BARE = re.compile(rf"^{_ARXIV}$", re.IGNORECASE)
ARXIV_IN_TEXT = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+|\.){_ARXIV}", re.IGNORECASE)
DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)


@dataclass
class Name:
    """One person (or, with `literal`, an organisation) as the entry names them."""

    given: str = ""  # given names, as plain text ("Samuel R.")
    particle: str = ""  # "von", "van", "de la"
    family: str = ""
    suffix: str = ""  # "Jr.", "III"
    literal: str = ""  # a corporate name, kept whole
    orcid: str | None = None

    @property
    def is_organization(self) -> bool:
        return bool(self.literal)

    @property
    def full(self) -> str:
        if self.literal:
            return self.literal
        text = " ".join(part for part in (self.given, self.particle, self.family) if part)
        return f"{text}, {self.suffix}" if self.suffix else text


@dataclass
class Work:
    """One library entry, format-neutral, with where it was read."""

    location: Location
    key: str
    entry_type: str  # BibTeX's vocabulary; CSL types are mapped to it (csl.py)
    title: str
    abstract: str = ""
    year: int | str | None = None
    venue: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    authors: list[Name] = field(default_factory=list)
    editors: list[Name] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # citation keys, DOIs or arXiv ids


def plain(text: str) -> str:
    """Whitespace collapsed, non-breaking spaces included."""
    return " ".join(text.replace("\xa0", " ").split())


def normalise_doi(value: str | None) -> str | None:
    if not value:
        return None
    return DOI_PREFIX.sub("", value.strip()) or None


def arxiv_id(eprint: str | None, *texts: str | None) -> str | None:
    """The arXiv identifier, without its version: a bare id in `eprint`, or one that `texts` (a DOI,
    a URL, a journal or note field) name as arXiv's."""
    if eprint and (match := ARXIV_BARE.match(eprint.strip())):
        return match.group("id")
    for text in (eprint, *texts):
        if text and (match := ARXIV_IN_TEXT.search(text)):
            return match.group("id")
    return None


BAD_BYTES = re.compile(r"[\udc80-\udcff]")  # invalid UTF-8 bytes, as read by read_text


def read_text(path: Path, problems: list[Problem]) -> tuple[str | None, bool]:
    """A library file as text, and whether it holds invalid UTF-8. Such bytes are kept as lone
    surrogates (`BAD_BYTES`), so that the reader can name the entry and field they are in; the
    caller reports them (`invalid_utf8`). A byte-order mark, which some exporters write, is
    dropped."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(Problem(Location(path, 0), None, f"cannot read: {error.strerror}"))
        return None, False
    text = raw.decode("utf-8", errors="surrogateescape")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(Location(path, line), None, "contains a NUL byte"))
        return None, False
    return text.removeprefix("\ufeff"), bool(BAD_BYTES.search(text))


def invalid_utf8(path: Path, text: str, found: list[Problem]) -> list[Problem]:
    """The problems for a file with invalid UTF-8: those the reader `found` in entries' fields, else
    the first bad byte's line."""
    if found:
        return found
    position = BAD_BYTES.search(text)
    line = text[: position.start()].count("\n") + 1 if position else 0
    return [Problem(Location(path, line), None, "not valid UTF-8")]


def bad_bytes_message(value: str) -> str | None:
    """`not valid UTF-8 (byte 0xc3 in 'Caf…')` when `value` holds bytes that are not UTF-8."""
    match = BAD_BYTES.search(value)
    if match is None:
        return None
    before = value[max(0, match.start() - 20) : match.start()]
    return f"not valid UTF-8 (byte 0x{ord(match.group()) - 0xDC00:02x} after {before!r})"


def normalise_orcid(value: str | None) -> str | None:
    match = ORCID.search(value or "")
    return match.group(1).upper() if match else None


def paper_id(work: Work) -> str:
    doi = work.doi
    if doi and not ARXIV_DOI.match(doi):
        return f"{ENTITY_TYPES['paper']}:doi-{slugify(doi)}"
    if work.arxiv:
        return f"{ENTITY_TYPES['paper']}:arxiv-{slugify(work.arxiv)}"
    return f"{ENTITY_TYPES['paper']}:key-{slugify(work.key) or 'unnamed'}"


# --- people --------------------------------------------------------------------------------------


# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ı": "i",
     "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th"}
)  # fmt: skip


def _fold(text: str) -> str:
    """Lowercase ASCII words: accents, case and punctuation do not tell people apart."""
    text = text.translate(_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


@dataclass
class _Form:
    """One spelling of a name, where it occurs."""

    name: Name
    given: tuple[str, ...]  # folded given-name words
    surname: str  # folded particle + family + suffix
    where: str  # for notes: "refs.bib:12: entry 'key' author 3"

    @property
    def key(self) -> str:
        """The folded full name: the same key, the same person (unless ORCIDs tell them apart)."""
        return " ".join([*self.given, self.surname])

    @property
    def initials_only(self) -> bool:
        return bool(self.given) and all(len(word) == 1 for word in self.given)

    @property
    def initials(self) -> tuple[str, ...]:
        return tuple(word[0] for word in self.given)


class _Person:
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "person" or "organization"
        self.forms: list[_Form] = []
        self.orcid: str | None = None
        self.id = ""

    def main_form(self) -> _Form:
        """The spelling the library uses most; among equals the one with most accents, then the
        fullest, then the first. It names the entity and gives its id."""
        counts = Counter(form.name.full for form in self.forms)

        def rank(item: tuple[int, _Form]) -> tuple[int, int, bool, int, int]:
            order, form = item
            text = form.name.full
            accents = sum(not ch.isascii() for ch in text)
            return (-counts[text], -accents, form.initials_only, -len(form.given), order)

        return min(enumerate(self.forms), key=rank)[1]

    def display(self) -> str:
        return self.main_form().name.full

    def aliases(self) -> list[str]:
        name = self.display()
        return sorted({form.name.full for form in self.forms} - {name})


def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """`short` given names abbreviate `full`: word by word the same or its initial, possibly without
    the last middle names ("S. R." and "Samuel" abbreviate "Samuel R."; "Sam" does not)."""
    return (
        0 < len(short) <= len(full)
        and short != full
        and all(a == b or (len(a) == 1 and b.startswith(a)) for a, b in zip(short, full, strict=False))
    )


def _resolve_people(forms: list[_Form], notes: list[str]) -> dict[int, _Person]:
    """Which person each form (by index) is: the same ORCID, else the same folded full name, else
    the one person whose fuller name the form abbreviates; never a guess between several."""
    people: dict[int, _Person] = {}
    organizations: dict[str, _Person] = {}
    by_orcid: dict[str, _Person] = {}
    groups: dict[str, list[int]] = defaultdict(list)  # folded full name -> forms without ORCID
    for index, form in enumerate(forms):
        if form.name.is_organization:
            person = organizations.setdefault(form.key, _Person("organization"))
        elif form.name.orcid:
            if form.name.orcid not in by_orcid:
                by_orcid[form.name.orcid] = _Person("person")
                by_orcid[form.name.orcid].orcid = form.name.orcid
            person = by_orcid[form.name.orcid]
        else:
            groups[form.key].append(index)
            continue
        person.forms.append(form)
        people[index] = person

    # A name that people with an ORCID carry is theirs when exactly one does.
    own: dict[str, _Person] = {}  # folded name -> the person it stands for
    for key, indexes in groups.items():
        carriers = [p for p in by_orcid.values() if any(f.key == key for f in p.forms)]
        if len(carriers) == 1:
            own[key] = carriers[0]
        else:
            if carriers:
                notes.append(
                    f"{forms[indexes[0]].where} {forms[indexes[0]].name.full!r}: several people with "
                    f"an ORCID have this name ({', '.join(sorted(str(p.orcid) for p in carriers))}); "
                    "kept apart"
                )
            own[key] = _Person("person")
            own[key].forms.extend(forms[i] for i in indexes)

    # A shorter form joins the one fullest person it abbreviates, if only one.
    persons = list({id(p): p for p in [*own.values(), *by_orcid.values()]}.values())
    key_of = {id(own[key]): key for key in groups if own[key].orcid is None}

    def fuller(key: str) -> list[_Person]:
        sample = forms[groups[key][0]]
        return [
            p
            for p in persons
            if p is not own[key]
            and any(f.surname == sample.surname and _abbreviates(sample.given, f.given) for f in p.forms)
        ]

    candidates = {key: fuller(key) for key in groups if own[key].orcid is None}
    joins: dict[str, _Person] = {}
    for key, found in candidates.items():
        # The fullest: those not themselves abbreviating another (who is then a candidate too).
        tops = [p for p in found if p.orcid or not candidates[key_of[id(p)]]]
        if len(tops) == 1:
            joins[key] = tops[0]
        elif tops:
            sample = forms[groups[key][0]]
            names = sorted(p.display() for p in tops)
            notes.append(
                f"{sample.where} {sample.name.full!r}: could be any of several people "
                f"({'; '.join(names)}); kept as a person of its own"
            )
    for key, person in joins.items():
        person.forms.extend(forms[index] for index in groups[key])
        own[key] = person
    for key, indexes in groups.items():
        for index in indexes:
            people[index] = own[key]
    _assign_ids(list({id(p): p for p in people.values()}.values()))
    return people


def _assign_ids(people: list[_Person]) -> None:
    """`<type>:<slug of the main spelling>`; people with an ORCID add it when a slug is shared.
    Folded names are lowercase words, so distinct names never share a slug."""
    slugs: dict[str, list[_Person]] = defaultdict(list)
    for person in people:
        slug = slugify(person.main_form().key) or "unnamed"
        slugs[f"{ENTITY_TYPES[person.kind]}:{slug}"].append(person)
    taken: set[str] = set()
    for base, sharing in slugs.items():
        for person in sharing:
            shared = person.orcid and len(sharing) > 1
            person.id = f"{base}-{slugify(person.orcid or '')}" if shared else base
            number = 2
            while person.id in taken:  # not expected (see above); never two people on one id
                person.id, number = f"{base}-{number}", number + 1
            taken.add(person.id)


# --- records -------------------------------------------------------------------------------------


def library_records(works: list[Work], problems: list[Problem], notes: list[str]) -> list[RawRecord]:
    """The entities and relations of a library; problems and notes are appended to."""
    works = _distinct_works(works, problems, notes)
    forms: list[_Form] = []
    roles: list[tuple[int, str, int, int]] = []  # (work index, role, position, of how many)
    for number, work in enumerate(works):
        for role, names in (("author", work.authors), ("editor", work.editors)):
            for position, name in enumerate(names, start=1):
                where = f"{work.location}: entry {work.key!r} {role} {position}"
                forms.append(_form(name, where))
                roles.append((number, role, position, len(names)))
    people = _resolve_people(forms, notes)

    records: list[RawRecord] = []
    ids = [paper_id(work) for work in works]
    for work, pid in zip(works, ids, strict=True):
        records.append(RawRecord(work.location, _paper(work, pid)))
    written: set[str] = set()
    for index, person in people.items():
        if person.id not in written:
            written.add(person.id)
            records.append(RawRecord(works[roles[index][0]].location, _person(person)))
    seen: dict[tuple[str, str, str], str] = {}
    for index, (number, role, position, total) in enumerate(roles):
        work, person = works[number], people[index]
        key = (person.id, RELATION_TYPES[role], ids[number])
        if (first := seen.get(key)) is not None:
            problems.append(
                Problem(
                    work.location,
                    role,
                    f"entry {work.key!r}: {forms[index].name.full!r} ({role} {position}) is the same "
                    f"person as {first} ({person.id})",
                )
            )
            continue
        seen[key] = f"{role} {position}"
        relation = {
            "kind": "relation",
            "source": person.id,
            "type": RELATION_TYPES[role],
            "target": ids[number],
            "description": f"{role} {position} of {total}",
        }
        records.append(RawRecord(work.location, relation))
    records.extend(_citations(works, ids, notes))
    return records


def _form(name: Name, where: str) -> _Form:
    if name.is_organization:
        return _Form(name, (), _fold(name.literal), where)
    given = tuple(_fold(name.given).split())
    surname = _fold(" ".join(part for part in (name.particle, name.family, name.suffix) if part))
    return _Form(name, given, surname, where)


def _paper(work: Work, pid: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "year": work.year,
        "venue": work.venue,
        "doi": work.doi,
        "arxiv": work.arxiv,
        "entry_type": work.entry_type,
        "citation_key": work.key,
    }
    url = (
        f"https://doi.org/{work.doi}"
        if work.doi
        else work.url
        if work.url and work.url.lower().startswith(("http://", "https://"))
        else f"https://arxiv.org/abs/{work.arxiv}"
        if work.arxiv
        else None
    )
    return {
        "kind": "entity",
        "type": ENTITY_TYPES["paper"],
        "id": pid,
        "name": work.title,
        "description": work.abstract,
        "url": url,
        "properties": {key: value for key, value in properties.items() if value not in (None, "")},
    }


def _person(person: _Person) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "entity",
        "type": ENTITY_TYPES[person.kind],
        "id": person.id,
        "name": person.display(),
        "aliases": person.aliases(),
    }
    if person.orcid:
        record["url"] = f"https://orcid.org/{person.orcid}"
        record["properties"] = {"orcid": person.orcid}
    return record


def _content(work: Work) -> tuple[Any, ...]:
    return tuple((name, value) for name, value in vars(work).items() if name not in ("location", "key"))


def _distinct_works(works: list[Work], problems: list[Problem], notes: list[str]) -> list[Work]:
    """One work per citation key and per paper id; an exact repeat is dropped with a note, a key or
    identifier given twice with different content is a problem."""
    by_key: dict[str, Work] = {}
    by_id: dict[str, Work] = {}
    kept: list[Work] = []
    for work in works:
        if (first := by_key.get(work.key.lower())) is not None:
            if _content(first) == _content(work):
                notes.append(f"{work.location}: entry {work.key!r} repeats {first.location}; read once")
            else:
                problems.append(
                    Problem(
                        work.location,
                        "key",
                        f"entry {work.key!r} is defined twice with different content "
                        f"(first at {first.location})",
                    )
                )
            continue
        by_key[work.key.lower()] = work
        pid = paper_id(work)
        if (first := by_id.get(pid)) is not None:
            what = "DOI" if ":doi-" in pid else "arXiv id"
            problems.append(
                Problem(
                    work.location,
                    "doi" if what == "DOI" else "arxiv",
                    f"entry {work.key!r} has the same {what} as entry {first.key!r} ({first.location}): "
                    "one paper, two entries",
                )
            )
            continue
        by_id[pid] = work
        kept.append(work)
    return kept


def _citations(works: list[Work], ids: list[str], notes: list[str]) -> list[RawRecord]:
    lookup: dict[str, str] = {}
    for work, pid in zip(works, ids, strict=True):
        lookup[work.key.lower()] = pid
        if work.doi:
            lookup[work.doi.lower()] = pid
        if work.arxiv:
            lookup[work.arxiv.lower()] = pid
    records: list[RawRecord] = []
    for work, pid in zip(works, ids, strict=True):
        targets: list[str] = []
        outside: list[str] = []
        for reference in work.references:
            ref = reference.strip()
            target = (
                lookup.get(ref.lower())
                or lookup.get((normalise_doi(ref) or "").lower())
                or lookup.get((arxiv_id(ref) or "").lower())
            )
            if target is None:
                outside.append(ref)
            elif target != pid and target not in targets:
                targets.append(target)
        if outside:
            notes.append(
                f"{work.location}: entry {work.key!r}: {len(outside)} reference(s) not in the library, "
                f"no edge: {', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''}"
            )
        for target in targets:
            relation = {"kind": "relation", "source": pid, "type": RELATION_TYPES["cites"], "target": target}
            records.append(RawRecord(work.location, relation))
    return records


def link_existing(
    records: Iterable[RawRecord], existing_ids: Callable[[Iterable[str]], set[str]]
) -> list[RawRecord]:
    """The records without the people and organisations the graph already holds: their relations
    still link to them, their curated names and descriptions stay as they are."""
    records = list(records)
    people = {
        r.data["id"]
        for r in records
        if r.data["kind"] == "entity"
        and r.data["type"] in (ENTITY_TYPES["person"], ENTITY_TYPES["organization"])
    }
    held = existing_ids(people)
    return [r for r in records if not (r.data["kind"] == "entity" and r.data["id"] in held)]
