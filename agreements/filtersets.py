"""One FilterSet per listable model, shared by the HTML list and its CSV and JSON twins.

A FilterSet only narrows and orders a queryset; what a row shows (prefetches) comes from the
selector that supplies the base queryset. Bind with `bind_arrangement_filters` so that the
defaults are in the data: django-filter ignores a field's `initial` when it filters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, OrderBy, Q, QuerySet, Subquery, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from agreements.choices import Basis, EconomyKind, Evidence, Status, TerritoryKind
from agreements.forms import DayField
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    Claim,
    Economy,
    EconomyMembership,
    Territory,
)
from agreements.querysets import AmongValues, counting_on_q, in_force_date_missing_q
from agreements.validators import plausible_event_date

DEFAULT_ORDERING = "signed_date"


def _upper_code(value: object) -> str:
    return str(value).strip().upper()


class EconomyCodesField(django_filters.fields.ModelMultipleChoiceField):
    """Economy codes, case-insensitive (`chn` is `CHN`, as in the API); empty values are dropped."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = [_upper_code(item) for item in value if str(item).strip()]
        return super().clean(value)


class TerritoryCodeField(django_filters.fields.ModelChoiceField):
    """An ISO alpha-3 code, case-insensitive."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _upper_code(value)
        return super().to_python(value)


class CodesInput(forms.TextInput):
    """Codes typed as text ("CHN KOR" or "CHN,KOR"), or repeated in the URL (`?party=CHN&party=KOR`).

    A text box, not a select: a select would render every economy on every page, which grows
    with the data."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
        return [code for value in values for code in str(value).replace(",", " ").split()]

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return " ".join(str(v) for v in value)
        return super().format_value(value)


class EconomyCodesFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = EconomyCodesField


class TerritoryCodeFilter(django_filters.ModelChoiceFilter):
    field_class = TerritoryCodeField


class DayFilter(django_filters.DateFilter):
    """A day, in the pages' one date field (`agreements.forms.DayField`)."""

    field_class = DayField


def _choice_rank(field: str, choices: Sequence[str]) -> Case:
    """Order a choice field by its lifecycle or strength, not alphabetically by its stored value."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(choices)),
        default=Value(len(choices)),
        output_field=IntegerField(),
    )


class ArrangementOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen columns, then signed date and key, so every page is stable.

    Empty dates sort last in both directions on every database (SQLite and PostgreSQL differ by
    default); status sorts by lifecycle and evidence by strength, as the choices list them.
    """

    def _expression(self, field: str) -> Any:
        if field == "status":
            return _choice_rank("status", Status.values)
        if field == "evidence":
            return _choice_rank("evidence", Evidence.values)
        return F(field)

    def _order_by(self, param: str) -> OrderBy:
        name = self.get_ordering_value(param)
        descending = name.startswith("-")
        expression = self._expression(name.removeprefix("-"))
        if descending:
            return expression.desc(nulls_last=True)
        return expression.asc(nulls_last=True)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        ordering = [self._order_by(param) for param in value if param]
        return qs.order_by(*ordering, F("signed_date").asc(nulls_last=True), "key")


