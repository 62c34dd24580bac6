"""The counting API answers without DRF's per-answer serializer, Django's bound fields or strptime
(issue 16): each lean path must give exactly what the general one gives, valid input or not."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import selectors
from agreements.forms import BetweenForm, CompareForm, DayField, RankingForm, SummaryForm
from api import serializers
from api.views import (
    ClaimsLedgerView,
    ContractJSONRenderer,
    CountingView,
    QualityView,
    RankingView,
    SummaryView,
)

DAYS = [dt.date(2008, 6, 28), dt.date(2014, 5, 1), dt.date(2021, 8, 31), dt.date(2026, 1, 1)]


def drf_data(serializer_class: type[serializers.OutputSerializer], answer: Any) -> Any:
    return serializer_class(answer).data


@pytest.mark.django_db
@pytest.mark.parametrize("basis", ["signed", "in_force"])
@pytest.mark.parametrize("evidence", ["confirmed", "inferred"])
def test_every_summary_is_represented_as_drf_writes_it(basis: str, evidence: str) -> None:
    view = SummaryView()
    for economy in ("CHN", "KOR", "EUU", "USA", "SGP", "HKG", "JPN", "NZL"):
        for day in DAYS:
            answer = view.count({"economy": economy, "as_of": day, "basis": basis, "evidence": evidence})
            lean = serializers.SummarySerializer.represent(answer)
            assert lean == drf_data(serializers.SummarySerializer, answer)
            assert type(lean) is dict and list(lean) == list(drf_data(serializers.SummarySerializer, answer))


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["countries", "economies"])
def test_every_ranking_is_represented_as_drf_writes_it(by: str) -> None:
    view = RankingView()
    for day in DAYS:
        answer = view.count({"as_of": day, "basis": "signed", "evidence": "inferred", "by": by})
        assert answer["results"]
        assert serializers.RankingSerializer.represent(answer) == drf_data(
            serializers.RankingSerializer, answer
        )


@pytest.mark.django_db
def test_the_ledger_and_the_quality_figures_are_represented_as_drf_writes_them() -> None:
    ledger = ClaimsLedgerView().count({})
    assert ledger["results"]
    assert serializers.LedgerSerializer.represent(ledger) == drf_data(serializers.LedgerSerializer, ledger)
    quality = QualityView().count({})
    assert serializers.QualitySerializer.represent(quality) == drf_data(
        serializers.QualitySerializer, quality
    )


def django_clean(form: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """What Django's BaseForm validation makes of the form's data: cleaned data and messages."""
    form._errors = forms.utils.ErrorDict()
    form.cleaned_data = {}
    forms.BaseForm._clean_fields(form)  # type: ignore[attr-defined]  # private, untyped in the stubs
    forms.BaseForm._clean_form(form)  # type: ignore[attr-defined]
    return form.cleaned_data, {name: [str(m) for m in messages] for name, messages in form._errors.items()}


def lean_clean(form: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    form.full_clean()
    return form.cleaned_data, {name: [str(m) for m in messages] for name, messages in form.errors.items()}


values = st.one_of(
    st.sampled_from(
        ["", " ", "CHN", "chn ", "KOR", "XXX", "EUU", "2021-08-31", "2021-8-31", " 2021-08-31 ", "2021-02-30",
         "20210831", "2021-08-31T00:00", "1899-01-01", "9999-12-31", "0000-01-01", "signed", "in_force",
         "confirmed", "reported", "inferred", "countries", "economies", "\uff12\uff10\uff12\uff11-08-31", "2021-08-3\uff11"]
    ),
    st.text(max_size=12),
)  # fmt: skip
queries = st.dictionaries(
    st.sampled_from(["economy", "as_of", "basis", "evidence", "by", "from", "to", "other"]),
    st.lists(values, min_size=1, max_size=2),
    max_size=6,
)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(queries, st.sampled_from([SummaryForm, RankingForm, BetweenForm, CompareForm]))
def test_the_query_forms_clean_as_django_does(query: dict[str, list[str]], form_class: type[Any]) -> None:
    data = QueryDict(mutable=True)
    for name, items in query.items():
        data.setlist(name, items)
    assert lean_clean(form_class(data)) == django_clean(form_class(data))


def read_day(text: str, to_python: Any) -> Any:
    try:
        return to_python(text)
    except forms.ValidationError as error:
        return ("invalid", error.messages)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        values,
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(dt.date.isoformat),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    )
)
def test_a_day_is_read_as_django_reads_it(text: str) -> None:
    field = DayField()
    assert read_day(text, field.to_python) == read_day(
        text, lambda value: forms.DateField.to_python(field, value)
    )


def test_every_day_of_four_years_and_every_impossible_one_is_read_as_django_reads_it() -> None:
    field = DayField()
    texts = [f"{year}-{month:02}-{day:02}" for year in (2019, 2020, 2021, 2100) for month in range(0, 14)
             for day in range(0, 33)]  # fmt: skip
    for text in texts:
        assert read_day(text, field.to_python) == read_day(
            text, lambda v: forms.DateField.to_python(field, v)
        )


@pytest.mark.django_db
@pytest.mark.parametrize("basis", ["signed", "in_force"])
def test_a_summary_answer_kept_for_its_interval_is_the_one_counted_for_the_day(
    basis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary's bytes are kept per interval of the counting index, with the day written in:
    every eleventh day from 2008 on (most answered from the bytes kept for another day of their
    interval) gives the bytes that counting, representing and rendering that day gives."""
    view, renderer = SummaryView(), ContractJSONRenderer()
    # One index for the test: inside the test's transaction, each call would count afresh.
    index = selectors.fact_index()
    monkeypatch.setattr(selectors, "fact_index", lambda: index)
    shared = 0
    for economy in ("CHN", "KOR", "EUU", "USA", "SGP"):
        seen: set[int] = set()
        day = dt.date(2008, 1, 1)
        while day <= dt.date(2026, 12, 31):
            params = {"economy": economy, "as_of": day, "basis": basis, "evidence": "inferred"}
            counted = CountingView.rendered(view, params, renderer)
            assert view.rendered(params, renderer) == counted
            assert json.loads(counted)["as_of"] == day.isoformat()
            shared += index.interval(day) in seen
            seen.add(index.interval(day))
            day += dt.timedelta(days=11)
    assert shared > 1000  # most days were answered from another day's kept bytes


