from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from ops.views import healthz

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("agreements.urls")),
]

# A database outage raised outside a view answers 503 rather than 500 (see ops.middleware).
handler500 = "ops.views.server_error"
