"""The reference dataset is the suite's main fixture: loaded once per test database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from agreements.reference import load_reference

REFERENCE_DIR = Path(settings.BASE_DIR) / "data"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_reference(REFERENCE_DIR)
    yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hashing a test user's password with the production hasher costs ~0.5 s per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request through the test client runs
    LocaleMiddleware in this thread, which leaves the request's language active afterwards: a
    test after a /zh-hans/ request would otherwise render forms and names in Chinese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_page_cache() -> Iterator[None]:
    """Tests roll back their writes, and with them data-version bumps: a version number can come
    back with other data in the next test. Production never rolls back a bump it served."""
    from django.core.cache import cache

    from agreements.selectors import forget_index
    from agreements.versioning import forget

    cache.clear()
    forget_index()
    forget()
    yield
    cache.clear()
    forget_index()
    forget()


@pytest.fixture
def committed_reference(transactional_db: Any) -> None:
    """The reference data in a transactional test: a transactional test before this one may have
    flushed the database (they run after all the others, in file order)."""
    from agreements.models import Economy

    if not Economy.objects.exists():
        load_reference(REFERENCE_DIR)
