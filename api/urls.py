"""URLs of the JSON API under /api/v1/ (included by aeo_registry/urls.py, outside the language
prefix): the counting endpoints (api.views), the record endpoints (api.viewsets), the schema and
its docs page."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from agreements.forms import RankingForm, SummaryForm
from api import views
from api import viewsets as rest
from ops.caching import cached_by_data_version as cached

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

# The counting endpoints, cached by data version like the pages, keyed on the parameters their
# forms declare (ops.caching).
counting_urlpatterns = [
    path("summary", cached(views.summary, SummaryForm), name="api-summary"),
    path("ranking", cached(views.ranking, RankingForm), name="api-ranking"),
    path("claims", cached(views.claims), name="api-claims"),
    path("quality", cached(views.quality), name="api-quality"),
]

urlpatterns = [
    *counting_urlpatterns,
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
