"""Schemathesis against the app's own /openapi.json, with Neo4j holding the seed graph: for any
request the schema allows (and many it does not), no 500 and every response matches its schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from core.settings import Settings
from tests.conftest import SeedGraph

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
API_KEY = "fuzz-key"


@pytest.fixture(scope="module")
def seeded_app(settings: Settings, seed_graph: SeedGraph) -> Iterator[FastAPI]:
    """The app over the seed graph, loaded once for the module (its tests do not empty the database)."""
    seed_graph.load()
    app = create_app_with_key(settings)
    with TestClient(app):  # runs the lifespan: the driver and reader exist while the tests run
        yield app


def create_app_with_key(settings: Settings) -> FastAPI:
    from api.app import create_app

    return create_app(settings.model_copy(update={"api_key": API_KEY}))


@pytest.fixture(scope="module")
def api_schema(seeded_app: FastAPI) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", seeded_app)


def operation_labels() -> list[str]:
    """Every documented operation, read from a freshly built app (building one needs no database)."""
    spec = create_app_with_key(Settings(_env_file=None)).openapi()
    return [f"{method.upper()} {path}" for path, methods in spec["paths"].items() for method in methods]


def fuzz(schema: OpenApiSchema, label: str, mode: GenerationMode, examples: int) -> int:
    """Send up to `examples` generated requests, each checked by CHECKS; returns how many were sent."""
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    sent = []

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        if mode is GenerationMode.POSITIVE and "X-API-Key" in (case.headers or {}):
            case.headers = {**case.headers, "X-API-Key": API_KEY}  # let valid writes through
        case.call_and_validate(checks=CHECKS)
        sent.append(case)

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid request exists for an operation without parameters
        pytest.skip(f"schemathesis can build no {mode} request for {label}")
    return len(sent)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("label", operation_labels())
def test_no_server_error_and_responses_match_the_schema(
    api_schema: OpenApiSchema, label: str, mode: GenerationMode
) -> None:
    assert fuzz(api_schema, label, mode, examples=15) > 0, f"no {mode} request reached {label}"


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("label", operation_labels())
def test_no_server_error_and_responses_match_the_schema_long_run(
    api_schema: OpenApiSchema, label: str, mode: GenerationMode
) -> None:
    assert fuzz(api_schema, label, mode, examples=300) > 0, f"no {mode} request reached {label}"
