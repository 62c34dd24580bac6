"""Who may write through the REST API, and how its lists are paged (settings.REST_FRAMEWORK).

Kept apart from agreements.rest: DRF imports these classes while its own views module loads, so
this module must not import DRF views.
"""

from __future__ import annotations

from typing import Any

from rest_framework import pagination, permissions
from rest_framework.request import Request


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class StaffWritesOrReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; only active staff with the model's add/change/delete permission write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_staff and super().has_permission(request, view)
        )
