"""Settings come from the environment, with safe development defaults and a fail-fast production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def django_setup(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"],
        cwd=settings.BASE_DIR,
        env=base | {"DJANGO_SETTINGS_MODULE": "aeo_registry.settings", "AEO_VAR_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def test_production_without_a_secret_key_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    result = django_setup(tmp_path, DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_development_defaults_to_sqlite_and_debug(tmp_path: Path) -> None:
    result = django_setup(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    result = django_setup(
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_a_malformed_boolean_is_refused(tmp_path: Path) -> None:
    result = django_setup(tmp_path, DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr
