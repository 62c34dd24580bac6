"""Every date parameter of the pages and the API is the one `DayField` (issue 12, item 7): ISO 8601
only, in the same date box, whichever form or FilterSet declares it."""

from __future__ import annotations

import pytest
from django import forms

from agreements.filtersets import ArrangementFilterSet, ClaimFilterSet
from agreements.forms import BetweenForm, CompareForm, DayField, RankingForm, SummaryForm
from dashboard.views.catalog import CoverageDayForm


@pytest.mark.parametrize(
    "form_class",
    [SummaryForm, RankingForm, CompareForm, BetweenForm, CoverageDayForm],
    ids=lambda f: f.__name__,
)
def test_every_date_field_of_a_form_is_the_day_field(form_class: type[forms.Form]) -> None:
    dates = {
        name: field for name, field in form_class.base_fields.items() if isinstance(field, forms.DateField)
    }
    assert dates
    assert all(isinstance(field, DayField) for field in dates.values()), dates


@pytest.mark.parametrize("filterset_class", [ArrangementFilterSet, ClaimFilterSet], ids=lambda f: f.__name__)
@pytest.mark.django_db
def test_every_date_filter_is_the_day_field(filterset_class: type) -> None:
    fields = filterset_class().form.fields
    dates = {name: field for name, field in fields.items() if isinstance(field, forms.DateField)}
    assert dates
    assert all(isinstance(field, DayField) for field in dates.values()), dates


def test_a_day_is_iso_8601_only() -> None:
    field = DayField(label="On")
    assert str(field.clean("2021-01-01")) == "2021-01-01"
    with pytest.raises(forms.ValidationError):
        field.clean("01/01/2021")
    assert field.clean("") is None
    assert 'type="date"' in field.widget.render("as_of", None)
