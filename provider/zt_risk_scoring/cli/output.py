"""What zt-risk prints: terminal-safe values, tables or JSON on stdout, notes on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from ..text import printable

# Long enough for any id, name or URL the API returns; a longer value is cut rather than flood the table.
CELL_MAX = 1000  # a table cell or JSON value shows more of a value than an error message (text.SHOWN_MAX)
INTEGRATION_COLUMNS = ("id", "reference_id", "tenant_url", "active", "created_at")


def shown(value: object) -> str:
    """`value` for the terminal: controls, escapes, bidi overrides and line breaks made visible (\\x1b)."""
    return "" if value is None else printable(value, CELL_MAX, quote=False)


def table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[shown(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def emit(as_json: bool, data: Any, columns: Sequence[str]) -> None:
    """`data` (a row or a list of rows) as JSON exactly, or as a table of `columns`."""
    if as_json:
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        print(table(data if isinstance(data, list) else [data], columns))


def note(text: str) -> None:
    """A line for the person at the terminal (progress, what was written), never on stdout."""
    print(f"zt-risk: {shown(text)}", file=sys.stderr)


def progress(text: str) -> None:
    print(shown(text), file=sys.stderr)
