"""The type schema of a graph: which entity and relation types it holds, in what display order.

The schema belongs to the graph, not to the code: a `schema.yaml` beside the data lists the types
(`read_schema_file`), `atlas ingest` stores it in Neo4j as one `:AtlasSchema` node
(`store_schema`), and everything that reads the graph (the API, the pages, Browser queries,
notebooks) reads it from there (`GraphSchema`). Each importer brings its dataset's types
(ingest/sources/); the core ships none.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from core.db import Database, transaction_runner
from core.errors import AtlasError
from core.queries import Queries

SCHEMA_FILE_NAMES = ("schema.yaml", "schema.yml")
SCHEMA_FIELDS = ("entity_types", "relation_types", "reflexive_relation_types")
# Lowercase words joined by single underscores: the `<type>` of an id (ingest/records.py) follows it.
TYPE_NAME = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
MAX_DESCRIPTION = 300
# Labels Atlas itself gives nodes: an entity type with one of them would be mistaken for it.
RESERVED_LABELS = frozenset({"Entity", "AtlasSchema", "Decision", "CurationCounter"})


def neo4j_label(entity_type: str) -> str:
    """`research_area` -> `ResearchArea`: the Neo4j label of an entity type."""
    return "".join(part.capitalize() for part in entity_type.split("_"))


def neo4j_rel_type(relation_type: str) -> str:
    """`associated_with` -> `ASSOCIATED_WITH`: the Neo4j relationship type."""
    return relation_type.upper()


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like `word` (a typo's likely intent), or None when none is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_name_message(what: str, value: str, known: Iterable[str], known_as: str) -> str:
    """ "unknown entity type 'conecpt' (did you mean 'concept'?); this graph's entity types: ..."."""
    names = list(known)
    guess = closest(value, names)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    listed = ", ".join(names) if names else "none yet"
    return f"unknown {what} {value!r}{hint}; {known_as}: {listed}"


@dataclass(frozen=True)
class Schema:
    entity_types: tuple[str, ...] = ()  # in display order
    relation_types: tuple[str, ...] = ()
    reflexive_relation_types: frozenset[str] = frozenset()  # may join an entity to itself
    # One-line descriptions by type name; types without one are absent.
    entity_descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    relation_descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)

    def current(self) -> Schema:
        """A fixed schema is its own snapshot (see SchemaView): tests and benchmarks pass one."""
        return self

    def label(self, entity_type: str) -> str:
        return neo4j_label(entity_type)

    def rel_type(self, relation_type: str) -> str:
        return neo4j_rel_type(relation_type)

    def relation_from_neo4j(self, neo4j_type: str) -> str:
        return neo4j_type.lower()

    def unknown_entity_type(self, value: str) -> str | None:
        """Why `value` is not an entity type of this graph, or None when it is one."""
        if value in self.entity_types:
            return None
        return unknown_name_message("entity type", value, self.entity_types, "this graph's entity types")

    def unknown_relation_type(self, value: str) -> str | None:
        if value in self.relation_types:
            return None
        return unknown_name_message(
            "relation type", value, self.relation_types, "this graph's relation types"
        )

    def extended_with(self, other: Schema) -> Schema:
        """This schema, then the types of `other` it lacks (in `other`'s order): what an importer's
        dataset adds to a graph without reordering or dropping the graph's own types."""
        return Schema(
            _union(self.entity_types, other.entity_types),
            _union(self.relation_types, other.relation_types),
            self.reflexive_relation_types | other.reflexive_relation_types,
            {**other.entity_descriptions, **self.entity_descriptions},
            {**other.relation_descriptions, **self.relation_descriptions},
        )

    def as_parameters(self) -> dict[str, list[str]]:
        """The schema as node properties (Neo4j properties hold lists, not maps: descriptions are
        a list parallel to the types, '' where a type has none)."""
        return {
            "entity_types": list(self.entity_types),
            "entity_descriptions": [self.entity_descriptions.get(t, "") for t in self.entity_types],
            "relation_types": list(self.relation_types),
            "relation_descriptions": [self.relation_descriptions.get(t, "") for t in self.relation_types],
            "reflexive_relation_types": sorted(self.reflexive_relation_types),
        }

    @classmethod
    def from_parameters(cls, stored: Mapping[str, Any]) -> Schema:
        entity_types = tuple(stored.get("entity_types") or ())
        relation_types = tuple(stored.get("relation_types") or ())
        return cls(
            entity_types,
            relation_types,
            frozenset(stored.get("reflexive_relation_types") or ()),
            _described(entity_types, stored.get("entity_descriptions")),
            _described(relation_types, stored.get("relation_descriptions")),
        )


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _described(types: tuple[str, ...], descriptions: Iterable[str] | None) -> dict[str, str]:
    return {t: d for t, d in zip(types, descriptions or (), strict=False) if d}


def type_heading(entity_type: str) -> str:
    """'paper' -> 'Papers', 'research_query' -> 'Research Queries': a group's heading on a page."""
    words = entity_type.replace("_", " ").title()
    if words.endswith("y") and not words.endswith(("ay", "ey", "oy")):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("s", "x", "ch", "sh")) else "s")


