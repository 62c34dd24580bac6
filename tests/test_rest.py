"""The REST API (agreements.rest): lists through the same FilterSets as the pages, pagination,
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
