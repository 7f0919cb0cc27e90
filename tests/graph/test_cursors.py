"""Keyset cursors (graph/cursors.py): opaque to clients, exact for the server, refused when altered."""

from __future__ import annotations

import base64

import pytest

from graph.cursors import InvalidCursor, decode_cursor, encode_cursor


@pytest.mark.parametrize(
    "key",
    ["concept:alignment-faking", "", "a", "ab", "abc", "paper:ü-ß-日本", '[0.5, "a", "b"]', "x" * 1000],
)
def test_a_cursor_decodes_to_the_key_it_was_made_from(key: str) -> None:
    assert decode_cursor(encode_cursor(key)) == key


def test_a_cursor_is_url_safe_text_without_padding() -> None:
    cursor = encode_cursor("concept:~~~?>>>")  # bytes that standard base64 writes as '+' and '/'
    assert cursor.isascii()
    assert not set(cursor) & set("+/=")


def test_a_cursor_does_not_show_the_key_in_clear() -> None:
    assert "alignment" not in encode_cursor("concept:alignment-faking")


@pytest.mark.parametrize(
    "cursor",
    [
        "a",  # a length base64 never has
        "ab$d",  # outside the alphabet
        "ab+/",  # the standard alphabet, not the URL-safe one the server hands out
        "é",  # not ASCII
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not UTF-8 inside
    ],
)
def test_an_altered_cursor_is_refused_as_invalid(cursor: str) -> None:
    with pytest.raises(InvalidCursor, match="invalid cursor"):
        decode_cursor(cursor)


def test_an_invalid_cursor_is_a_value_error_for_callers_that_catch_those() -> None:
    with pytest.raises(ValueError):
        decode_cursor("!!!")
