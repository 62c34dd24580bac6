from __future__ import annotations

from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "AEO mutual recognition"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agreements import versioning

        versioning.connect()
