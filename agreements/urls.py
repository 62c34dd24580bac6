from __future__ import annotations

from django.urls import path

from agreements import api
from agreements.views import catalog, dashboard, downloads

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("partners/", dashboard.partners, name="partner-list"),
    path("ranking/", dashboard.ranking, name="ranking"),
    path("claims/", dashboard.claims, name="claim-list"),
    path("how-we-count/", dashboard.how_we_count, name="how-we-count"),
    path("arrangements/", catalog.arrangement_list, name="arrangement-list"),
    path("arrangements/<str:key>/", catalog.arrangement_detail, name="arrangement-detail"),
    path("economies/", catalog.economy_list, name="economy-list"),
    path("economies/<str:code>/", catalog.economy_detail, name="economy-detail"),
    path("territories/", catalog.territory_list, name="territory-list"),
    path("territories/<str:iso3>/", catalog.territory_detail, name="territory-detail"),
    path("blocs/", catalog.bloc_list, name="bloc-list"),
    path("blocs/<str:code>/", catalog.bloc_detail, name="bloc-detail"),
    path("data/", downloads.data_download, name="data-download"),
    path("data/aeo-registry-data.zip", downloads.data_zip, name="data-zip"),
    path("api/v1/summary", api.summary, name="api-summary"),
    path("api/v1/ranking", api.ranking, name="api-ranking"),
    path("api/v1/claims", api.claims, name="api-claims"),
]
