from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API (no models)."""

    name = "api"
    verbose_name = "AEO Registry API"