plain_values = st.sampled_from(
    ["", "CHN", "chn", "KOR", "XXX", "EUU", "2021-08-31", "2021-8-31", "2021-02-30", "20210831", "1899-01-01",
     "9999-12-31", "signed", "in_force", "confirmed", "reported", "inferred", "countries", "economies", "-1", "a.b"]
)  # fmt: skip
plain_queries = st.dictionaries(
    st.sampled_from(["economy", "as_of", "basis", "evidence", "by", "from", "other"]),
    plain_values,
    max_size=5,
)


@pytest.mark.django_db
@settings(max_examples=400, deadline=None)
@given(plain_queries, st.sampled_from([SummaryForm, RankingForm, BetweenForm, CompareForm]))
def test_a_plain_query_is_cleaned_unbound_as_a_bound_form_cleans_it(
    query: dict[str, str], form_class: type[Any]
) -> None:
    """`QueryForm.cleaned` answers exactly when a bound form finds the query valid, with its
    cleaned data; forms that clean across fields always bind."""
    text = "&".join(f"{name}={value}" for name, value in query.items())
    form = form_class(QueryDict(text))
    lean = form_class.cleaned(text)
    if (
        query
        and form_class in (SummaryForm, RankingForm)
        and form.is_valid()
        and set(query) <= set(form.fields)
    ):
        assert lean == form.cleaned_data
    else:
        assert lean is None


@pytest.mark.parametrize("query", ["economy=CHN&as_of=2021-08-31&economy=KOR", "economy=CHN&as_of", "economy=C%48N",
                                   "economy=CHN+", "economy=CHN;as_of=2021-08-31", "", "&", "economy=CHN&"])  # fmt: skip
def test_a_query_string_that_is_not_plain_is_bound_to_a_form(query: str) -> None:
    assert SummaryForm.cleaned(query) is None
