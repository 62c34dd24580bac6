"""Forms that validate query parameters, shared by the API and the pages."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any, ClassVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agreements.choices import Basis, Evidence
from agreements.dates import today
from agreements.selectors import lookups
from agreements.validators import EARLIEST_EVENT, plausible_event_date
from agreements.widgets import FastDateInput, FastSelect, LongSelect

ISO_DATE = ["%Y-%m-%d"]


class DayField(forms.DateField):
    """A day in a query string, the one declaration of every date parameter of the pages (`as_of`,
    the arrangement filters' days): ISO 8601 only, optional, in a date box that
    static/js/controls.js names a half-typed date in."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ISO_DATE)
        kwargs.setdefault(
            "widget",
            FastDateInput(
                attrs={"type": "date", "data-incomplete": _("Enter a complete date (YYYY-MM-DD).")},
                format="%Y-%m-%d",
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        """A plain YYYY-MM-DD read without strptime, which cost a third of validating the
        summary API's query (issue 16); anything else, or a day that does not exist, as Django
        reads it, with its messages."""
        if isinstance(value, str) and self.input_formats is ISO_DATE and _PLAIN_DAY.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        day: dt.date | None = super().to_python(value)
        return day


# What strptime's %Y-%m-%d reads and fromisoformat reads the same: four, two and two ASCII digits.
_PLAIN_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class EconomyCodeField(forms.CharField):
    """An economy code as typed (` kor`): cleaned, and shown back in the control, as the code it
    names (`KOR`), so the select shows the economy the page counts instead of "Choose an economy"."""

    def bound_data(self, data: Any, initial: Any) -> Any:
        value = super().bound_data(data, initial)
        return value.strip().upper() if isinstance(value, str) else value


class FixedChoiceField(forms.ChoiceField):
    """A choice field whose choices are fixed in the code (a TextChoices): every form's copy
    shares them. Django deep-copies a ChoiceField's choices for each form it binds, which cost
    the counting API about a tenth of a request; nothing here changes them in place."""

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedChoiceField:
        copied: FixedChoiceField = forms.Field.__deepcopy__(self, memo)
        return copied


class SharedFields(dict[str, forms.Field]):
    """A form class's fields, which its forms share instead of each deep-copying them."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


# Django's label suffix (`BaseForm.__init__`), translated where it is written. Django's own message,
# which its catalogues translate: called under another name so that makemessages leaves it out of ours.
_django_message = _
LABEL_SUFFIX = _django_message(":")


class QueryForm(forms.Form):
    """A form of query parameters: bound to one request's query string, validated, maybe shown.

    Django deep-copies a form class's fields for each form, so that one form may change its fields
    without touching another's; the counting pages and API bind one of these forms per request, and
    the copy cost more than the rest of validating it (about 0.1 ms of the summary API's 1 ms). These
    forms change no field after the class is built: their fields are shared, and a form that must
    change one (the pages' economy select) replaces it with its own copy (`own_field`)."""

    _field_cleaners: ClassVar[dict[str, Any]]
    _lean: ClassVar[bool]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if not isinstance(cls.__dict__.get("base_fields"), SharedFields):
            cls.base_fields = SharedFields(cls.base_fields)
        # Django's default, translated when a label is written rather than for every form: most
        # of these forms are never shown, and the translation was a fifth of binding one.
        kwargs.setdefault("label_suffix", LABEL_SUFFIX)
        super().__init__(*args, **kwargs)

    def _clean_fields(self) -> None:
        """Django's, without a BoundField per field: the API validates a query and never shows
        it, and building the bound fields cost as much as cleaning (issue 16). The same value is
        read (the widget's, or the initial one of a disabled field) and cleaned the same way."""
        cls = type(self)
        cleaned, data, files = self.cleaned_data, self.data, self.files
        for name, field in self.fields.items():
            try:
                if field.disabled:
                    value = self.get_initial_for_field(field, name)
                else:
                    value = field.widget.value_from_datadict(data, files, self.add_prefix(name))
                cleaned[name] = field.clean(value)
                cleaner = _cleaner(cls, name)
                if cleaner is not None:
                    cleaned[name] = cleaner(self)
            except forms.ValidationError as error:
                self.add_error(name, error)

    @classmethod
    def cleaned(cls, query: str) -> dict[str, Any] | None:
        """What a form bound to a plain query string (`plain_query`) would clean it to, when it
        finds every value valid, without binding one; None for any other query, to be bound for
        its messages. Binding a form and parsing the query string cost the counting API more than
        cleaning the four values (issue 16). The same fields clean the same values, then the same
        `clean_<name>` methods, which read only their own value; forms that clean across fields
        (a `clean()` of their own) or read a field in another way always bind.
        tests/api/test_lean_answers.py compares the two on random queries."""
        given = plain_query(query)
        fields = cls.base_fields
        if given is None or not given.keys() <= fields.keys() or not _lean(cls):
            return None
        form = cls.__new__(cls)  # for the `clean_<name>` methods, which read `cleaned_data` alone
        form.cleaned_data = cleaned = {}
        try:
            for name, field in fields.items():
                cleaned[name] = field.clean(given.get(name))
                cleaner = _cleaner(cls, name)
                if cleaner is not None:
                    cleaned[name] = cleaner(form)
        except forms.ValidationError:
            return None
        return cleaned

    def own_field(self, name: str) -> forms.Field:
        """The field `name`, copied for this form alone: change the copy, never the shared one."""
        self.fields[name] = field = copy.deepcopy(self.fields[name])
        return field


def _cleaner(cls: type[QueryForm], name: str) -> Any:
    """The class's `clean_<name>` method for a field (None: none), looked up once per class
    rather than per form."""
    cleaners: dict[str, Any] | None = cls.__dict__.get("_field_cleaners")
    if cleaners is None:
        cleaners = cls._field_cleaners = {}
    if name not in cleaners:
        cleaners[name] = getattr(cls, f"clean_{name}", None)
    return cleaners[name]


# The `value_from_datadict` methods that read one value, `data.get(name)`.
_ONE_VALUE_READERS = (forms.Widget.value_from_datadict, forms.Select.value_from_datadict)


def _lean(cls: type[QueryForm]) -> bool:
    """Whether `QueryForm.cleaned` may answer for the class: no `clean()` of its own, and every
    field enabled and read as one value."""
    lean: bool | None = cls.__dict__.get("_lean")
    if lean is None:
        lean = cls._lean = cls.clean is forms.Form.clean and all(
            not field.disabled
            and type(field.widget).value_from_datadict in _ONE_VALUE_READERS
            and not getattr(field.widget, "allow_multiple_selected", False)
            for field in cls.base_fields.values()
        )
    return lean


# A query string that needs no decoding: names and values that percent-encoding leaves as they
# are, each name once, each with "=".
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*(?:&[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*)*")


def plain_query(query: str) -> dict[str, str] | None:
    """The names and values of a plain query string (what `QueryDict` would read from it, each
    name once), or None if it is not one."""
    if not _PLAIN_QUERY.fullmatch(query):
        return None
    pairs = [pair.partition("=") for pair in query.split("&")]
    given = {name: value for name, _, value in pairs}
    return given if len(given) == len(pairs) else None


def day_field(label: str | Promise) -> DayField:
    """A day as a query parameter (`as_of`, `from`, `to`): a `DayField` that must be a plausible
    event day."""
    return DayField(label=label, validators=[plausible_event_date])


class AsOfForm(QueryForm):
    """`as_of`, `basis` and `evidence`, with the defaults: today, signed, everything (inferred)."""

    as_of = day_field(_("As of"))
    basis = FixedChoiceField(required=False, choices=Basis.choices, label=_("Basis"), widget=FastSelect)
    evidence = FixedChoiceField(
        required=False, choices=Evidence.choices, label=_("Evidence"), widget=FastSelect
    )

    def clean_as_of(self) -> dt.date:
        value: dt.date | None = self.cleaned_data.get("as_of")
        return value or today()

    def clean_basis(self) -> str:
        return self.cleaned_data.get("basis") or Basis.SIGNED.value

    def clean_evidence(self) -> str:
        return self.cleaned_data.get("evidence") or Evidence.INFERRED.value


def economy_choices() -> list[tuple[str, str]]:
    """Every economy as "Name (CODE)", in order of name: worked out once per data version and language."""
    kept = lookups()
    return kept.cached(
        "economy choices", lambda: [(code, f"{name} ({code})") for code, name in kept.economy_names().items()]
    )


class SummaryForm(AsOfForm):
    economy = EconomyCodeField(max_length=3, label=_("Economy"))
    field_order = ["economy", "as_of", "basis", "evidence"]

    def __init__(self, *args: Any, economies: bool = False, **kwargs: Any) -> None:
        """With `economies`, the economy is a labelled select of every economy (for pages)."""
        super().__init__(*args, **kwargs)
        if economies:
            self.own_field("economy").widget = select = LongSelect(choices=economy_choices())
            select.placeholder = str(_("Choose an economy"))

    def clean_economy(self) -> str:
        code = self.cleaned_data["economy"].strip().upper()
        if code not in lookups().economy_codes:
            raise forms.ValidationError(
                _("Unknown economy %(code)s."), code="unknown", params={"code": repr(code)}
            )
        return code


def a_year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for a 29 February), but not before the first
    plausible day: the default first day of a comparison, which must itself be valid."""
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:
        earlier = day.replace(year=day.year - 1, day=28)
    return max(earlier, EARLIEST_EVENT)


class BetweenForm(SummaryForm):
    """Two days to compare, `from` and `to` (`to` defaults to today, `from` to a year before
    `to`), with `economy`, `basis` and `evidence` as on the dashboard. `from` is a Python keyword:
    its field is declared after the class."""

    as_of = None  # type: ignore[assignment]  # two days instead of one
    to = day_field(_("To"))
    field_order = ["economy", "from", "to", "basis", "evidence"]

    def clean_from(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("from")
        return value

    def clean_to(self) -> dt.date:
        value: dt.date | None = self.cleaned_data.get("to")
        return value or today()

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        until = data.get("to")
        if until is None or "from" in self.errors:
            return data
        since = data.get("from") or a_year_before(until)
        data["from"] = since
        if since > until:
            self.add_error("from", _("The first day must be on or before the second."))
        return data


BetweenForm.base_fields = BetweenForm.declared_fields = {
    "from": day_field(_("From")),
    **BetweenForm.declared_fields,
}


class RankingForm(AsOfForm):
    by = FixedChoiceField(
        required=False,
        widget=FastSelect,
        label=_("Rank by"),
        choices=[
            ("countries", _("Partner countries and regions")),
            ("economies", _("Partner economies")),
        ],
    )

    def clean_by(self) -> str:
        return self.cleaned_data.get("by") or "countries"


def error_body(form: forms.Form) -> dict[str, Any]:
    """A JSON error body naming each bad parameter."""
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    return {"error": "invalid parameters", "parameters": sorted(errors), "errors": errors}


MAX_COMPARED = 6


class CompareForm(AsOfForm):
    """Up to six economies (`economy` repeated) on one day, basis and evidence."""

    economy = forms.MultipleChoiceField(required=False, label=_("Economies (up to six)"))
    field_order = ["economy", "as_of", "basis", "evidence"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.own_field("economy")
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = economy_choices()
        field.widget.attrs["size"] = "8"

    def clean_economy(self) -> list[str]:
        codes: list[str] = list(dict.fromkeys(self.cleaned_data.get("economy") or []))
        if len(codes) > MAX_COMPARED:
            raise forms.ValidationError(
                _("Choose at most %(count)s economies."), params={"count": MAX_COMPARED}, code="too_many"
            )
        return codes
