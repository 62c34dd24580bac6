"""URLs of the REST API under /api/v1/ (included outside the language prefix)."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import viewsets as rest

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("arrangements", rest.ArrangementViewSet, basename="api-arrangement")
router.register("economies", rest.EconomyViewSet, basename="api-economy")
router.register("territories", rest.TerritoryViewSet, basename="api-territory")
router.register("blocs", rest.BlocViewSet, basename="api-bloc")
# /api/v1/claims is the claims ledger (api.views); the stored records are here.
router.register("claim-records", rest.ClaimViewSet, basename="api-claim")

# The site's policy, plus data: images for the docs page alone: Swagger UI's stylesheet draws its
# icons as inline SVG data URLs. Scripts stay 'self' only.
DOCS_CSP = {**settings.SECURE_CSP, "img-src": [*settings.SECURE_CSP.get("img-src", ["'self'"]), "data:"]}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split view: the page loads its script from a URL, so it runs under script-src 'self'.
    path(
        "docs/",
        csp_override(DOCS_CSP)(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    path("", include(router.urls)),
]
