"""The API key that write endpoints require; reads stay open.

The key comes from ATLAS_API_KEY or the 0600 file `Settings.api_key_file` (see core/api_key.py).
Clients send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`; HTML forms as a field.
Without a configured key every write is refused: there is nothing to compare against.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from core.api_key import read_api_key
from core.settings import Settings

MISSING = "a valid API key is required: send it in the X-API-Key header"
NOT_CONFIGURED = "writes are disabled: no API key is configured (ATLAS_API_KEY or the key file)"


def configured_key(request: Request) -> str | None:
    """The server's key, read at each call so a key file created after start-up is honoured."""
    settings: Settings = request.app.state.settings
    return read_api_key(settings)


def check_key(request: Request, supplied: str | None) -> None:
    """401 unless `supplied` equals the configured key (compared in constant time)."""
    expected = configured_key(request)
    if expected is None:
        raise HTTPException(401, NOT_CONFIGURED, headers={"WWW-Authenticate": "Bearer"})
    if not supplied or not secrets.compare_digest(supplied.encode(), expected.encode()):
        raise HTTPException(401, MISSING, headers={"WWW-Authenticate": "Bearer"})


def require_api_key(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="The API key.")] = None,
    authorization: Annotated[str | None, Header(description="`Bearer <API key>`.")] = None,
) -> None:
    supplied = x_api_key
    if supplied is None and authorization and authorization.lower().startswith("bearer "):
        supplied = authorization[len("bearer ") :].strip()
    check_key(request, supplied)


ApiKey = Depends(require_api_key)
