"""The REST API (api.viewsets): lists through the same FilterSets as the pages, pagination,
detail by natural key, staff-only writes with the admin's validation, the schema and the docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from rest_framework.authtoken.models import Token

from agreements import versioning
from agreements.models import Arrangement, Claim, Economy

pytestmark = pytest.mark.django_db


def staff_token(
    *, staff: bool = True, codenames: tuple[str, ...] = ("add_arrangement", "change_arrangement")
) -> str:
    user = User.objects.create_user("api-editor", password="pw", is_staff=staff)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return Token.objects.create(user=user).key


def post(
    client: Client, path: str, data: dict[str, Any], token: str | None = None, method: str = "post"
) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return getattr(client, method)(path, data, content_type="application/json", **headers)


NEW_ARRANGEMENT = {
    "key": "QAPI-1",
    "title": "Made through the API",
    "parties": ["CHN", "KOR"],
    "signed_date": "2030-01-01",
    "signed_precision": "day",
    "status": "signed",
    "evidence": "confirmed",
    "sources": ["https://example.org/qapi-1", "A press release"],
}


def test_arrangements_are_paginated_with_a_bounded_page_size(client: Client) -> None:
    body = client.get("/api/v1/arrangements/").json()
    assert body["count"] == Arrangement.objects.count()
    assert len(body["results"]) == 50 and body["next"]
    assert len(client.get("/api/v1/arrangements/", {"page_size": 5}).json()["results"]) == 5
    assert len(client.get("/api/v1/arrangements/", {"page_size": 100_000}).json()["results"]) == min(
        500, Arrangement.objects.count()
    )


def test_arrangements_are_filtered_by_the_pages_filterset(client: Client) -> None:
    body = client.get("/api/v1/arrangements/", {"party": "chn", "page_size": "500"}).json()
    assert body["count"] == Arrangement.objects.filter(parties="CHN").count()
    assert all("CHN" in row["parties"] for row in body["results"])
    page = client.get("/arrangements/", {"party": "CHN"})
    keys_on_page = set(re.findall(r'href="/arrangements/([^/"]+)/"', page.content.decode()))
    assert keys_on_page <= {row["key"] for row in body["results"]}


def test_a_bad_filter_answers_400_naming_it(client: Client) -> None:
    response = client.get("/api/v1/arrangements/", {"party": "XXX", "signed_after": "2021-13-01"})
    assert response.status_code == 400
    assert set(response.json()) == {"party", "signed_after"}


def test_an_arrangement_by_its_key(client: Client) -> None:
    arrangement = Arrangement.objects.filter(parties="CHN").order_by("key").first()
    assert arrangement is not None
    body = client.get(f"/api/v1/arrangements/{arrangement.key}/").json()
    assert body["key"] == arrangement.key
    assert sorted(body["parties"]) == sorted(arrangement.parties.values_list("code", flat=True))
    assert body["sources"] == [s.text for s in arrangement.sources.order_by("position", "pk")]
    assert client.get("/api/v1/arrangements/no-such-key/").status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "key", "expected"),
    [
        ("/api/v1/economies/", {"q": "china"}, "code", "CHN"),
        ("/api/v1/territories/", {"economy": "EUU"}, "iso3", "FRA"),
        ("/api/v1/blocs/", {"q": "rcep"}, "code", "RCEP"),
        ("/api/v1/claim-records/", {"economy": "CHN", "basis": "signed"}, "economy", "CHN"),
    ],
)
def test_other_lists_filter_and_have_details(
    client: Client, path: str, params: dict[str, str], key: str, expected: str
) -> None:
    body = client.get(path, params | {"page_size": "500"}).json()
    assert expected in {row[key] for row in body["results"]}
    first = body["results"][0]
    lookup = first["id"] if path.endswith("claim-records/") else first[key]
    assert client.get(f"{path}{lookup}/").json() == first


def test_the_claim_records_match_the_ledger_count(client: Client) -> None:
    assert client.get("/api/v1/claim-records/").json()["count"] == Claim.objects.count()
    assert client.get("/api/v1/claims").json()["count"] == Claim.objects.count()  # the ledger stays


def test_anonymous_writes_are_refused(client: Client) -> None:
    assert post(client, "/api/v1/arrangements/", NEW_ARRANGEMENT).status_code == 401
    assert not Arrangement.objects.filter(key="QAPI-1").exists()


def test_writes_need_staff_and_the_model_permission(client: Client) -> None:
    token = staff_token(staff=False)
    assert post(client, "/api/v1/arrangements/", NEW_ARRANGEMENT, token).status_code == 403
    User.objects.filter(username="api-editor").update(is_staff=True)
    assert post(client, "/api/v1/economies/", {"code": "QAP", "name": "Q"}, token).status_code == 403


def test_staff_create_an_arrangement_with_parties_and_sources_in_one_bump(client: Client) -> None:
    token = staff_token()
    version = int(versioning.current_version())
    response = post(client, "/api/v1/arrangements/", NEW_ARRANGEMENT, token)
    assert response.status_code == 201, response.json()
    arrangement = Arrangement.objects.get(key="QAPI-1")
    assert sorted(arrangement.parties.values_list("code", flat=True)) == ["CHN", "KOR"]
    assert [s.text for s in arrangement.sources.order_by("position")] == NEW_ARRANGEMENT["sources"]
    assert int(versioning.current_version()) == version + 1
    changed = post(client, "/api/v1/arrangements/QAPI-1/", {"parties": ["CHN", "JPN"]}, token, "patch")
    assert changed.status_code == 200 and sorted(changed.json()["parties"]) == ["CHN", "JPN"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"parties": ["CHN"]}, "parties", "two or more distinct parties"),
        ({"parties": ["CHN", "CHN"]}, "parties", "only once"),
        ({"signed_precision": ""}, "signed_precision", "Give the precision of this date."),
        ({"signed_date": "2030-01-15", "signed_precision": "month"}, "signed_date", "first of its month"),
        ({"sources": ["https://not a url"]}, "sources", "valid URL"),
    ],
)
def test_writes_validate_as_the_admin_does(
    client: Client, change: dict[str, Any], field: str, message: str
) -> None:
    response = post(client, "/api/v1/arrangements/", NEW_ARRANGEMENT | change, staff_token())
    assert response.status_code == 400
    assert message in " ".join(str(m) for m in response.json()[field])
    assert not Arrangement.objects.filter(key="QAPI-1").exists()


def test_a_code_cannot_be_changed_through_the_api(client: Client) -> None:
    token = staff_token(codenames=("change_economy",))
    response = post(client, "/api/v1/economies/CHN/", {"code": "CHX"}, token, "patch")
    assert response.status_code == 400
    assert Economy.objects.filter(code="CHN").exists()


def test_the_schema_describes_every_endpoint(client: Client) -> None:
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/arrangements/",
        "/api/v1/arrangements/{key}/",
        "/api/v1/economies/",
        "/api/v1/territories/",
        "/api/v1/blocs/",
        "/api/v1/claim-records/",
        "/api/v1/summary",
        "/api/v1/ranking",
        "/api/v1/claims",
    ):
        assert path in schema["paths"], path


def test_the_docs_page_has_no_inline_script_or_style_and_no_other_host(client: Client) -> None:
    html = client.get("/api/v1/docs/").content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html)).replace("http://testserver", "")
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")


def test_the_docs_page_keeps_scripts_to_this_site(client: Client) -> None:
    policy = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy


# Methods, protected deletes and page numbers: the contract of issue 11.


@pytest.mark.parametrize(
    ("path", "method", "allow"),
    [
        ("/api/v1/arrangements/", "put", "GET, POST, HEAD, OPTIONS"),
        ("/api/v1/arrangements/", "patch", "GET, POST, HEAD, OPTIONS"),
        ("/api/v1/arrangements/", "delete", "GET, POST, HEAD, OPTIONS"),
        ("/api/v1/economies/CHN/", "post", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        ("/api/v1/claim-records/", "trace", "GET, POST, HEAD, OPTIONS"),
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_a_method_the_route_never_answers_is_405_for_everyone(
    client: Client, path: str, method: str, allow: str, who: str
) -> None:
    token = staff_token(codenames=("add_arrangement", "delete_arrangement")) if who == "staff" else None
    response = post(client, path, {}, token, method)
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}


def test_anonymous_writes_to_a_writable_route_stay_401(client: Client) -> None:
    for method, path in (("post", "/api/v1/economies/"), ("delete", "/api/v1/economies/CHN/")):
        response = post(client, path, {}, None, method)
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
        assert "detail" in response.json()
    assert Economy.objects.filter(code="CHN").exists()


@pytest.mark.parametrize(
    ("path", "codename", "referrers"),
    [
        ("/api/v1/economies/KOR/", "delete_economy", {"agreements.arrangementparty", "agreements.claim"}),
        ("/api/v1/territories/FRA/", "delete_territory", {"agreements.economymembership"}),
    ],
)
def test_deleting_a_record_others_refer_to_is_409_naming_them(
    client: Client, path: str, codename: str, referrers: set[str]
) -> None:
    version = versioning.current_version()
    response = post(client, path, {}, staff_token(codenames=(codename,)), "delete")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "still refer to it" in body["detail"]
    assert {entry["model"] for entry in body["referenced_by"]} >= referrers
    for entry in body["referenced_by"]:
        assert entry["count"] >= len(entry["records"]) >= 1
        assert all(isinstance(record, str) and record for record in entry["records"])
    assert client.get(path).status_code == 200  # nothing was deleted
    assert versioning.current_version() == version


def test_a_restrict_foreign_key_is_answered_like_a_protect_one() -> None:
    from django.db.models import RestrictedError

    from agreements.models import Territory
    from api.viewsets import TerritoryViewSet, record_exception_handler

    error = RestrictedError("restricted", {Territory.objects.get(iso3="FRA")})
    response = record_exception_handler(error, {"view": TerritoryViewSet()})
    assert response is not None and response.status_code == 409
    assert response.data["referenced_by"] == [
        {"model": "agreements.territory", "count": 1, "records": ["France (FRA)"]}
    ]
    assert response.data["detail"].startswith("This territory cannot be deleted")


def test_a_record_nothing_refers_to_is_deleted(client: Client) -> None:
    token = staff_token(codenames=("add_economy", "delete_economy"))
    assert post(client, "/api/v1/economies/", {"code": "QAP", "name": "Q"}, token).status_code == 201
    assert post(client, "/api/v1/economies/QAP/", {}, token, "delete").status_code == 204
    assert not Economy.objects.filter(code="QAP").exists()


def test_every_rest_viewset_answers_the_shared_contract() -> None:
    from api import viewsets as rest
    from api.urls import router

    assert router.registry
    for _prefix, viewset, _basename in router.registry:
        assert issubclass(viewset, rest.RecordViewSet), viewset


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999"])
@pytest.mark.parametrize("path", ["/api/v1/arrangements/", "/api/v1/economies/", "/api/v1/claim-records/"])
def test_a_bad_page_number_is_a_400_naming_page(client: Client, path: str, page: str) -> None:
    response = client.get(path, {"page": page})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["page"]  # the shape of a bad filter: each bad parameter, its messages
    assert body["page"] and all(isinstance(message, str) for message in body["page"])
    assert page in body["page"][0]


def test_good_page_numbers_still_page(client: Client) -> None:
    first = client.get("/api/v1/arrangements/", {"page_size": "5"})
    last = client.get("/api/v1/arrangements/", {"page_size": "5", "page": "last"})
    assert first.status_code == last.status_code == 200
    assert last.json()["next"] is None and last.json()["results"]
    assert client.get("/api/v1/economies/", {"q": "no such economy", "page": "1"}).status_code == 200


def test_the_schema_documents_the_error_answers(client: Client) -> None:
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path, operations in paths.items():
        if "delete" in operations:
            assert set(operations["delete"]["responses"]) == {"204", "409"}, path
        if operations.get("get", {}).get("operationId", "").endswith("_list"):
            assert {"200", "400"} <= set(operations["get"]["responses"]), path
    assert len([operations for operations in paths.values() if "delete" in operations]) == 5
