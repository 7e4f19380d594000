"""HTTP client for the Risk Scoring API: one method per operation, and checks that each answer is what was asked."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from functools import partial
from typing import Any

from .config import Settings, without_userinfo
from .errors import AuthenticationError, EndpointError, NotFound, PermissionDenied, RiskScoringError
from .ids import segment
from .models import (
    Behavior,
    BehaviorSetting,
    Integration,
    IntegrationSpec,
    UserRisk,
    UserRiskSummary,
    behaviors_from_api,
)
from .text import printable
from .transport import Transport, check_base_url

MAX_PAGES = 100
READ = "Zero Trust Read or Zero Trust Write"
WRITE = "Zero Trust Write"
PII = "Zero Trust PII Read"


class RiskScoringClient:
    """Client for one account; safe to share across threads (one session per thread)."""

    def __init__(self, settings: Settings, account_id: str) -> None:
        self.settings = settings
        self.account_id = account_id
        self.transport = Transport(settings, account_id)

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("RiskScoringClient holds credentials and is never pickled")

    # behaviors ---------------------------------------------------------------
    def get_behaviors(self, strict: Collection[str] = ()) -> dict[str, Behavior]:
        """Every behavior as given; those in `strict` (the keys a resource manages) must have a valid setting."""
        return self.transport.parsed(partial(_behaviors, strict=strict), "GET", "behaviors", permission=READ)

    def update_behaviors(
        self, settings: Mapping[str, BehaviorSetting], strict: Collection[str] = ()
    ) -> dict[str, Behavior]:
        """PUT `settings`; the answer as `get_behaviors(strict)` reads it."""
        body = {"behaviors": {key: value.to_api() for key, value in settings.items()}}
        return self.transport.parsed(partial(_behaviors, strict=strict), "PUT", "behaviors", body, permission=WRITE)

    # users -------------------------------------------------------------------
    def summary(self) -> list[UserRiskSummary]:
        return self.transport.parsed(_summary_rows, "GET", "summary", permission=PII)

    def user_risk(self, user_id: str) -> UserRisk:
        return self.transport.parsed(UserRisk.from_api, "GET", segment("user_id", user_id), permission=PII)

    def reset_user(self, user_id: str) -> None:
        self.transport.call("POST", f"{segment('user_id', user_id)}/reset", permission=WRITE)

    # integrations ------------------------------------------------------------
    def list_integrations(self) -> list[Integration]:
        """Every integration of the account, each once: all pages, should an answer say it has more than one."""
        found: dict[str, Integration] = {}
        for page in self._pages():
            for item in self.transport.parsed_as(_integration_list, page, "GET", "integrations"):
                asked = self._as_asked(item, "GET", "integrations")
                found.setdefault(asked.id.lower(), asked)  # a page repeated by a gateway counts once
        return list(found.values())

    def list_integrations_as_given(self) -> list[dict[str, Any]]:
        """Every integration of the account, each once, as the API gave its fields; one this package cannot read
        (a null tenant_url) carries a `problem` saying what, rather than failing the whole listing."""
        rows: dict[str, dict[str, Any]] = {}
        for page in self._pages():
            if not isinstance(page, list):
                self.transport.parsed_as(_integration_list, page, "GET", "integrations")  # the error it is
            for n, raw in enumerate(page):
                row = _as_given(raw)
                try:
                    self._as_asked(Integration.from_api(raw), "GET", "integrations")
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    row["problem"] = printable(str(exc), quote=False)
                rows.setdefault(str(row.get("id") or f"#{len(rows)}.{n}").lower(), row)
        return list(rows.values())

    def _pages(self) -> Iterator[Any]:
        """The `result` of each page of the list, following `result_info` to the end."""
        query: dict[str, str] = {}
        for _ in range(MAX_PAGES):
            body = self.transport.call("GET", "integrations", permission=READ, query=query, whole=True)
            yield body.get("result")
            query = self.transport.parsed_as(
                partial(_next_page, query=query), body.get("result_info"), "GET", "integrations"
            )
            if not query:
                return
        raise EndpointError(
            f"the list of integrations did not end after {MAX_PAGES} pages",
            method="GET",
            path=self.transport.path("integrations"),
            hint=check_base_url(self.settings),
        )

    def get_integration(self, integration_id: str) -> Integration:
        path = f"integrations/{segment('integration_id', integration_id)}"
        found = self.transport.parsed(Integration.from_api, "GET", path, permission=READ)
        return self._as_asked(found, "GET", path, id_=integration_id)

    def get_integration_by_reference(self, reference_id: str) -> Integration:
        path = f"integrations/reference_id/{segment('reference_id', reference_id)}"
        found = self.transport.parsed(Integration.from_api, "GET", path, permission=READ)
        return self._as_asked(found, "GET", path, reference_id=reference_id)

    def find_integration_by_reference(self, reference_id: str) -> Integration | None:
        """The integration with this reference_id, or None when the API answers that there is none.

        Used only before a create: a None that is wrong leads to a POST, which a misrouted URL refuses too.
        """
        try:
            return self.get_integration_by_reference(reference_id)
        except NotFound:
            return None

    def get_integration_if_exists(self, integration_id: str) -> Integration | None:
        """The integration, or None only when the API says it does not exist and its list agrees."""
        try:
            return self.get_integration(integration_id)
        except (NotFound, EndpointError) as exc:
            self._confirm_absent(integration_id, exc)
            return None

    def delete_integration_if_exists(self, integration_id: str) -> bool:
        """Delete; False only when the API says there is no such integration and its list agrees."""
        try:
            self.delete_integration(integration_id)
        except (NotFound, EndpointError) as exc:
            self._confirm_absent(integration_id, exc)
            return False
        return True

    def create_integration(self, spec: IntegrationSpec) -> Integration:
        made = self.transport.parsed(Integration.from_api, "POST", "integrations", spec.create_body(), permission=WRITE)
        return self._as_asked(made, "POST", "integrations", reference_id=spec.reference_id)

    def update_integration(self, integration_id: str, spec: IntegrationSpec) -> Integration:
        path = f"integrations/{segment('integration_id', integration_id)}"
        found = self.transport.parsed(Integration.from_api, "PUT", path, spec.update_body(), permission=WRITE)
        return self._as_asked(found, "PUT", path, id_=integration_id)

    def delete_integration(self, integration_id: str) -> None:
        self.transport.call("DELETE", f"integrations/{segment('integration_id', integration_id)}", permission=WRITE)

    def _confirm_absent(self, integration_id: str, answer: RiskScoringError) -> None:
        """Accept a 404 for an integration as "gone" only if the route demonstrably works.

        A wrong base URL, a gateway or a proxy also answer 404; taking that for "gone" would drop live
        integrations from state (refresh) or leave them orphaned (destroy). The list of integrations
        answering, and without this id, proves the API itself said so.
        """
        if answer.status != 404:
            raise answer
        try:
            listed = self.list_integrations()
        except (AuthenticationError, PermissionDenied):
            raise  # a credential refused: its own message names the setting to fix, not the base URL
        except RiskScoringError as exc:
            raise EndpointError(
                f"{answer.method} {answer.path} answered 404, and listing the account's integrations to confirm "
                f"that integration {integration_id} is gone failed too ({exc.summary}"
                f"{f', HTTP {exc.status}' if exc.status else ''})",
                hint=f"{check_base_url(self.settings)}: it must be the API root, such as "
                "https://api.cloudflare.com/client/v4; nothing was changed",
            ) from exc
        if any(found.id.lower() == integration_id.lower() for found in listed):
            raise EndpointError(
                f"{answer.method} {answer.path} answered 404, yet integration {integration_id} is in the list "
                "of the account's integrations; a proxy or gateway may be answering for some paths",
                hint=check_base_url(self.settings),
            ) from answer

    def _as_asked(
        self, found: Integration, method: str, path: str, *, id_: str = "", reference_id: str = ""
    ) -> Integration:
        """`found`, if it is what was asked for: this account's, and the id or reference_id asked.

        A proxy that rewrites the account, or a gateway answering with another object, must not have
        its answer recorded as ours (refresh would store another's fields, a list would prove nothing).
        """
        asked = (("account_tag", self.account_id), ("id", id_), ("reference_id", reference_id))
        for name, want in asked:
            got = getattr(found, name)
            # The account is checked where the answer gives it; an id or reference asked for must be there.
            if want and (got or name != "account_tag") and got.lower() != want.lower():
                break
        else:
            return found
        raise EndpointError(
            f"the answer is for another object: its {name} is {printable(got)}, not {printable(want)}; "
            "a proxy or gateway may be rewriting requests or answers",
            method=method,
            path=self.transport.path(path),
            hint=f"{check_base_url(self.settings)}; nothing was recorded from this answer",
        )


def _behaviors(result: Any, strict: Collection[str]) -> dict[str, Behavior]:
    """Every behavior as given, after checking the setting of each `strict` key the answer has."""
    found = behaviors_from_api(result)
    for key in strict:
        if key in found:
            _ = found[key].setting  # ShapeError naming the field unless it is exactly what the API documents
    return found


def _summary_rows(result: Any) -> list[UserRiskSummary]:
    return [UserRiskSummary.from_api(u) for u in (result or {}).get("users") or []]


def _as_given(raw: Any) -> dict[str, Any]:
    """An integration of a list as the API gave its fields (the known ones; null and absent alike None)."""
    raw = raw if isinstance(raw, Mapping) else {}
    fields = ("id", "account_tag", "integration_type", "reference_id", "tenant_url", "well_known_url", "active")
    row = {name: raw.get(name) for name in (*fields, "created_at")}
    if isinstance(row["tenant_url"], str):
        row["tenant_url"] = without_userinfo(row["tenant_url"])
    return row


def _integration_list(result: Any) -> list[Integration]:
    if not isinstance(result, list):
        raise TypeError(f"a list of integrations was expected, got {type(result).__name__}")
    return [Integration.from_api(i) for i in result]


def _next_page(info: Any, *, query: Mapping[str, str]) -> dict[str, str]:
    """The query for the page after this one, or {} when `result_info` says there is none.

    The API answers the list in one page (no result_info); a gateway or a future API that pages it
    must not make a later page's integrations look absent.
    """
    if not isinstance(info, Mapping):
        return {}
    cursor = info.get("cursor")
    if isinstance(cursor, str) and cursor:
        return {"cursor": cursor}
    page, pages = _count(info.get("page")), _count(info.get("total_pages"))
    if pages is not None and pages > 1 and (page is None or str(page) != query.get("page", str(page))):
        raise ValueError(f"result_info says {pages} pages but not which one this is (page {info.get('page')!r})")
    if page is not None and pages is not None and page < pages:
        return {**query, "page": str(page + 1)}
    return {}


def _count(value: Any) -> int | None:
    """A page number as JSON may give it (1 or "1"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None
