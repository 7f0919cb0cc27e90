"""Opaque keyset cursors: the last key of a page, base64url-encoded, handed back for the next."""

from __future__ import annotations

import base64


class InvalidCursor(ValueError):
    """A cursor this server did not hand out (or one that was altered)."""


def encode_cursor(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except ValueError as error:  # binascii.Error, UnicodeDecodeError, or a non-ASCII cursor
        raise InvalidCursor(f"invalid cursor {cursor!r}") from error
