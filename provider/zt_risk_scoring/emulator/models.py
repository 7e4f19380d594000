"""Emulator state and rules: behaviors, integrations and users per account, in SQLite."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from . import bodies
from .bodies import RISK_LEVELS, now
from .exceptions import DuplicateReference, IntegrationNotFound, UserNotFound, ValidationError
from .variants import Variants

WELL_KNOWN = "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/"

# Keys, names and descriptions as recorded from the real API; every behavior starts disabled.
DEFAULT_CATALOGUE: dict[str, dict[str, Any]] = {
    "high_dlp": {
        "name": "High Number of DLP Policies Triggered",
        "description": "User has triggered an active DLP profile in a Gateway policy fifteen "
        "times or more within one minute.",
        "risk_level": "medium",
    },
    "imp_travel": {
        "name": "Impossible Travel",
        "description": "A user had a successful Access application log in from two locations "
        "that they could not have traveled to in that period of time.",
        "risk_level": "high",
    },
    "sentinel_one": {
        "name": "SentinelOne Infection Detected",
        "description": "User is signed in on a device where Sentinel One EDR detects an active threat or infection.",
        "risk_level": "medium",
    },
    # Five more behaviors Cloudflare documents (risk-score page, changelog 2026-01-15 and 2026-04-08) whose API keys
    # and default levels are not public: seeded under keys marked as placeholders, levels assumed.
    **{
        f"placeholder_{key}": {
            "name": name,
            "description": f"{name} (placeholder key: Cloudflare documents this behavior, not its API key)",
            "risk_level": level,
        }
        for key, name, level in (
            ("crowdstrike_low_zta_score", "CrowdStrike low ZTA score", "low"),
            ("crowdstrike_medium_zta_score", "CrowdStrike medium ZTA score", "medium"),
            ("malicious_file", "Malicious file", "high"),
            ("suspicious_security_domain", "Suspicious security domain", "medium"),
            ("high_risk_domain", "High-risk domain", "high"),
        )
    },
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS catalogue (key TEXT PRIMARY KEY, name TEXT, description TEXT,
    risk_level TEXT, enabled INTEGER);
CREATE TABLE IF NOT EXISTS behaviors (account TEXT, key TEXT, enabled INTEGER, risk_level TEXT,
    PRIMARY KEY (account, key));
CREATE TABLE IF NOT EXISTS integrations (account TEXT, id TEXT PRIMARY KEY, integration_type TEXT,
    reference_id TEXT, tenant_url TEXT, active INTEGER, created_at TEXT, seq INTEGER);
CREATE TABLE IF NOT EXISTS users (account TEXT, user_id TEXT, name TEXT, email TEXT,
    last_reset_time TEXT, PRIMARY KEY (account, user_id));
CREATE TABLE IF NOT EXISTS events (account TEXT, user_id TEXT, id TEXT, name TEXT,
    risk_level TEXT, timestamp TEXT, details TEXT);
"""


def _rank(level: str | None) -> int:
    return RISK_LEVELS.index(level) if level in RISK_LEVELS else -1


