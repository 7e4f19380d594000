"""The client checks every answer against what it asked: the account, the object, the whole list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses
from responses import matchers

from tests.unit.api_answers import ACCOUNT, BASE, INTEGRATION, ROOT, TOKEN, ok
from zt_risk_scoring.client import MAX_PAGES, RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.errors import EndpointError
from zt_risk_scoring.models import IntegrationSpec

ID = INTEGRATION["id"]
OTHER_ACCOUNT = "f037e56e89293a057740de681ac9abbe"
OTHER_ID = "9b1f6c3a-2d4e-4f5a-8b6c-7d8e9f0a1b2c"
SPEC = IntegrationSpec("https://example.oktapreview.com", INTEGRATION["reference_id"])


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


CALLS: dict[str, tuple[str, str, Callable[[RiskScoringClient], Any]]] = {
    "get": ("GET", f"{ROOT}/integrations/{ID}", lambda c: c.get_integration(ID)),
    "get-by-reference": (
        "GET",
        f"{ROOT}/integrations/reference_id/{SPEC.reference_id}",
        lambda c: c.get_integration_by_reference(SPEC.reference_id),
    ),
    "create": ("POST", f"{ROOT}/integrations", lambda c: c.create_integration(SPEC)),
    "update": ("PUT", f"{ROOT}/integrations/{ID}", lambda c: c.update_integration(ID, SPEC)),
    "list": ("GET", f"{ROOT}/integrations", lambda c: c.list_integrations()),
}
WRONG = {
    "account": {"account_tag": OTHER_ACCOUNT},
    "id": {"id": OTHER_ID},
    "reference": {"reference_id": "idp-someone-else"},
}
# Which answers each call can tell apart: a list and a create know no id, an update and a get know no reference.
CAN_TELL = {
    "get": {"account", "id"},
    "get-by-reference": {"account", "reference"},
    "create": {"account", "reference"},
    "update": {"account", "id"},
    "list": {"account"},
}
CASES = [(call, wrong) for call in CALLS for wrong in WRONG if wrong in CAN_TELL[call]]


@responses.activate
@pytest.mark.parametrize(("call", "wrong"), CASES, ids=[f"{c}-{w}" for c, w in CASES])
def test_answer_for_another_object_raises_naming_base_url(client: RiskScoringClient, call: str, wrong: str) -> None:
    method, url, run = CALLS[call]
    answer = {**INTEGRATION, **WRONG[wrong]}
    responses.add(method, url, json=ok([answer] if call == "list" else answer))
    with pytest.raises(EndpointError, match="cloudflare:baseUrl") as caught:
        run(client)
    assert "another object" in str(caught.value)


@responses.activate
@pytest.mark.parametrize("call", CALLS, ids=CALLS.keys())
def test_answer_for_the_object_asked_is_taken(client: RiskScoringClient, call: str) -> None:
    method, url, run = CALLS[call]
    # The API's case of an id, and an answer that leaves out the account, are still this object.
    answer = {**INTEGRATION, "id": ID.upper()}
    del answer["account_tag"]
    responses.add(method, url, json=ok([answer] if call == "list" else answer))
    run(client)


@responses.activate
@pytest.mark.parametrize(
    ("first_info", "second_query"),
    [({"page": 1, "per_page": 1, "total_pages": 2}, {"page": "2"}), ({"cursor": "c2"}, {"cursor": "c2"})],
    ids=["pages", "cursor"],
)
def test_list_reads_every_page(
    client: RiskScoringClient, first_info: dict[str, Any], second_query: dict[str, str]
) -> None:
    second = {**INTEGRATION, "id": OTHER_ID}
    responses.get(
        f"{ROOT}/integrations",
        json={**ok([second]), "result_info": {"page": 2, "total_pages": 2, "cursor": ""}},
        match=[matchers.query_param_matcher(second_query)],
    )
    responses.get(f"{ROOT}/integrations", json={**ok([INTEGRATION]), "result_info": first_info})
    assert [i.id for i in client.list_integrations()] == [ID, OTHER_ID]


@responses.activate
def test_list_that_never_ends_raises(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/integrations", json={**ok([]), "result_info": {"cursor": "again"}})
    with pytest.raises(EndpointError, match=f"did not end after {MAX_PAGES} pages"):
        client.list_integrations()
    assert len(responses.calls) == MAX_PAGES


@responses.activate
def test_gone_is_concluded_only_after_the_last_page(client: RiskScoringClient) -> None:
    # A 404 for the integration, and a list whose second page still has it: not gone.
    responses.get(
        f"{ROOT}/integrations/{ID}", json={"success": False, "errors": [{"code": 1004, "message": "nf"}]}, status=404
    )
    responses.get(
        f"{ROOT}/integrations",
        json={**ok([INTEGRATION]), "result_info": {"page": 2, "total_pages": 2}},
        match=[matchers.query_param_matcher({"page": "2"})],
    )
    responses.get(f"{ROOT}/integrations", json={**ok([]), "result_info": {"page": 1, "total_pages": 2}})
    with pytest.raises(EndpointError, match="is in the list"):
        client.get_integration_if_exists(ID)


@responses.activate
def test_gone_is_not_concluded_when_the_list_answers_for_another_account(client: RiskScoringClient) -> None:
    # A proxy answering the account's reads with another account's: the 404 and the list are both that account's.
    responses.get(
        f"{ROOT}/integrations/{ID}", json={"success": False, "errors": [{"code": 1004, "message": "nf"}]}, status=404
    )
    responses.get(f"{ROOT}/integrations", json=ok([{**INTEGRATION, "id": OTHER_ID, "account_tag": OTHER_ACCOUNT}]))
    with pytest.raises(EndpointError, match="is gone failed too") as caught:
        client.get_integration_if_exists(ID)
    assert f"its account_tag is '{OTHER_ACCOUNT}'" in str(caught.value) and "HTTP None" not in str(caught.value)


@responses.activate
def test_gone_is_not_concluded_when_the_list_has_the_id_in_another_case(client: RiskScoringClient) -> None:
    responses.get(
        f"{ROOT}/integrations/{ID.upper()}",
        json={"success": False, "errors": [{"code": 1004, "message": "nf"}]},
        status=404,
    )
    responses.get(f"{ROOT}/integrations", json=ok([INTEGRATION]))
    with pytest.raises(EndpointError, match="is in the list"):
        client.get_integration_if_exists(ID.upper())


@responses.activate
@pytest.mark.parametrize(
    "info",
    [{"page": 1, "total_pages": 3}, {"total_pages": 2}],
    ids=["page-asked-ignored", "no-page-number"],
)
def test_list_whose_pages_cannot_be_followed_raises(client: RiskScoringClient, info: dict[str, Any]) -> None:
    responses.get(f"{ROOT}/integrations", json={**ok([INTEGRATION]), "result_info": info})
    with pytest.raises(EndpointError, match="pages"):
        client.list_integrations()
    assert len(responses.calls) <= 2


@responses.activate
def test_list_reads_page_numbers_given_as_text(client: RiskScoringClient) -> None:
    second = {**INTEGRATION, "id": OTHER_ID}
    responses.get(
        f"{ROOT}/integrations",
        json={**ok([second]), "result_info": {"page": "2", "total_pages": "2"}},
        match=[matchers.query_param_matcher({"page": "2"})],
    )
    responses.get(f"{ROOT}/integrations", json={**ok([INTEGRATION]), "result_info": {"page": "1", "total_pages": "2"}})
    assert [i.id for i in client.list_integrations()] == [ID, OTHER_ID]
