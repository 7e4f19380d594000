"""Replay a transcript's requests against the emulator and report where its answers depart from the recorded ones.

`python -m tests.acceptance.replay TRANSCRIPT` (a folder a run recorded, or one .jsonl file) starts an emulator
of its own, sends every recorded request in the order they were made, and prints each difference of status
code, Cloudflare error codes, envelope keys and JSON field types; it exits 1 if there is any. `--variant
NAME=VALUE` (repeatable) has the emulator answer an open point of the API one way: a transcript of the real API
replayed under each value shows which one it took. Values are not
compared (ids, timestamps and an account's data differ from run to run), only what a client depends on.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.variants import Variants, help_text
from zt_risk_scoring.recording import ACCOUNT as ACCOUNT_PLACEHOLDER

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "replay-token-0123456789abcdef"
KINDS = ("status", "error codes", "envelope keys", "field type")
_USER = re.compile(r"/zt_risk_scoring/(<user:[0-9a-f]+>)")


@dataclass(frozen=True)
class Difference:
    """One way a replayed answer departs from the recorded one."""

    where: str  # file:line and the request
    kind: str  # one of KINDS
    field: str  # the JSON path, for a field type
    recorded: str
    replayed: str

    def __str__(self) -> str:
        at = f" {self.field}" if self.field else ""
        return f"{self.where}: {self.kind}{at}: recorded {self.recorded}, emulator {self.replayed}"


def exchanges(transcript: Path) -> list[dict[str, Any]]:
    """Every exchange of a transcript (a folder of .jsonl files, or one), in the order the requests started."""
    files = sorted(transcript.rglob("*.jsonl")) if transcript.is_dir() else [transcript]
    found = []
    for f in files:
        name = f.relative_to(transcript) if transcript.is_dir() else f.name
        for n, line in enumerate(f.read_text().splitlines(), 1):
            if line.strip():
                found.append({**json.loads(line), "where": f"{name}:{n}"})
    return sorted(found, key=lambda e: float(e["at"]))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def field_types(recorded: Any, replayed: Any, path: str = "result") -> Iterator[tuple[str, str, str]]:
    """(path, recorded type, replayed type) of every field whose JSON type differs; a missing field is `absent`."""
    kinds = (json_type(recorded), json_type(replayed))
    if kinds[0] != kinds[1]:
        yield path, *kinds
    elif isinstance(recorded, dict):
        for key in sorted(set(recorded) | set(replayed)):
            if key not in recorded or key not in replayed:
                yield (
                    f"{path}.{key}",
                    json_type(recorded[key]) if key in recorded else "absent",
                    (json_type(replayed[key]) if key in replayed else "absent"),
                )
            else:
                yield from field_types(recorded[key], replayed[key], f"{path}.{key}")
    elif isinstance(recorded, list):
        # Lists hold the account's data, whose length differs from run to run: items are compared pairwise.
        for n, (old, new) in enumerate(zip(recorded, replayed, strict=False)):
            yield from field_types(old, new, f"{path}[{n}]")


def _codes(body: Any) -> list[int]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return sorted(e.get("code") for e in errors if isinstance(e, dict)) if isinstance(errors, list) else []


def compare(where: str, entry: dict[str, Any], status: int, body: Any) -> list[Difference]:
    """The differences between a recorded exchange and the replayed answer (`status`, parsed `body`)."""
    recorded = entry["response"]
    found = []
    if entry["status"] != status:
        found.append(Difference(where, "status", "", str(entry["status"]), str(status)))
    if _codes(recorded) != _codes(body):
        found.append(Difference(where, "error codes", "", str(_codes(recorded)), str(_codes(body))))
    keys = [sorted(b) if isinstance(b, dict) else json_type(b) for b in (recorded, body)]
    if keys[0] != keys[1]:
        found.append(Difference(where, "envelope keys", "", str(keys[0]), str(keys[1])))
    if isinstance(recorded, dict) and isinstance(body, dict):
        for path, old, new in field_types(recorded.get("result"), body.get("result")):
            found.append(Difference(where, "field type", path, old, new))
    return found


def _learn_ids(recorded: Any, replayed: Any, ids: dict[str, str]) -> None:
    """Map each id the recording got to the one the emulator gave at the same place, for later requests."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        old, new = recorded.get("id"), replayed.get("id")
        if isinstance(old, str) and isinstance(new, str) and old != new:
            ids[old] = new
        for key in set(recorded) & set(replayed):
            _learn_ids(recorded[key], replayed[key], ids)
    elif isinstance(recorded, list) and isinstance(replayed, list):
        # A list holds other integrations too, in another order: an item is paired by its reference_id only.
        by_reference = {_reference(item): item for item in replayed if _reference(item)}
        for old in recorded:
            if _reference(old) in by_reference:
                _learn_ids(old, by_reference[_reference(old)], ids)


