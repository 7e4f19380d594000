"""reference_id, the link to the identity provider: derived for a new integration, kept across every check after.

Generated reference_ids are UUIDv5s of REFERENCE_NAMESPACE and "<org>/<project>/<stack>/<name>|<account>|<tenant>":
the same on every attempt, so an `up` after a failed one finds what the failed one created, not a duplicate.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import CheckFailure

from .integration_schema import GENERATED
from .unknowns import is_unknown

REFERENCE_NAMESPACE = uuid.UUID("6f0c3f2e-5a53-4be7-9d43-0d1b8c1e7a52")

# How check learns the reference_id of the integration a resource adopts by id: (account, id) -> it, or
# None when it cannot be read now (no credentials at a preview); a CheckFailure when there is no such one.
AdoptedReference = Callable[[str, str], "str | CheckFailure | None"]


def not_looked_up(_account: str, _integration_id: str) -> str | CheckFailure | None:
    return None


def generated_reference_id(seed: str, account_id: Any = None, tenant_url: Any = None) -> str:
    """The reference_id a resource gets when none is given: stable for one resource of one stack.

    The seed is organization/project/stack/name; the account and tenant join it when known, so two
    stacks of the same name on different backends take each other's integration only for the same
    tenant of the same account.
    """
    parts = [seed, *(v for v in (account_id, tenant_url) if isinstance(v, str) and not is_unknown(v))]
    return str(uuid.uuid5(REFERENCE_NAMESPACE, "|".join(parts)))


def own_references(seed: Any, account_id: Any, tenant_url: Any) -> set[str]:
    """Every reference_id this resource can have derived: check knows the account and tenant, or at a preview
    of a new stack maybe not yet."""
    if not isinstance(seed, str) or not seed:
        return set()
    known = ((account_id, tenant_url), (account_id, None), (None, tenant_url), (None, None))
    return {generated_reference_id(seed, *parts) for parts in known}


def looks_derived(reference: Any) -> bool:
    """Whether `reference` is a name-based (version 5) UUID: the form this package derives reference_ids in.

    Access identity provider ids are random (version 4) UUIDs, so a version-5 one on an integration was
    derived by zt-risk-scoring for some stack's resource (which one cannot be told from the UUID).
    """
    try:
        return isinstance(reference, str) and uuid.UUID(reference).version == 5
    except ValueError:
        return False


def keep_reference(
    inputs: dict[str, Any], olds: dict[str, Any], news: dict[str, Any], adopted_reference: AdoptedReference
) -> list[CheckFailure]:
    """Put the reference_id this resource's integration has into its inputs; derive one only for a new one.

    The reference_id links the integration to the identity provider: one the integration has is never
    replaced by one derived from names (a stack rename, an alias, a move to another project, an
    import, dropping integration_id from the program), only by one the program names. `olds` is empty
    only for a resource still to be made (the engine's second check of a replacement included).
    """
    explicit, seed = news.get("reference_id") is not None, news.get("reference_seed")
    if not explicit and olds.get("reference_id") and not _adopts_another(inputs, olds):
        inputs.update({k: olds[k] for k in ("reference_id", GENERATED) if olds.get(k)})
        KEPT.keep(seed, inputs)
        return []
    if not explicit and not olds and KEPT.restore(seed, inputs):
        return []  # the engine's second check of a replacement a change planned: the first, with olds, kept it
    adopted = inputs.get("integration_id") or olds.get("integration_id")
    if adopted and (not olds or not explicit):  # a new adoption is checked; an old one without reference filled
        if is_unknown(adopted) or is_unknown(inputs.get("account_id")):
            return []
        found = adopted_reference(inputs["account_id"], adopted)
        if isinstance(found, CheckFailure):  # the integration of an existing resource gone: refresh says so
            return [found] if not olds or _adopts_another(inputs, olds) else []
        if found and not explicit:
            inputs["reference_id"] = found
    elif not olds and not explicit:
        generate_reference(inputs, seed)
    return []


def _adopts_another(inputs: dict[str, Any], olds: dict[str, Any]) -> bool:
    """Whether a replacement into another account adopts another integration by id there (its reference_id is the
    one to keep, not the old one's). In one account a new integration_id changes nothing: it is used at create."""
    new_id, old_id = inputs.get("integration_id"), olds.get("integration_id")
    moved = bool(olds.get("account_id")) and olds.get("account_id") != inputs.get("account_id")
    return moved and isinstance(new_id, str) and new_id.lower() != str(old_id or "").lower()


def generate_reference(inputs: dict[str, Any], seed: Any) -> None:
    """A reference_id derived from the resource's seed (or random, for a program that passes none)."""
    if isinstance(seed, str) and seed:
        reference = generated_reference_id(seed, inputs.get("account_id"), inputs.get("tenant_url"))
        inputs["reference_id"], inputs[GENERATED] = reference, True
    else:  # a program that passes no seed (an older one): random, then kept in state
        inputs["reference_id"] = str(uuid.uuid4())


class KeptReferences:
    """The reference_ids this provider process's checks kept from old inputs, by resource (its seed).

    When a change replaces a resource (an `account_id`), the engine checks it a second time without its old
    inputs: only the first check, in the same process moments before, saw the reference_id it has. (A
    targeted `--replace` checks once, without them: see docs/resources.md.)
    """

    def __init__(self) -> None:
        self._by_seed: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def keep(self, seed: Any, inputs: dict[str, Any]) -> None:
        if isinstance(seed, str) and seed:
            with self._lock:
                self._by_seed[seed] = {k: inputs[k] for k in ("reference_id", GENERATED) if k in inputs}

    def restore(self, seed: Any, inputs: dict[str, Any]) -> bool:
        with self._lock:
            kept = self._by_seed.get(seed) if isinstance(seed, str) else None
        if kept:
            inputs.update(kept)
        return bool(kept)

    def reset(self) -> None:
        with self._lock:
            self._by_seed.clear()


KEPT = KeptReferences()
