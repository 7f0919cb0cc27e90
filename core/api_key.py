"""The API key that guards write endpoints: from ATLAS_API_KEY, or a file only its owner can read.

- `ATLAS_API_KEY` set to a key: that key (the key file is not read).
- `ATLAS_API_KEY` set but empty (docker compose's default): writes are disabled.
- unset: the key in `Settings.api_key_file` (mode 0600), which `atlas serve` and `atlas run`
  generate on first use; where the state folder cannot be written (a read-only container), no key
  is made and writes stay disabled.
"""

from __future__ import annotations

import os
import secrets

from core.settings import Settings


def read_api_key(settings: Settings) -> str | None:
    """The configured key, or None when there is none (then every write is refused)."""
    if settings.api_key is not None:
        return settings.api_key.strip() or None
    try:
        return settings.api_key_file.read_text().strip() or None
    except (FileNotFoundError, NotADirectoryError):  # no key file, or no state folder to hold one
        return None


def ensure_api_key(settings: Settings) -> str | None:
    """The configured key; when none is configured, a new random one written to a 0600 file.
    None when writes are disabled: an empty ATLAS_API_KEY, or a state folder that cannot be written."""
    existing = read_api_key(settings)
    if existing is not None or settings.api_key is not None:
        return existing
    key = secrets.token_urlsafe(32)
    try:
        settings.api_key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(settings.api_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return read_api_key(settings)
    except OSError:  # PermissionError, a read-only file system
        return None
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
