from __future__ import annotations

from django.urls import path

from agreements import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/v1/summary", api.summary, name="api-summary"),
    path("api/v1/ranking", api.ranking, name="api-ranking"),
    path("api/v1/claims", api.claims, name="api-claims"),
]
