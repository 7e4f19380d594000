"""Values from outside as messages show them: escaped, cut, and numbers as the user wrote them."""

from __future__ import annotations

import pytest

from zt_risk_scoring.text import printable


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (123.0, "'123'"),  # the engine sends a program's 123 as a float
        (1.5, "'1.5'"),
        (True, "'True'"),
        ("a\x1bb", "'a\\x1bb'"),
        ("x" * 300, "'" + "x" * 197 + "...'"),
    ],
    ids=["integral-float", "float", "bool", "escape", "cut"],
)
def test_printable_shows_value_for_a_message(value: object, shown: str) -> None:
    assert printable(value) == shown