# --- schema files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaProblem:
    line: int  # 1-based; 0 for the file as a whole
    field: str | None
    message: str


class SchemaError(AtlasError):
    """A schema file that cannot be used, or a schema change the graph refuses. Carries every
    problem, each with its line and field, so that the ingest reports them like record problems."""

    def __init__(self, path: Path | None, problems: list[SchemaProblem]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"  {self.where(problem)}: {problem.message}" for problem in problems]
        super().__init__("the schema is refused; nothing was written:\n" + "\n".join(lines))

    def where(self, problem: SchemaProblem) -> str:
        """'seeds/schema.yaml:12: field 'entity_types'', as record problems name theirs."""
        place = f"{self.path or 'schema'}" + (f":{problem.line}" if problem.line else "")
        return place + (f": field {problem.field!r}" if problem.field else "")


def read_schema_file(path: Path) -> Schema:
    """A `schema.yaml`: `entity_types` (in display order) and `relation_types`, each item a name or
    `name: one-line description`, and optionally `reflexive_relation_types`. SchemaError names the
    line and field of every problem."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaError(path, [SchemaProblem(0, None, f"cannot be read: {error}")]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(error, "problem", None) or str(error)
        raise SchemaError(path, [SchemaProblem(line, None, f"invalid YAML: {reason}")]) from error
    problems: list[SchemaProblem] = []
    schema = _schema_of_document(root, problems)
    if problems:
        raise SchemaError(path, problems)
    return schema


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _schema_of_document(root: yaml.Node | None, problems: list[SchemaProblem]) -> Schema:
    if not isinstance(root, yaml.MappingNode):
        problems.append(SchemaProblem(1, None, "expected a mapping with entity_types and relation_types"))
        return Schema()
    sections: dict[str, yaml.Node] = {}
    for key, value in root.value:
        name = str(key.value)
        if name not in SCHEMA_FIELDS:
            message = unknown_name_message("field", name, SCHEMA_FIELDS, "allowed")
            problems.append(SchemaProblem(_line(key), name, message))
        elif name in sections:
            problems.append(SchemaProblem(_line(key), name, "given twice"))
        else:
            sections[name] = value
    for required in SCHEMA_FIELDS[:2]:
        if required not in sections:
            problems.append(SchemaProblem(1, required, "missing"))
    entities = dict(_type_items(sections.get("entity_types"), "entity_types", problems))
    relations = dict(_type_items(sections.get("relation_types"), "relation_types", problems))
    reflexive = dict(
        _type_items(sections.get("reflexive_relation_types"), "reflexive_relation_types", problems)
    )
    _check_labels(entities, sections.get("entity_types"), problems)
    for name in reflexive:
        if name not in relations:
            message = unknown_name_message("relation type", name, relations, "relation_types lists")
            problems.append(
                SchemaProblem(
                    _line(sections["reflexive_relation_types"]), "reflexive_relation_types", message
                )
            )
    return Schema(
        tuple(entities),
        tuple(relations),
        frozenset(reflexive),
        {name: text for name, text in entities.items() if text},
        {name: text for name, text in relations.items() if text},
    )


def _type_items(
    node: yaml.Node | None, section: str, problems: list[SchemaProblem]
) -> Iterator[tuple[str, str]]:
    """(name, description) of each item of a type list, once each; problems for the others."""
    if node is None:
        return
    if not isinstance(node, yaml.SequenceNode):
        problems.append(SchemaProblem(_line(node), section, "expected a list of type names"))
        return
    seen: set[str] = set()
    for item in node.value:
        entry = _type_item(item)
        if isinstance(entry, str):
            problems.append(SchemaProblem(_line(item), section, entry))
            continue
        name, description = entry
        if name in seen:
            problems.append(SchemaProblem(_line(item), section, f"{name!r} is listed twice"))
            continue
        seen.add(name)
        yield name, description


def _type_item(item: yaml.Node) -> tuple[str, str] | str:
    """`concept` or `concept: description` as (name, description); a message when malformed."""
    description = ""
    if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
        key, value = item.value[0]
        if not isinstance(value, yaml.ScalarNode) or "\n" in str(value.value):
            return f"the description of {key.value!r} must be one line of text"
        description = str(value.value).strip()
        if len(description) > MAX_DESCRIPTION:
            return f"the description of {key.value!r} is longer than {MAX_DESCRIPTION} characters"
        item = key
    if not isinstance(item, yaml.ScalarNode):
        return "expected a type name, or 'name: one-line description'"
    name = str(item.value)
    if not TYPE_NAME.match(name):
        return f"type {name!r} is not lowercase snake_case (letters and single underscores)"
    return name, description


def _check_labels(entities: dict[str, str], node: yaml.Node | None, problems: list[SchemaProblem]) -> None:
    labels: dict[str, str] = {}
    for name in entities:
        label = neo4j_label(name)
        line = _line(node) if node is not None else 0
        if label in RESERVED_LABELS:
            problems.append(
                SchemaProblem(line, "entity_types", f"{name!r} would take Atlas's own label {label}")
            )
        elif label in labels:
            problems.append(
                SchemaProblem(line, "entity_types", f"{name!r} and {labels[label]!r} share the label {label}")
            )
        labels[label] = name


# --- the schema stored in the graph ------------------------------------------------------------------


class SchemaView(Protocol):
    """What readers and curation ask of a schema: a fixed `Schema` (tests, benchmarks) or
    `GraphSchema`, the graph's own, always as the graph holds it now."""

    @property
    def entity_types(self) -> tuple[str, ...]: ...
    @property
    def relation_types(self) -> tuple[str, ...]: ...
    @property
    def reflexive_relation_types(self) -> frozenset[str]: ...
    @property
    def entity_descriptions(self) -> Mapping[str, str]: ...
    @property
    def relation_descriptions(self) -> Mapping[str, str]: ...

    def current(self) -> Schema: ...
    def label(self, entity_type: str) -> str: ...
    def rel_type(self, relation_type: str) -> str: ...
    def relation_from_neo4j(self, neo4j_type: str) -> str: ...
    def unknown_entity_type(self, value: str) -> str | None: ...
    def unknown_relation_type(self, value: str) -> str | None: ...