class ArrangementFilterSet(django_filters.FilterSet):
    party = EconomyCodesFilter(
        label=_("Party"),
        queryset=Economy.objects.all(),
        to_field_name="code",
        method="filter_party",
        help_text=_(
            "Economy codes (e.g. CHN). With one, every arrangement it is party to; with several, "
            "only arrangements to which all of them are parties."
        ),
        error_messages={"invalid_choice": _("Unknown economy code “%(value)s”.")},
        widget=CodesInput(attrs={"placeholder": _("e.g. CHN"), "autocapitalize": "characters"}),
    )
    territory = TerritoryCodeFilter(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        to_field_name="iso3",
        method="filter_territory",
        help_text=_(
            "ISO alpha-3 code (e.g. FRA): arrangements with a party that this territory belongs or "
            "belonged to at any time (France reaches the EU's arrangements)."
        ),
        error_messages={"invalid_choice": _("Unknown territory code “%(value)s”.")},
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. FRA"), "size": 6, "autocapitalize": "characters"}
        ),
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"), empty_label=_("Any"))
    evidence = django_filters.ChoiceFilter(
        choices=Evidence.choices,
        label=_("Evidence"),
        help_text=_("Exactly this evidence level."),
        empty_label=_("Any"),
    )
    signed_after = DayFilter(
        field_name="signed_date",
        lookup_expr="gte",
        label=_("Signed on or after"),
        help_text=_("The day itself included."),
    )
    signed_before = DayFilter(
        field_name="signed_date",
        lookup_expr="lte",
        label=_("Signed on or before"),
        help_text=_("The day itself included."),
    )
    in_force_on = DayFilter(
        label=_("In force on"),
        method="filter_in_force_on",
        help_text=_("Arrangements that count on that day on the in-force basis."),
        validators=[plausible_event_date],
    )
    undated = django_filters.BooleanFilter(
        label=_("No in-force date"),
        method="filter_undated",
        help_text=_("Yes: only arrangements whose in-force date is not known, for every party or for some."),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        help_text=_("Key, title, notes, or a party's code or name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    ordering = ArrangementOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("signed_date", "signed_date"),
            ("effective_date", "effective_date"),
            ("key", "key"),
            ("status", "status"),
            ("evidence", "evidence"),
        ),
        field_labels={
            "signed_date": _("Signed date"),
            "effective_date": _("In-force date"),
            "key": _("Key"),
            "status": _("Status"),
            "evidence": _("Evidence"),
        },
        empty_label=None,
    )

    class Meta:
        model = Arrangement
        fields: list[str] = []

    def filter_party(self, queryset: QuerySet[Any], name: str, value: Iterable[Economy]) -> QuerySet[Any]:
        # One subquery per party rather than chained joins: no duplicate rows, no DISTINCT; each
        # as a list of ids (`AmongValues`), looked up by primary key rather than joined.
        for economy in value:
            party_to = ArrangementParty.objects.filter(economy=economy).order_by().values("arrangement_id")
            queryset = queryset.filter(AmongValues(F("pk"), Subquery(party_to)))
        return queryset

    def filter_territory(self, queryset: QuerySet[Any], name: str, value: Territory) -> QuerySet[Any]:
        reaching = ArrangementParty.objects.filter(economy__memberships__territory=value)
        return queryset.filter(pk__in=reaching.values("arrangement_id"))

    def filter_undated(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        missing = in_force_date_missing_q()
        return queryset.filter(missing) if value else queryset.exclude(missing)

    def filter_in_force_on(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(counting_on_q(value, Basis.IN_FORCE, Evidence.INFERRED))

    def filter_text(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = value.strip()
        if not text:
            return queryset
        by_party = ArrangementParty.objects.filter(
            Q(economy__code__icontains=text) | Q(economy__name__icontains=text)
        )
        return queryset.filter(
            Q(key__icontains=text)
            | Q(title__icontains=text)
            | Q(notes__icontains=text)
            | Q(pk__in=by_party.values("arrangement_id"))
        )


def bind_arrangement_filters(params: QueryDict, queryset: QuerySet[Arrangement]) -> ArrangementFilterSet:
    """Bind the arrangement filters to a query string, with the default order put into the data."""
    data = params.copy()
    data.setdefault("ordering", DEFAULT_ORDERING)
    return ArrangementFilterSet(data, queryset=queryset)


# The other listable models: a few exact filters and a text search, for the REST API (api.viewsets).


class EconomyFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EconomyKind.choices)
    q = django_filters.CharFilter(method="filter_text", max_length=200, help_text="Code or name contains.")

    class Meta:
        model = Economy
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(code__icontains=value.strip()) | Q(name__icontains=value.strip()))


class TerritoryFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TerritoryKind.choices)
    economy = django_filters.CharFilter(
        method="filter_economy",
        max_length=3,
        help_text="Economy code: territories that belong or belonged to it at any time.",
    )
    q = django_filters.CharFilter(method="filter_text", max_length=200, help_text="Code or name contains.")

    class Meta:
        model = Territory
        fields: list[str] = []

    def filter_economy(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        members = EconomyMembership.objects.filter(economy_id=_upper_code(value))
        return queryset.filter(iso3__in=members.values("territory_id"))

    def filter_text(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = value.strip()
        return queryset.filter(Q(iso3__icontains=text) | Q(iso2__icontains=text) | Q(name__icontains=text))


class BlocFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", max_length=200, help_text="Code or name contains.")

    class Meta:
        model = Bloc
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(code__icontains=value.strip()) | Q(name__icontains=value.strip()))


class ClaimFilterSet(django_filters.FilterSet):
    economy = django_filters.CharFilter(method="filter_economy", max_length=3, help_text="Economy code.")
    basis = django_filters.ChoiceFilter(choices=Basis.choices)
    metric = django_filters.CharFilter(max_length=40, help_text="e.g. partner_countries or bloc:RCEP.")
    as_of_after = DayFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = DayFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_economy(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(economy_id=_upper_code(value))