def _reference(item: Any) -> str:
    found = item.get("reference_id") if isinstance(item, dict) else None
    return found if isinstance(found, str) else ""


def _substituted(value: Any, ids: dict[str, str], account: str) -> Any:
    if isinstance(value, str):
        for old, new in ids.items():
            value = value.replace(old, new)
        return value.replace(ACCOUNT_PLACEHOLDER, account)
    if isinstance(value, list):
        return [_substituted(v, ids, account) for v in value]
    if isinstance(value, dict):
        return {k: _substituted(v, ids, account) for k, v in value.items()}
    return value


def users(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each user the transcript read successfully: its placeholder → a user to seed, with the events first recorded."""
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        match = _USER.search(entry["path"])
        result = entry["response"].get("result") if isinstance(entry["response"], dict) else None
        if match and entry["method"] == "GET" and entry["status"] == 200 and isinstance(result, dict):
            keep = ("name", "risk_level", "timestamp", "event_details")
            events = [{k: e[k] for k in keep if k in e} for e in result.get("events") or [] if isinstance(e, dict)]
            found.setdefault(
                match[1],
                {"user_id": str(uuid.uuid5(uuid.NAMESPACE_URL, match[1])), "name": "replayed", "events": events},
            )
    return found


def replay(
    entries: list[dict[str, Any]], base_url: str, token: str, account: str, seeded: dict[str, str] | None = None
) -> list[Difference]:
    """Send each recorded request to `base_url` and compare each answer with the recorded one.

    `seeded` maps user placeholders to the ids of users the emulator was given in their place.
    """
    ids: dict[str, str] = dict(seeded or {})
    found: list[Difference] = []
    with requests.Session() as session:
        for entry in entries:
            path = _substituted(entry["path"], ids, account)
            body = _substituted(entry["request"], ids, account)
            answer = session.request(
                entry["method"],
                base_url + path,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
                allow_redirects=False,
            )
            try:
                replayed: Any = answer.json()
            except ValueError:
                replayed = {"<not json>": answer.text[:2000]}
            found += compare(f"{entry['where']} {entry['method']} {entry['path']}", entry, answer.status_code, replayed)
            _learn_ids(entry["response"], replayed, ids)
    return found


def replay_on_emulator(entries: list[dict[str, Any]], variants: Variants | None = None) -> list[Difference]:
    """`replay` against a fresh emulator of its own answering open points as `variants` say, given a stand-in
    for each user the transcript read."""
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN], variants=variants)).start()
    try:
        read = users(entries)
        if read:  # the checker's own emulator: its test hook is the only way to have users there
            hook = server.base_url.removesuffix("/client/v4") + "/__emulator/users"
            requests.post(hook, json={"users": list(read.values())}, timeout=10).raise_for_status()
        return replay(entries, server.base_url, TOKEN, ACCOUNT, {k: v["user_id"] for k, v in read.items()})
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.acceptance.replay", description=__doc__)
    parser.add_argument("transcript", type=Path, help="a folder a run recorded (--record DIR), or one .jsonl file")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=VALUE", help=help_text())
    args = parser.parse_args(argv)
    try:
        variants = Variants.parse(args.variant)
    except ValueError as exc:
        parser.error(str(exc))
    entries = exchanges(args.transcript)
    differences = replay_on_emulator(entries, variants)
    for difference in differences:
        sys.stdout.write(f"{difference}\n")
    sys.stdout.write(f"{len(entries)} exchanges replayed, {len(differences)} differences\n")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
