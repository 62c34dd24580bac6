from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The pages (no models); its template tag libraries are found through INSTALLED_APPS."""

    name = "dashboard"
    verbose_name = "AEO Registry pages"
