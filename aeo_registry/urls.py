from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from dashboard.i18n import switch_language
from dashboard.urls import unprefixed_urlpatterns
from ops.views import healthz

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/<str:code>/", switch_language, name="language-switch"),
    path("", include(unprefixed_urlpatterns)),
    # The JSON API: one address whatever the visitor's language.
    path("api/v1/", include("api.urls")),
    # The pages: English without a prefix, Chinese under /zh-hans/ (dashboard.i18n).
    *i18n_patterns(path("", include("dashboard.urls")), prefix_default_language=False),
]

# A database outage raised outside a view answers 503 rather than 500 (see ops.middleware).
handler400 = "ops.views.bad_request"
handler403 = "ops.views.permission_denied"
handler404 = "ops.views.page_not_found"
handler500 = "ops.views.server_error"