def read_stored_schema(db: Database, queries: Queries) -> Schema | None:
    """The schema stored in the graph, or None when nothing stored one yet."""
    records = db.read(queries["schema_read"])
    return Schema.from_parameters(records[0]["schema"]) if records else None


class GraphSchema:
    """The graph's schema, read from Neo4j once and again only after the graph's revision moved
    (an ingest, or a Browser user editing the `:AtlasSchema` node): readers always see the types
    the graph holds, at the cost of one revision check per use. Answers like a `Schema` (each
    attribute from `current()`); take `current()` once for several uses that must agree."""

    def __init__(self, db: Database, queries: Queries) -> None:
        self.db = db
        self.queries = queries
        self._lock = threading.Lock()
        self._kept: tuple[str, Schema] | None = None

    def current(self) -> Schema:
        revision = self.db.revision()  # taken first: a commit in between only costs a re-read
        kept = self._kept
        if kept is not None and kept[0] == revision:
            return kept[1]
        with self._lock:
            schema = read_stored_schema(self.db, self.queries) or Schema()
            self._kept = (revision, schema)
        return schema

    @property
    def entity_types(self) -> tuple[str, ...]:
        return self.current().entity_types

    @property
    def relation_types(self) -> tuple[str, ...]:
        return self.current().relation_types

    @property
    def reflexive_relation_types(self) -> frozenset[str]:
        return self.current().reflexive_relation_types

    @property
    def entity_descriptions(self) -> Mapping[str, str]:
        return self.current().entity_descriptions

    @property
    def relation_descriptions(self) -> Mapping[str, str]:
        return self.current().relation_descriptions

    def label(self, entity_type: str) -> str:
        return neo4j_label(entity_type)

    def rel_type(self, relation_type: str) -> str:
        return neo4j_rel_type(relation_type)

    def relation_from_neo4j(self, neo4j_type: str) -> str:
        return neo4j_type.lower()

    def unknown_entity_type(self, value: str) -> str | None:
        return self.current().unknown_entity_type(value)

    def unknown_relation_type(self, value: str) -> str | None:
        return self.current().unknown_relation_type(value)


