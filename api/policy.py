"""Who may write through the REST API, and how its lists are paged (settings.REST_FRAMEWORK).

A bad page number is a bad parameter like a bad filter: 400 with `{"page": [message]}`, the body
shape of django-filter's errors, not DRF's 404 `{"detail": "Invalid page."}`.

Kept apart from api.viewsets: DRF imports these classes while its own views module loads, so
this module must not import DRF views.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination, permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from agreements.paging import PAGE_SIZE


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "Invalid page {page_number!r}: {message}."

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:  # DRF's answer to InvalidPage: 0, -1, "abc", past the last page
            raise ValidationError({self.page_query_param: [str(error.detail)]}) from None


class StaffWritesOrReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; only active staff with the model's add/change/delete permission write.

    A method the view does not answer at all (PUT on a list, POST on a record, TRACE) needs no
    permission: the view then answers 405 to everyone, rather than 401 to visitors and 405 to staff.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or request.method not in view.allowed_methods:
            return True
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_staff and super().has_permission(request, view)
        )