class RiskScoringBackend:
    """All accounts' state; every write is committed before the handler returns."""

    def __init__(
        self,
        path: str = ":memory:",
        catalogue: list[tuple[str, str, str, str, int]] | None = None,
        variants: Variants | None = None,
    ) -> None:
        self.variants = variants or Variants()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        try:
            self._setup(catalogue)
        except BaseException:
            self._db.close()  # not a database, or a catalogue it refuses: no connection left for the GC to find
            raise

    def _setup(self, catalogue: list[tuple[str, str, str, str, int]] | None) -> None:
        self._db.executescript(SCHEMA)
        if not self._rows("SELECT 1 FROM catalogue LIMIT 1"):
            self.add_behaviors(bodies.catalogue(DEFAULT_CATALOGUE) if catalogue is None else catalogue)
        # What reset() goes back to: behaviors added later (POST catalogue) must not leak into the next test.
        self._initial_catalogue = [tuple(r) for r in self._rows("SELECT * FROM catalogue")]

    def close(self) -> None:
        """Close the database (a file's last writes are on disk once this returns); closing twice is harmless."""
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        # One connection serves every worker thread, and it is not safe for two statements at once:
        # unlocked reads beside a write gave "bad parameter or other API misuse" and short rows on 3.12.
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _row(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Row | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def reset(self) -> None:
        """Back to the state at start-up: no account data, and the catalogue the emulator started with."""
        with self._tx() as db:
            for table in ("behaviors", "integrations", "users", "events", "catalogue"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            db.executemany("INSERT INTO catalogue VALUES (?, ?, ?, ?, ?)", self._initial_catalogue)

    def add_behaviors(self, rows: list[tuple[str, str, str, str, int]]) -> None:
        """Add behaviors (rows `bodies.catalogue` checked) to the catalogue, as Cloudflare does when it ships one."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO catalogue VALUES (?, ?, ?, ?, ?)", rows)

    # behaviors -----------------------------------------------------------------
    def get_behaviors(self, account: str) -> dict[str, Any]:
        rows = self._rows(
            "SELECT c.key, c.name, c.description, coalesce(b.enabled, c.enabled) AS enabled,"
            " coalesce(b.risk_level, c.risk_level) AS risk_level FROM catalogue c"
            " LEFT JOIN behaviors b ON b.key = c.key AND b.account = ? ORDER BY c.key",
            (account,),
        )
        return {
            "behaviors": {
                r["key"]: {
                    "name": r["name"],
                    "description": r["description"],
                    "enabled": bool(r["enabled"]),
                    "risk_level": r["risk_level"],
                }
                for r in rows
            }
        }

    def put_behaviors(self, account: str, updates: Mapping[str, Mapping[str, Any] | None]) -> dict[str, Any]:
        known = {r["key"] for r in self._rows("SELECT key FROM catalogue")}
        unknown = sorted(set(updates) - known)
        if unknown and self.variants["behaviors_put_unknown"] == "reject":
            raise ValidationError(f"unknown behavior {', '.join(unknown)}; known behaviors: {', '.join(sorted(known))}")
        applied = {k: v for k, v in updates.items() if k in known and v is not None}  # the rest ignored, silently
        with self._tx() as db:
            if self.variants["behaviors_put_unsent"] == "reset":  # keys not sent go back to the catalogue's
                db.execute("DELETE FROM behaviors WHERE account = ?", (account,))
            for key, value in applied.items():
                db.execute(
                    "INSERT OR REPLACE INTO behaviors VALUES (?, ?, ?, ?)",
                    (account, key, int(value["enabled"]), value["risk_level"]),
                )
        return self._put_answer(account, applied)

    def _put_answer(self, account: str, applied: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        every = self.get_behaviors(account)["behaviors"]
        shape = self.variants["behaviors_put_answer"]
        keys = applied if shape == "sent" else every
        brief = {k: {"enabled": every[k]["enabled"], "risk_level": every[k]["risk_level"]} for k in keys}
        return {"behaviors": every if shape == "full" else brief}

    # integrations --------------------------------------------------------------
    def list_integrations(self, account: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM integrations WHERE account = ? ORDER BY seq", (account,))
        return [_integration(r) for r in rows]

    def get_integration(self, account: str, integration_id: str) -> dict[str, Any]:
        row = self._row("SELECT * FROM integrations WHERE account = ? AND id = ?", (account, integration_id))
        if row is None:
            raise IntegrationNotFound(f"integration {integration_id} not found")
        return _integration(row)

    def get_by_reference(self, account: str, reference_id: str) -> dict[str, Any]:
        row = self._row(  # the oldest, where reference_ids are not unique
            f"SELECT * FROM integrations WHERE account = ? AND {self._same_reference()} ORDER BY seq LIMIT 1",  # noqa: S608
            (account, reference_id),
        )
        if row is None:
            raise IntegrationNotFound(f"no integration with reference_id {reference_id}")
        return _integration(row)

    def create_integration(self, account: str, fields: dict[str, Any]) -> dict[str, Any]:
        new_id = str(uuid.uuid4())
        reference = fields["reference_id"] or str(uuid.uuid4())
        with self._tx() as db:
            self._check_reference_free(db, account, reference, new_id)
            seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM integrations").fetchone()[0]
            db.execute(
                "INSERT INTO integrations VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                (account, new_id, fields["integration_type"], reference, fields["tenant_url"], now(), seq),
            )
        return self.get_integration(account, new_id)

    def update_integration(self, account: str, integration_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        current = self.get_integration(account, integration_id)
        without = self.variants["integration_put_without_reference"]  # a PUT with no reference_id: keep it, or?
        kept = {"keep": current["reference_id"], "clear": None, "regenerate": str(uuid.uuid4())}[without]
        reference = fields["reference_id"] or kept
        with self._tx() as db:
            self._check_reference_free(db, account, reference, integration_id)
            db.execute(
                "UPDATE integrations SET tenant_url = ?, active = ?, reference_id = ? WHERE id = ?",
                (fields["tenant_url"], int(fields["active"]), reference, integration_id),
            )
        return self.get_integration(account, integration_id)

    def delete_integration(self, account: str, integration_id: str) -> None:
        with self._tx() as db:
            deleted = db.execute(
                "DELETE FROM integrations WHERE account = ? AND id = ?", (account, integration_id)
            ).rowcount
        if not deleted:
            raise IntegrationNotFound(f"integration {integration_id} not found")

    def _same_reference(self) -> str:
        """The SQL condition for "this integration has reference_id ?", as the case variant compares them."""
        insensitive = self.variants["reference_id_case"] == "insensitive"
        return "lower(reference_id) = lower(?)" if insensitive else "reference_id = ?"

    def _check_reference_free(self, db: sqlite3.Connection, account: str, ref: str | None, own_id: str) -> None:
        if ref is None or self.variants["reference_id_unique"] == "false":
            return
        row = db.execute(
            f"SELECT id FROM integrations WHERE account = ? AND {self._same_reference()} AND id != ?",  # noqa: S608
            (account, ref, own_id),
        ).fetchone()
        if row is not None:
            raise DuplicateReference(f"reference_id {ref} is already used by integration {row['id']} in this account")

    # users ---------------------------------------------------------------------
    def seed_users(self, account: str, users: list[dict[str, Any]]) -> None:
        """Add (or replace) users (as `bodies.seeded_user` checked them) with their risk events."""
        with self._tx() as db:
            for user in users:
                self._insert_user(db, account, user)

    @staticmethod
    def _insert_user(db: sqlite3.Connection, account: str, user: dict[str, Any]) -> None:
        db.execute(
            "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?)",
            (account, user["user_id"], user["name"], user["email"], user["last_reset_time"]),
        )
        db.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    account,
                    user["user_id"],
                    e["id"],
                    e["name"],
                    e["risk_level"],
                    e["timestamp"],
                    json.dumps(e["event_details"]),
                )
                for e in user["events"]
            ],
        )

    def summary(self, account: str) -> dict[str, Any]:
        users = []
        for row in self._rows("SELECT * FROM users WHERE account = ? ORDER BY user_id", (account,)):
            events = self._scored(self._events(account, row["user_id"]), row["last_reset_time"])
            if events:  # a reset user leaves the risk table until they trigger again
                users.append(
                    {
                        "user_id": row["user_id"],
                        "name": row["name"],
                        "email": row["email"],
                        "event_count": len(events),
                        "last_event": max(e["timestamp"] for e in events),
                        "max_risk_level": max((e["risk_level"] for e in events), key=_rank),
                    }
                )
        return {"users": users}

    def user_risk(self, account: str, user_id: str) -> dict[str, Any]:
        row = self._row("SELECT * FROM users WHERE account = ? AND user_id = ?", (account, user_id))
        if row is None:
            raise UserNotFound(f"no risk data for user {user_id}")
        events = self._events(account, user_id)
        result: dict[str, Any] = {
            "name": row["name"],
            "email": row["email"],
            "events": events,
        }
        if row["last_reset_time"] or self.variants["last_reset_time"] == "null":  # before a reset: absent, or null
            result["last_reset_time"] = row["last_reset_time"] or None
        scored = self._scored(events, row["last_reset_time"])
        if scored:
            result["risk_level"] = max((e["risk_level"] for e in scored), key=_rank)
        return result

    def _scored(self, events: list[dict[str, Any]], last_reset: str | None) -> list[dict[str, Any]]:
        """The events a user's score counts: where a reset keeps the events listed, only those after it."""
        if self.variants["reset_events"] == "wipe" or not last_reset:
            return events
        return [e for e in events if e["timestamp"] > last_reset]

    def reset_user(self, account: str, user_id: str) -> dict[str, Any]:
        self.user_risk(account, user_id)
        with self._tx() as db:
            if self.variants["reset_events"] == "wipe":
                db.execute("DELETE FROM events WHERE account = ? AND user_id = ?", (account, user_id))
            db.execute(
                "UPDATE users SET last_reset_time = ? WHERE account = ? AND user_id = ?",
                (now(), account, user_id),
            )
        return {}

    def _events(self, account: str, user_id: str) -> list[dict[str, Any]]:
        rows = self._rows(
            "SELECT * FROM events WHERE account = ? AND user_id = ? ORDER BY timestamp DESC",
            (account, user_id),
        )
        return [
            {
                "id": r["id"],
                "name": r["name"],
                "risk_level": r["risk_level"],
                "timestamp": r["timestamp"],
                "event_details": json.loads(r["details"]),
            }
            for r in rows
        ]


def _integration(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "account_tag": row["account"],
        "integration_type": row["integration_type"],
        "reference_id": row["reference_id"],
        "tenant_url": row["tenant_url"],
        "well_known_url": WELL_KNOWN + row["id"],
        "active": bool(row["active"]),
        "created_at": row["created_at"],
    }
