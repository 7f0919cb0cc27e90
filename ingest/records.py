"""The record format: one entity or one relation, as read from JSON Lines, CSV or YAML.

Whether a record's types are this graph's types, and whether a relation may join an entity to
itself, depends on the graph's schema: validation passes it as pydantic's context
(`model_validate(data, context=schema_context(schema))`, see ingest/validate.py). Records built
without a schema are checked for their shape only."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from core.schema import Schema

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_RE = re.compile(rf"^(?P<type>[a-z][a-z_]*):(?P<slug>{SLUG_PATTERN})\Z")  # \Z, not $: no final newline
# Control characters other than tab and newline are refused: they are never intended in a name or
# description, and NUL in particular breaks downstream tools. Lone surrogates cannot be stored.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
# Pages render `url` as a link: only web addresses, never `javascript:` or `data:`.
URL_SCHEMES = ("http://", "https://")
STATUSES = ("active", "draft", "deprecated")

MAX_NAME = 500
MAX_DESCRIPTION = 20_000

Scalar = str | int | float | bool
ShortText = Annotated[str, Field(max_length=MAX_NAME)]


def slugify(text: str) -> str:
    """'Sycophancy in LLMs' -> 'sycophancy-in-llms' (ASCII letters, digits and single hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _no_control_characters(value: str) -> str:
    if match := CONTROL_RE.search(value):
        raise ValueError(f"contains the control character or lone surrogate {match.group()!r}")
    return value


def schema_context(schema: Schema) -> dict[str, Schema]:
    return {"schema": schema}


def _schema_of(info: ValidationInfo) -> Schema | None:
    context = info.context
    return context.get("schema") if isinstance(context, dict) else None


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError(
            f"{value!r} is not an id of the form <type>:<slug> "
            "(slug: lowercase letters, digits and single hyphens)"
        )
    return value


class EntityRecord(BaseModel):
    # NaN and infinity are refused: JSON responses cannot carry them.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["entity"] = "entity"
    type: str  # before `id`, so that the id's check can compare its prefix with the type
    id: str | None = Field(None, validate_default=True)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    status: Literal["active", "draft", "deprecated"] = "active"
    aliases: list[ShortText] = Field(default_factory=list, max_length=100)
    url: str | None = Field(None, max_length=2000)
    properties: dict[str, Scalar | list[Scalar] | None] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        schema = _schema_of(info)
        if schema is not None and (problem := schema.unknown_entity_type(value)):
            raise ValueError(problem)
        return value

    @field_validator("name", "description", "url")
    @classmethod
    def _clean_text(cls, value: str | None) -> str | None:
        return value if value is None else _no_control_characters(value)

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, value: list[str]) -> list[str]:
        return [_no_control_characters(alias) for alias in value]

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(URL_SCHEMES):
            raise ValueError(f"must start with http:// or https://, not {value[:40]!r}")
        return value

    @field_validator("properties")
    @classmethod
    def _clean_properties(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Keys and texts are stored as JSON text; they follow the same rule as names."""
        for key, item in value.items():
            for text in [key, *(item if isinstance(item, list) else [item])]:
                if isinstance(text, str) and (match := CONTROL_RE.search(text)):
                    raise ValueError(
                        f"{key!r} contains the control character or lone surrogate {match.group()!r}"
                    )
        return value

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and isinstance(data.get("name"), str):
            slug = slugify(data["name"])
            if slug and isinstance(data.get("type"), str):
                data = {**data, "id": f"{data['type']}:{slug}"}
        return data

    @field_validator("id")
    @classmethod
    def _id_matches_type(cls, value: str | None, info: ValidationInfo) -> str:
        if value is None:
            raise ValueError("id is missing and cannot be derived from the name")
        _check_id(value)
        prefix, entity_type = value.split(":", 1)[0], info.data.get("type")
        if entity_type is not None and prefix != entity_type:
            raise ValueError(f"id prefix {prefix!r} must equal the type {entity_type!r}")
        return value

    @property
    def entity_id(self) -> str:
        assert self.id is not None  # set or derived by validation
        return self.id


class RelationRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["relation"] = "relation"
    source: str
    type: str
    target: str
    description: str = Field("", max_length=MAX_DESCRIPTION)
    source_ref: str | None = None

    @field_validator("source", "target", "source_ref")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        return value if value is None else _check_id(value)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        schema = _schema_of(info)
        if schema is not None and (problem := schema.unknown_relation_type(value)):
            raise ValueError(problem)
        return value

    @field_validator("description")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        return _no_control_characters(value)

    @model_validator(mode="after")
    def _not_a_self_loop(self, info: ValidationInfo) -> RelationRecord:
        if self.source != self.target:  # nearly always: the schema is not even looked up
            return self
        schema = _schema_of(info)
        if schema is not None and self.type not in schema.reflexive_relation_types:
            raise ValueError(f"a relation cannot join {self.source!r} to itself")
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)


class Relation(NamedTuple):
    """A validated relation as the ingest holds it until written: a tuple, because a RelationRecord
    instance is mostly pydantic's bookkeeping, and millions of relations must fit beside the rest."""

    source: str
    type: str
    target: str
    description: str
    source_ref: str | None

    @classmethod
    def of(cls, record: RelationRecord) -> Relation:
        return cls(record.source, record.type, record.target, record.description, record.source_ref)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)


class Entity(NamedTuple):
    """A validated entity as the ingest holds it until written: a tuple, for the reason a relation
    is one. An EntityRecord instance took 1.9 KB with its strings on the synthetic graph, this
    0.85 KB: at a million entities, the difference is a gigabyte."""

    entity_id: str
    type: str
    name: str
    description: str
    status: str
    aliases: tuple[str, ...]
    url: str | None
    properties: dict[str, Any]

    @classmethod
    def of(cls, record: EntityRecord) -> Entity:
        aliases = tuple(record.aliases)
        return cls(
            record.entity_id,
            record.type,
            record.name,
            record.description,
            record.status,
            aliases,
            record.url,
            record.properties,
        )