@dataclass(frozen=True)
class TypeUsage:
    entities: dict[str, int]  # entity type -> entities of it
    relations: dict[str, int]  # relation type -> relations of it

    def __bool__(self) -> bool:
        return bool(self.entities or self.relations)

    def problems(self) -> list[SchemaProblem]:
        return [
            *(
                SchemaProblem(
                    0,
                    "entity_types",
                    f"removes {name!r}, still the type of {count} entit{'y' if count == 1 else 'ies'}",
                )
                for name, count in self.entities.items()
            ),
            *(
                SchemaProblem(
                    0,
                    "relation_types",
                    f"removes {name!r}, still the type of {count} relation{'' if count == 1 else 's'}",
                )
                for name, count in self.relations.items()
            ),
        ]


def store_schema(db: Database, queries: Queries, schema: Schema, source: Path | None = None) -> None:
    """Make `schema` the graph's schema. Refused (SchemaError naming `source`, nothing written) when
    it drops a type that entities or relations of the graph still have."""
    db.prepare_once("atlas_schema", [queries["schema_create_constraint"]])
    stored = read_stored_schema(db, queries)
    if stored == schema:
        return
    must_check = stored is None or not (
        set(stored.entity_types) <= set(schema.entity_types)
        and set(stored.relation_types) <= set(schema.relation_types)
    )

    def work(tx: Any) -> None:
        run = transaction_runner(tx)
        if must_check:  # one scan of the graph, only when a type may have been dropped
            usage = _type_usage(run(queries["schema_usage"], **_kept_types(schema))[0])
            if usage:
                raise SchemaError(source, usage.problems())
        run(queries["schema_store"], **schema.as_parameters())

    db.write_transaction(work)


def _kept_types(schema: Schema) -> dict[str, list[str]]:
    return {
        "entity_types": list(schema.entity_types),
        "rel_types": [neo4j_rel_type(t) for t in schema.relation_types],
    }


def _type_usage(record: Any) -> TypeUsage:
    return TypeUsage(
        {row["type"]: row["count"] for row in record["entities"]},
        {row["type"]: row["count"] for row in record["relations"]},
    )
