"""Error pages (issue 15, item 7): 400, 403, 404, 405, 429, 500 and 503 are pages of the site, in
the language of the URL, with a way back and no traceback; the API keeps its JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from ops import views

pytestmark = pytest.mark.django_db

ENGLISH = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    500: "Server error",
}
CHINESE = {400: "请求有误", 403: "禁止访问", 404: "页面不存在", 405: "不允许的请求方法", 500: "服务器错误"}


def assert_site_page(body: str, language: str, title: str) -> None:
    assert f'<html lang="{language}">' in body
    assert f"<h1>{title}</h1>" in body
    assert 'href="/"' in body or 'href="/zh-hans/"' in body  # a way back
    assert "Traceback" not in body and "urlpatterns" not in body and "URLconf" not in body


@pytest.mark.parametrize(
    ("prefix", "language", "titles"), [("", "en", ENGLISH), ("/zh-hans", "zh-hans", CHINESE)]
)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_handler_draws_the_sites_page_in_the_urls_language(
    prefix: str, language: str, titles: dict[int, str], status: int
) -> None:
    handler: Any = {
        400: views.bad_request,
        403: views.permission_denied,
        404: views.page_not_found,
        500: views.server_error,
    }[status]
    request = RequestFactory().get(f"{prefix}/somewhere/")
    with translation.override(language):
        response = handler(request) if status == 500 else handler(request, Exception("x"))
    assert response.status_code == status
    assert_site_page(response.content.decode(), language, titles[status])


@pytest.mark.parametrize(
    ("prefix", "language", "title"), [("", "en", "Page not found"), ("/zh-hans", "zh-hans", "页面不存在")]
)
def test_an_unknown_address_is_a_404_page_in_its_language(
    client: Client, prefix: str, language: str, title: str
) -> None:
    response = client.get(f"{prefix}/no-such-page/")
    assert response.status_code == 404
    assert_site_page(response.content.decode(), language, title)


def test_a_bad_host_is_a_400_page(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = Client(HTTP_HOST="evil.example").get("/zh-hans/ranking/")
    assert response.status_code == 400
    assert_site_page(response.content.decode(), "zh-hans", "请求有误")


def test_a_failed_csrf_check_is_a_403_page(client: Client) -> None:
    csrf_client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    response = csrf_client.post("/zh-hans/ranking/", {})
    assert response.status_code == 403
    assert_site_page(response.content.decode(), "zh-hans", "禁止访问")


@pytest.mark.parametrize(
    ("prefix", "language", "title"),
    [("", "en", "Method not allowed"), ("/zh-hans", "zh-hans", "不允许的请求方法")],
)
def test_a_method_a_page_does_not_answer_is_a_405_page_keeping_allow(
    client: Client, prefix: str, language: str, title: str
) -> None:
    response = client.options(f"{prefix}/data/")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert_site_page(response.content.decode(), language, title)


def test_the_api_keeps_json_errors(client: Client) -> None:
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "page not found"


def test_a_locked_out_login_is_a_429_page(client: Client, settings: Any) -> None:
    from django.contrib.auth.models import User

    User.objects.create_user("clerk", password="right password 42", is_staff=True)
    login = f"/{settings.ADMIN_PATH}login/"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(login, {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in response.content.decode()
