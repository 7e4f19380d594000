"""The points of the API that public evidence leaves open, as switches: each a name and the values it may take,
the first the emulator's default guess (docs/emulator.md says what each means and why it is open)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHOICES: dict[str, tuple[str, ...]] = {
    "reference_id_unique": ("true", "false"),
    "reference_id_case": ("sensitive", "insensitive"),
    "behaviors_put_answer": ("full", "minimal", "sent"),
    "behaviors_put_unsent": ("keep", "reset"),
    "behaviors_put_unknown": ("reject", "ignore"),
    "integration_type_case": ("exact", "insensitive"),
    "integration_put_without_reference": ("keep", "clear", "regenerate"),
    "delete_result": ("null", "empty"),
    "last_reset_time": ("omitted", "null"),
    "list_result_info": ("absent", "present"),
    "reset_events": ("wipe", "keep"),
}

# The points only the user endpoints answer (summary, a user's risk, reset): no resource calls them.
USER_ENDPOINTS_ONLY = frozenset({"last_reset_time", "reset_events"})


@dataclass(frozen=True)
class Variants:
    """One value for each open point (the default guess where none is given)."""

    chosen: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.chosen.get(name, CHOICES[name][0])

    def active(self) -> dict[str, str]:
        """Every point with the value served."""
        return {name: self[name] for name in CHOICES}

    @classmethod
    def of(cls, pairs: Mapping[str, Any]) -> Variants:
        """From {name: value}; ValueError naming the first unknown name or value and what is known."""
        for name, value in pairs.items():
            if name not in CHOICES:
                raise ValueError(f"unknown variant {name!r}; known: {', '.join(CHOICES)}")
            if value not in CHOICES[name]:
                raise ValueError(f"variant {name} takes {' or '.join(CHOICES[name])}, not {value!r}")
        return cls(dict(pairs))

    @classmethod
    def parse(cls, specs: Iterable[str], file: Path | None = None) -> Variants:
        """From `--variants-file FILE` (a JSON object) and then `--variant NAME=VALUE`s, which win."""
        pairs: dict[str, Any] = {}
        if file is not None:
            pairs.update(_file_pairs(file))
        for spec in specs:
            name, sep, value = spec.partition("=")
            if not sep:
                raise ValueError(f"bad --variant {spec!r}: use NAME=VALUE (zt-risk emulator serve --help lists them)")
            pairs[name.strip()] = value.strip()
        return cls.of(pairs)


def _file_pairs(file: Path) -> dict[str, Any]:
    try:
        found = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"--variants-file {file}: cannot read it ({exc.strerror or exc})") from None
    except ValueError:
        raise ValueError(f"--variants-file {file}: not JSON") from None
    if not isinstance(found, dict):
        raise ValueError(f"--variants-file {file}: must be a JSON object of variant name to value")
    return found


def help_text() -> str:
    """The switches, as `zt-risk emulator serve --help` lists them."""
    return "; ".join(f"{name}={'|'.join(values)}" for name, values in CHOICES.items())
