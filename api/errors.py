"""Errors become HTTP answers here, once, in one JSON shape: {"error": {status, code, message}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import wants_html
from core.errors import AtlasError, ConfigurationError, DatabaseUnavailable, EntityMerged, EntityNotFound
from curation.errors import CurationConflict, DecisionNotFound, InvalidDecision
from graph.cursors import InvalidCursor


class InvalidParameter(AtlasError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


STATUS_OF: list[tuple[type[Exception], int, str]] = [
    (EntityNotFound, 404, "not_found"),
    (EntityMerged, 409, "merged"),  # routes redirect to the canonical entity; this is a race's answer
    (InvalidParameter, 422, "invalid_parameter"),
    (InvalidCursor, 422, "invalid_cursor"),
    (DatabaseUnavailable, 503, "database_unavailable"),
    (ConfigurationError, 503, "not_configured"),
    (DecisionNotFound, 404, "not_found"),
    (CurationConflict, 409, "conflict"),
    (InvalidDecision, 422, "invalid_decision"),
]


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    renderer = getattr(request.app.state, "render_error", None)
    if renderer is not None and (request.url.path.startswith("/e/") or wants_html(request)):
        response: Response = renderer(request, status, message)
        return response
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    for exception_type, status, code in STATUS_OF:
        app.add_exception_handler(exception_type, _handler(status, code))

    async def validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        details = [
            {"loc": list(d.get("loc", ())), "msg": d.get("msg", ""), "type": d.get("type", "")}
            for d in error.errors()
        ]
        message = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in details)
        return error_response(request, 422, "invalid_request", message, details)

    async def http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}.get(
            error.status_code, "http_error"
        )
        return error_response(request, error.status_code, code, str(error.detail))

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)


def _handler(status: int, code: str) -> Any:
    async def handle(request: Request, error: Exception) -> Response:
        return error_response(request, status, code, str(error))

    return handle
