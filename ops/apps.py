from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Serving and watching the site (no models): middleware, health checks, the page cache."""

    name = "ops"
    verbose_name = "AEO Registry operations"
