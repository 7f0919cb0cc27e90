"""The API key that guards write endpoints: from ATLAS_API_KEY, or a file only its owner can read.

Like the Neo4j password, the key is generated on first use (`atlas serve`, `atlas run`) and kept in
`Settings.api_key_file` with mode 0600; the environment variable, when set, wins.
"""

from __future__ import annotations

import os
import secrets

from core.settings import Settings


def read_api_key(settings: Settings) -> str | None:
    """The configured key, or None when there is none (then every write is refused)."""
    if settings.api_key:
        return settings.api_key
    if settings.api_key_file.exists():
        return settings.api_key_file.read_text().strip() or None
    return None


def ensure_api_key(settings: Settings) -> str:
    """The configured key; when there is none, a new random one written to a 0600 file."""
    existing = read_api_key(settings)
    if existing is not None:
        return existing
    key = secrets.token_urlsafe(32)
    settings.api_key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.api_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
