"""Access, login throttling, CSRF, security headers and the production deploy check."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 42"
README = Path(settings.BASE_DIR) / "README.md"


def staff_editor() -> Any:
    """A staff member who may edit every registry model, and nothing else."""
    user = get_user_model().objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="agreements"))
    return user


# Access


@pytest.mark.parametrize("path", ["/", "/arrangements/", "/economies/CHN/", "/api/v1/ranking"])
def test_anonymous_visitors_read_every_public_page(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200


def test_staff_edit_registry_records_in_the_admin(client: Client) -> None:
    client.force_login(staff_editor())
    assert client.get(reverse("admin:agreements_arrangement_changelist")).status_code == 200
    assert client.get(reverse("admin:agreements_arrangement_add")).status_code == 200


def test_staff_who_are_not_superusers_can_neither_see_nor_edit_users(client: Client) -> None:
    editor = staff_editor()
    client.force_login(editor)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:auth_user_changelist") not in index.content.decode()
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_change", args=[editor.pk])).status_code == 403
    response = client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        {"username": "editor", "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_superusers_manage_users(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_add")).status_code == 200


def test_the_admin_path_is_read_from_the_environment(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean_environment(tmp_path) | {"DJANGO_ADMIN_PATH": "/staff-7f3a/"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/staff-7f3a/"


# Login throttling (django-axes)


def attempt_login(client: Client, password: str) -> Any:
    return client.post(reverse("admin:login"), {"username": "curator", "password": password})


def test_repeated_failed_logins_lock_the_account_out_even_with_the_right_password(client: Client) -> None:
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = attempt_login(client, "wrong guess")
        assert response.status_code == 200  # the login form again, with its error
        assert b"Please enter the correct username and password" in response.content
    assert attempt_login(client, "wrong guess").status_code == 429
    locked = attempt_login(client, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_resets_the_count(client: Client) -> None:
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt_login(client, "wrong guess")
    assert attempt_login(client, PASSWORD).status_code == 302
    client.logout()
    assert attempt_login(client, "wrong guess").status_code == 200


# CSRF


def test_a_post_without_a_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    response = client.post(reverse("admin:login"), {"username": "curator", "password": PASSWORD})
    assert response.status_code == 403


def test_the_login_form_carries_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    form = client.get(reverse("admin:login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    response = client.post(
        reverse("admin:login"),
        {"username": "nobody", "password": "x", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 200  # past the CSRF check: a wrong password, not a 403


# Headers


@pytest.mark.parametrize("path", ["/", "/api/v1/claims", "/healthz", "/admin/login/"])
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'self'" in policy
    assert "form-action 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP in tests


def test_the_style_hashes_in_the_policy_are_those_of_the_attributes_they_name() -> None:
    for attribute, source in settings.CSP_STYLE_ATTRIBUTE_HASHES.items():
        digest = base64.b64encode(hashlib.sha256(attribute.encode()).digest()).decode()
        assert source == f"'sha256-{digest}'"
        assert source in settings.SECURE_CSP["style-src"]


def test_hsts_is_sent_over_https(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# The production deploy check


def clean_environment(tmp_path: Path) -> dict[str, str]:
    """This process's environment without Django or database settings, and a scratch var/ folder."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_"))}
    return base | {"DJANGO_SETTINGS_MODULE": "aeo_registry.settings", "AEO_VAR_DIR": str(tmp_path)}


def readme_production_settings() -> str:
    """The shell lines of the README's "Production settings" block, as an operator would paste them."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"### Production settings\n.*?```sh\n(.*?)```", text, re.DOTALL)
    assert match, "README.md has no ### Production settings section with a sh block"
    return match.group(1)


def test_the_readme_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    script = readme_production_settings()
    assert "DJANGO_DEBUG=0" in script
    result = subprocess.run(
        [
            "bash",
            "-c",
            f"set -e\n{script}\nexec {sys.executable} manage.py check --deploy --fail-level WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
