"""Markup written in Python for speed is the markup Django's templates wrote: the economy select
(`LongSelect`) and the partner table's dates (`{% event_date %}`)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context, RequestContext, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import selectors
from agreements.forms import SummaryForm
from agreements.models import Economy
from agreements.widgets import LongSelect

# The include that `{% event_date %}` replaced, verbatim.
OLD_DATE_TEMPLATE = (
    '{% load i18n %}{% if day %}<time datetime="{{ day|date:\'Y-m-d\' }}">{% if precision == "month" %}'
    '{{ day|date:"YEAR_MONTH_FORMAT" }} <span class="precision">{% translate "(month)" %}</span>'
    '{% elif precision == "year" %}{{ day|date:"Y" }} <span class="precision">{% translate "(year)" %}</span>'
    '{% elif precision == "by" %}<span class="precision">{% translate "by" context "date precision" %}</span> '
    '{{ day|date }}{% else %}{{ day|date }}{% endif %}</time>{% else %}<span class="muted">\N{EN DASH}</span>{% endif %}'
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("precision", ["day", "month", "year", "by", ""])
@pytest.mark.parametrize("day", [dt.date(2021, 8, 31), None])
def test_event_date_writes_what_the_template_wrote(
    language: str, precision: str, day: dt.date | None
) -> None:
    with translation.override(language):
        old = Template(OLD_DATE_TEMPLATE).render(Context({"day": day, "precision": precision}))
        new = Template("{% load event_dates %}{% event_date day precision %}").render(
            Context({"day": day, "precision": precision})
        )
    assert new == old


@pytest.mark.django_db
@pytest.mark.parametrize("economy", ["CHN", "EUU", "", "<b>"])
def test_long_select_writes_what_forms_select_wrote(economy: str) -> None:
    data = {"economy": economy, "as_of": "2021-08-31"}
    fast_form, plain_form = SummaryForm(data, economies=True), SummaryForm(data, economies=True)
    assert isinstance(fast_form.fields["economy"].widget, LongSelect)
    plain_form.fields["economy"].widget = forms.Select(choices=fast_form.fields["economy"].widget.choices)
    fast_form.is_valid()
    plain_form.is_valid()
    fast = str(fast_form["economy"])
    known = economy in {"CHN", "EUU"}
    # Without a known value, an empty choice comes first and is the one selected (issue 13):
    # otherwise the browser shows the first economy, and the next submission sends it.
    placeholder = '\n  <option value="" selected>Choose an economy</option>\n'
    assert (placeholder in fast) == (not known)
    assert fast.replace(placeholder, "") == str(plain_form["economy"])
    assert ("selected" in fast.replace(placeholder, "")) == known


# The loops that `{% partner_rows %}` and `{% territory_items %}` replaced (dates as above).
OLD_PARTNER_ROWS = """{% load i18n event_dates %}{% for row in rows %}
    <tr data-territory="{{ row.territory }}">
      <th scope="row"><a href="{% url 'territory-detail' row.territory %}">{{ row.territory_name }}</a> <span class="muted">{{ row.territory }}</span></th>
      <td><a href="{% url 'economy-detail' row.economy %}">{{ row.economy_name }}</a> <span class="muted">{{ row.economy }}</span></td>
      <td><a href="{% url 'arrangement-detail' row.arrangement.key %}">{{ row.arrangement.title|default:row.arrangement.key }}</a></td>
      <td>{% event_date row.arrangement.signed_date row.arrangement.signed_precision %}</td>
      <td>{% event_date row.arrangement.effective_date row.arrangement.effective_precision %}</td>
      <td>{{ row.arrangement.get_evidence_display }}</td>
      <td>{{ row.blocs|join:", "|default:"\N{EN DASH}" }}</td>
    </tr>{% empty %}
    <tr><td colspan="7">{% translate "No partner territories." %}</td></tr>{% endfor %}"""
OLD_TERRITORY_ITEMS = (
    "{% for row in rows %}<li><a href=\"{% url 'territory-detail' row.territory %}\">{{ row.territory_name }}</a> "
    '<span class="muted">{{ row.territory }}</span></li>{% endfor %}'
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("economy", "day"), [("CHN", dt.date(2021, 8, 31)), ("CHN", dt.date(1990, 1, 1))])
def test_partner_rows_write_what_the_template_loop_wrote(language: str, economy: str, day: dt.date) -> None:
    with translation.override(language):
        rows = selectors.overview(economy=economy, day=day, basis="signed", evidence="inferred").rows
        assert bool(rows) == (day.year == 2021)
        for old, new in [
            (OLD_PARTNER_ROWS, "{% load partner_markup %}{% partner_rows rows %}"),
            (OLD_TERRITORY_ITEMS, "{% load partner_markup %}{% territory_items rows %}"),
        ]:
            context = Context({"rows": rows})
            assert Template(new).render(context) == Template(old).render(context)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"as_of": "2021-08-31", "basis": "in_force", "evidence": "confirmed", "by": "economies"},
        {"as_of": "2021-02-30", "basis": "<b>", "evidence": 'x"y', "by": "&"},
        {"as_of": "<script>", "basis": "signed"},
    ],
)
def test_fast_widgets_write_what_the_widget_templates_wrote(language: str, data: dict[str, str]) -> None:
    """`FastDateInput` and `FastSelect` against Django's own DateInput and Select, bound to the same
    data, valid or not (the error attributes come from the bound field)."""
    from agreements.forms import RankingForm
    from agreements.widgets import FastDateInput, FastSelect

    with translation.override(language):
        fast, plain = RankingForm(data), RankingForm(data)
        for name in list(plain.fields):
            field = plain.own_field(name)  # the forms share their fields: change a copy
            widget = field.widget
            if isinstance(widget, FastSelect):
                field.widget = forms.Select(attrs=widget.attrs, choices=widget.choices)
            elif isinstance(widget, FastDateInput):
                field.widget = forms.DateInput(
                    attrs={**widget.attrs, "type": widget.input_type}, format=widget.format
                )
            else:
                raise AssertionError(name)
        fast.is_valid()
        plain.is_valid()
        for name in fast.fields:
            assert type(fast.fields[name].widget) is not type(plain.fields[name].widget)
            assert str(fast[name]) == str(plain[name]), name


# The loop that `{% ranking_rows %}` replaced in agreements/ranking.html, verbatim.
OLD_RANKING_LOOP = (
    '{% for row, name in rows %}<tr data-economy="{{ row.economy }}"><td>{{ row.rank }}</td><th scope="row">'
    '<a href="{% url \'economy-detail\' row.economy %}">{{ name }}</a> <span class="muted">{{ row.economy }}'
    '</span></th><td>{{ row.value }}</td></tr>{% empty %}<tr><td colspan="3">No economy has a partner on'
    " this date.</td></tr>{% endfor %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("day", [dt.date(2021, 8, 31), dt.date(1990, 1, 1)])
def test_ranking_rows_write_what_the_template_loop_wrote(language: str, day: dt.date) -> None:
    from agreements.counting import RankingRow

    with translation.override(language):
        names = selectors.economy_names()
        rows = [
            (row, names.get(row.economy, row.economy))
            for row in selectors.ranking(day=day, basis="signed", evidence="inferred", by="countries")
        ]
        rows.append((RankingRow(economy="<&>", value=1234, rank=1001), 'A "name" & <b>'))
        if day.year < 2000:
            rows = []
        context = Context({"rows": rows})
        old = Template(OLD_RANKING_LOOP).render(context)
        new = Template("{% load partner_markup %}{% ranking_rows rows %}").render(context)
    assert new == old


# The loops that `{% form_fields %}` replaced: includes/_controls.html (error ids),
# agreements/partner_list.html and agreements/ranking.html (without "by"), verbatim.
OLD_FIELD_LOOPS = {
    "error_ids=True": (
        "  {% for field in form %}\n"
        '    <div class="control">\n'
        '      <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
        "      {{ field }}\n"
        '      {% for error in field.errors %}<p class="error" role="alert" id="{{ field.auto_id }}-error">'
        "{{ error }}</p>{% endfor %}\n"
        "    </div>\n"
        "  {% endfor %}\n"
    ),
    "": (
        "  {% for field in form %}\n"
        '    <div class="control">\n'
        '      <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
        "      {{ field }}\n"
        '      {% for error in field.errors %}<p class="error" role="alert">{{ error }}</p>{% endfor %}\n'
        "    </div>\n"
        "  {% endfor %}\n"
    ),
    'skip="by"': (
        '  {% for field in form %}{% if field.name != "by" %}\n'
        '    <div class="control">\n'
        '      <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
        "      {{ field }}\n"
        '      {% for error in field.errors %}<p class="error" role="alert">{{ error }}</p>{% endfor %}\n'
        "    </div>\n"
        "  {% endif %}{% endfor %}\n"
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("variant", list(OLD_FIELD_LOOPS))
@pytest.mark.parametrize(
    "data",
    [
        {"economy": "CHN", "as_of": "2021-08-31"},
        {"economy": "<b>", "as_of": "2021-02-30", "basis": "x", "evidence": '"', "by": "&"},
        {},
    ],
)
def test_form_fields_write_what_the_template_loops_wrote(
    language: str, variant: str, data: dict[str, str]
) -> None:
    from agreements.forms import RankingForm

    with translation.override(language):
        for form in (SummaryForm(data, economies=True), SummaryForm(data), RankingForm(data)):
            form.is_valid()
            context = Context({"form": form})
            old = Template(OLD_FIELD_LOOPS[variant]).render(context)
            new = Template("{% load form_markup %}  {% form_fields form " + variant + " %}\n").render(context)
            assert new == old


# The loop that `{% filter_fields %}` replaced in agreements/arrangement_list.html, verbatim.
OLD_FILTER_LOOP = """{% load i18n %}  {% for field in form %}
    <div class="control">
      <label for="{{ field.id_for_label }}">{{ field.label }}</label>
      {{ field }}
      {% if field.help_text %}<small id="{{ field.auto_id }}_helptext">{{ field.help_text }}</small>{% endif %}
      {% if field.errors %}
        <div id="{{ field.auto_id }}_error">
          {% for error in field.errors %}<p class="error" role="alert">{% blocktranslate %}Error: {{ error }}{% endblocktranslate %}</p>{% endfor %}
        </div>
      {% endif %}
    </div>
  {% endfor %}
"""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "party=CHN&status=in_force&ordering=-signed_date",
        "party=chn+EUU&territory=fra&q=eu&undated=true&signed_after=2010-01-01&in_force_on=2020-01-01",
        "party=XYZ&territory=<b>&status=x&evidence=%22&signed_before=2021-02-30&ordering=nope&undated=&q=%26",
    ],
)
def test_filter_fields_write_what_the_template_loop_wrote(language: str, query: str) -> None:
    from django.http import QueryDict

    from agreements.filtersets import bind_arrangement_filters
    from agreements.models import Arrangement

    with translation.override(language):
        for _ in range(2):  # written, then kept
            form = bind_arrangement_filters(QueryDict(query), queryset=Arrangement.objects.all()).form
            form.is_valid()
            context = Context({"form": form})
            old = Template(OLD_FILTER_LOOP).render(context)
            new = Template("{% load form_markup %}  {% filter_fields form %}\n").render(context)
            assert new == old


# The loop that `{% bloc_items %}` replaced in agreements/dashboard.html, verbatim.
OLD_BLOC_LOOP = """{% load i18n partner_markup %}    {% for code, name, count, rows in bloc_rows %}
    <li>
      <details data-bloc="{{ code }}">
        <summary><span class="bloc-count" data-testid="bloc-{{ code }}">{{ count }}</span> {{ name }} <span class="muted">({{ code }})</span></summary>
        {% if rows %}<ul class="territory-list">{% territory_items rows %}</ul>{% else %}<p class="muted">{% translate "None." %}</p>{% endif %}
        <p><a href="{% url 'partner-list' %}?economy={{ summary.economy }}&amp;as_of={{ summary.as_of|date:'Y-m-d' }}&amp;basis={{ summary.basis }}&amp;evidence={{ summary.evidence }}&amp;bloc={{ code }}">{% translate "List these partners" %}</a></p>
      </details>
    </li>
    {% endfor %}
"""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("day", [dt.date(2021, 8, 31), dt.date(2013, 1, 1), dt.date(1995, 1, 1)])
def test_bloc_items_write_what_the_template_loop_wrote(language: str, day: dt.date) -> None:
    with translation.override(language):
        data = selectors.overview(economy="CHN", day=day, basis="signed", evidence="inferred")
        bloc_rows = [
            (
                code,
                data.bloc_names.get(code, code),
                data.summary.by_bloc[code],
                [r for r in data.rows if code in r.blocs],
            )
            for code in data.summary.by_bloc
        ]
        bloc_rows.append(("<&>", 'A "bloc"', 1234, data.rows[:1]))
        context = Context({"bloc_rows": bloc_rows, "summary": data.summary})
        old = Template(OLD_BLOC_LOOP).render(context)
        new = Template("{% load partner_markup %}    {% bloc_items bloc_rows summary %}\n").render(context)
    assert new == old


@pytest.mark.parametrize(
    "value",
    [
        {"a": "<script>&</script>", "b": [1, 2.5, None, True], "d": dt.date(2021, 8, 31)},
        {"text": "中国 \u2028 '\"\\ %{y} <b>&amp;</b>"},
        [],
    ],
)
def test_figure_script_writes_what_json_script_wrote(value: object) -> None:
    context = Context({"value": value})
    old = Template('{{ value|json_script:"the-id" }}').render(context)
    new = Template('{% load chart_data %}{{ value|figure_script:"the-id" }}').render(context)
    assert new == old


# The loops that catalog_markup's tags replaced in agreements/economy_detail.html and
# agreements/territory_detail.html, verbatim.
OLD_ARRANGEMENT_LOOP = """{% load i18n local_names %}    {% for arrangement in page.arrangements %}
    <tr>
      <td><a href="{% url 'arrangement-detail' arrangement.key %}">{{ arrangement.key }}</a></td>
      <td>{% for party in arrangement.parties.all %}<a href="{% url 'economy-detail' party.code %}"><abbr title="{{ party|local_name }}">{{ party.code }}</abbr></a>{% if not forloop.last %}, {% endif %}{% endfor %}</td>
      <td>{% include "includes/_dates.html" with day=arrangement.signed_date precision=arrangement.signed_precision %}</td>
      <td>{% include "includes/_dates.html" with day=arrangement.effective_date precision=arrangement.effective_precision %}</td>
      <td>{% if arrangement.ended_date %}{% include "includes/_dates.html" with day=arrangement.ended_date precision=arrangement.ended_precision %}{% else %}{% translate "not ended" %}{% endif %}</td>
      <td>{{ arrangement.get_status_display }}</td>
      <td>{{ arrangement.get_evidence_display }}</td>
    </tr>
    {% endfor %}
"""
OLD_REACH_LOOP = """{% load i18n local_names %}    {% for reach in page.arrangements %}
    {% with arrangement=reach.arrangement %}
    <tr>
      <td><a href="{% url 'arrangement-detail' arrangement.key %}">{{ arrangement.key }}</a></td>
      <td>{% for party in arrangement.parties.all %}<a href="{% url 'economy-detail' party.code %}"><abbr title="{{ party|local_name }}">{{ party.code }}</abbr></a>{% if not forloop.last %}, {% endif %}{% endfor %}</td>
      <td>{% for party in reach.via %}{{ party.code }}{% if not forloop.last %}, {% endif %}{% endfor %}</td>
      <td>{% include "includes/_dates.html" with day=arrangement.signed_date precision=arrangement.signed_precision %}</td>
      <td>{% include "includes/_dates.html" with day=arrangement.effective_date precision=arrangement.effective_precision %}</td>
      <td>{{ arrangement.get_status_display }}</td>
      <td>{{ arrangement.get_evidence_display }}</td>
    </tr>
    {% endwith %}
    {% endfor %}
"""
OLD_PARTNER_ITEMS = (
    "{% load local_names %}{% for partner in page.partner_economies %}<li><a href=\"{% url 'economy-detail' "
    'partner.code %}">{{ partner|local_name }} ({{ partner.code }})</a></li>{% endfor %}|'
    "{% for territory in page.partner_territories %}<li><a href=\"{% url 'territory-detail' territory.iso3 %}\">"
    "{{ territory|local_name }} ({{ territory.iso3 }})</a></li>{% endfor %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_catalog_rows_write_what_the_template_loops_wrote(language: str) -> None:
    """The rows, now read from the counting facts and names of the data version, against the old
    loops given what the old selectors read from the database."""
    from agreements.models import Arrangement, Economy, Territory

    # Every precision of every date, an ended arrangement and a title to escape.
    precisions = ["day", "month", "year", "by"]
    for number, arrangement in enumerate(Arrangement.objects.filter(parties="CHN").order_by("key")):
        arrangement.signed_precision = precisions[number % 4]
        if arrangement.effective_date:
            arrangement.effective_precision = precisions[(number + 1) % 4]
        if number % 3 == 0:
            last = max(
                d for d in (arrangement.signed_date, arrangement.effective_date, dt.date(2020, 1, 1)) if d
            )
            arrangement.ended_date = dt.date(last.year + 2, 1, 1)
            arrangement.ended_precision = precisions[(number + 2) % 4]
        if number % 5 == 0:
            arrangement.effective_date, arrangement.effective_precision = None, ""
        arrangement.save()
    selectors.forget_index()
    day = dt.date(2021, 8, 31)
    with translation.override(language):
        china, france = Economy.objects.get(code="CHN"), Territory.objects.get(iso3="FRA")
        economy = selectors.economy_page(economy=china, day=day)
        territory = selectors.territory_page(territory=france)
        assert economy.arrangements and territory.arrangements and economy.partner_territories
        old_pages = _old_detail_pages(china, france, economy.summary)
        assert economy.arrangements_total == old_pages["economy"]["total"]
        assert territory.arrangements_total == old_pages["territory"]["total"]
        cases = [
            (OLD_ARRANGEMENT_LOOP, "{% arrangement_rows page.arrangements %}", economy, "economy"),
            (OLD_REACH_LOOP, "{% reach_rows page.arrangements %}", territory, "territory"),
            (
                OLD_PARTNER_ITEMS,
                "{% partner_economy_items page.partner_economies %}|"
                "{% partner_territory_items page.partner_territories %}",
                economy,
                "economy",
            ),
        ]
        for old_loop, tag, page, kind in cases:
            old = Template(old_loop).render(Context({"page": old_pages[kind]}))
            new = Template(
                "{% load catalog_markup %}" + ("    " + tag + "\n" if "rows" in tag else tag)
            ).render(Context({"page": page}))
            assert new == old


def _old_detail_pages(economy: Any, territory: Any, summary: Any) -> dict[str, dict[str, Any]]:
    """What the economy and territory pages' selectors gave the old loops: arrangements with their
    parties prefetched (by code), by signed date (undated last) then key, the first DETAIL_ROWS,
    and the partner economies and territories as records in the models' order."""
    from django.db.models import F, Prefetch

    from agreements.models import Arrangement, ArrangementParty, Economy, EconomyMembership, Territory

    def first(parties: Any) -> tuple[list[Any], int]:
        ids = set(
            ArrangementParty.objects.filter(economy__in=parties).values_list("arrangement_id", flat=True)
        )
        rows = (
            Arrangement.objects.filter(pk__in=ids)
            .prefetch_related(Prefetch("parties", queryset=Economy.objects.order_by("code")))
            .order_by(F("signed_date").asc(nulls_last=True), "key")
        )
        return list(rows[: selectors.DETAIL_ROWS]), len(ids)

    arrangements, total = first([economy.code])
    ever = set(EconomyMembership.objects.filter(territory=territory).values_list("economy_id", flat=True))
    reaches, reach_total = first(ever)
    return {
        "economy": {
            "arrangements": arrangements,
            "total": total,
            "partner_economies": list(Economy.objects.filter(code__in=summary.partners)),
            "partner_territories": list(Territory.objects.filter(iso3__in=summary.countries)),
        },
        "territory": {
            "arrangements": [
                {"arrangement": a, "via": [p for p in a.parties.all() if p.code in ever]} for a in reaches
            ],
            "total": reach_total,
        },
    }


# The include that `{% chart_downloads %}` replaced, verbatim.
OLD_CHART_DOWNLOADS_TEMPLATE = '{% load i18n %}<p class="chart-downloads" data-chart-downloads="{{ chart_id }}" data-title="{{ title }}" data-note="{{ note }}" data-filename="{{ filename }}" hidden>\n  <button type="button" data-format="png">{% translate "Download PNG" %}<span class="visually-hidden">: {{ title }}</span></button>\n  <button type="button" data-format="svg">{% translate "Download SVG" %}<span class="visually-hidden">: {{ title }}</span></button>\n</p>{% if snippet %}\n<details class="embed-snippet" data-embed="{{ chart_id }}">\n  <summary>{% translate "Embed" %}<span class="visually-hidden">: {{ title }}</span></summary>\n  <p>{% translate "Paste this into a web page to show the chart there, with its source line:" %}</p>\n  <pre class="cite-text" id="embed-{{ chart_id }}" tabindex="0">{{ snippet }}</pre>\n  <button type="button" data-copy="embed-{{ chart_id }}" hidden>{% translate "Copy" %}<span class="visually-hidden"> {% translate "Embed" %}</span></button>\n  <p class="copy-status" role="status" aria-live="polite" data-copied="{% translate "Copied." %}" data-select="{% translate "Selected: press Ctrl+C (⌘C) to copy." %}"></p>\n</details>{% endif %}\n'


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "snippet", ["", '<iframe src="https://x.example/embed/map/?a=1&b=2" title="T"></iframe>']
)
def test_chart_downloads_writes_what_its_template_wrote(language: str, snippet: str) -> None:
    from dashboard.templatetags.sharing import chart_downloads_markup

    values = {
        "chart_id": "map",
        "title": 'Partners of "China" <b>& co</b>',
        "note": "As of 2021-08-31 · Signed basis\nSource: AEO Registry, https://x.example/?a=1&b=2",
        "filename": "map-CHN-2021-08-31",
        "snippet": snippet,
    }
    with translation.override(language):
        old = Template(OLD_CHART_DOWNLOADS_TEMPLATE).render(Context(values))
        new = chart_downloads_markup(**values)
    assert new == old


# The includes that `{% cite_panel %}` and `{% link_preview %}` replaced, verbatim.
OLD_CITE_PANEL_TEMPLATE = '{% load i18n %}<details class="cite-panel" id="cite">\n  <summary>{% translate "Cite this view" %}</summary>\n  <p>{% blocktranslate trimmed with version=citation.data_version day=citation.accessed|date %}The figures come from data version {{ version }}, accessed on {{ day }}. The permanent link states the date the figures are counted for, so it shows the same view later.{% endblocktranslate %}</p>\n  <div class="cite-item">\n    <h3 id="cite-url-title">{% translate "Permanent link" %}</h3>\n    <pre id="cite-url" class="cite-text" tabindex="0" aria-labelledby="cite-url-title">{{ citation.url }}</pre>\n    <button type="button" data-copy="cite-url" hidden>{% translate "Copy" %}<span class="visually-hidden"> {% translate "Permanent link" %}</span></button>\n  </div>\n  <div class="cite-item">\n    <h3 id="cite-apa-title">{% translate "APA" %}</h3>\n    <pre id="cite-apa" class="cite-text" tabindex="0" aria-labelledby="cite-apa-title">{{ apa }}</pre>\n    <button type="button" data-copy="cite-apa" hidden>{% translate "Copy" %}<span class="visually-hidden"> APA</span></button>\n  </div>\n  <div class="cite-item">\n    <h3 id="cite-bibtex-title">BibTeX</h3>\n    <pre id="cite-bibtex" class="cite-text" tabindex="0" aria-labelledby="cite-bibtex-title">{{ bibtex }}</pre>\n    <button type="button" data-copy="cite-bibtex" hidden>{% translate "Copy" %}<span class="visually-hidden"> BibTeX</span></button>\n  </div>\n  <div class="cite-item">\n    <h3 id="cite-ris-title">RIS</h3>\n    <pre id="cite-ris" class="cite-text" tabindex="0" aria-labelledby="cite-ris-title">{{ ris }}</pre>\n    <button type="button" data-copy="cite-ris" hidden>{% translate "Copy" %}<span class="visually-hidden"> RIS</span></button>\n  </div>\n  <p class="copy-status" role="status" aria-live="polite" data-copied="{% translate "Copied." %}" data-select="{% translate "Selected: press Ctrl+C (⌘C) to copy." %}"></p>\n</details>\n'
OLD_LINK_PREVIEW_TEMPLATE = '{% load i18n %}<meta name="description" content="{{ description }}">\n  {% if url %}<meta property="og:type" content="website">\n  <meta property="og:site_name" content="{% translate "AEO Registry" %}">\n  <meta property="og:title" content="{{ title }}">\n  <meta property="og:description" content="{{ description }}">\n  <meta property="og:url" content="{{ url }}">\n  <meta property="og:locale" content="{{ locale }}">\n  <meta property="og:image" content="{{ image }}">\n  <meta property="og:image:type" content="image/png">\n  <meta property="og:image:width" content="{{ width }}">\n  <meta property="og:image:height" content="{{ height }}">\n  <meta property="og:image:alt" content="{{ description }}">\n  <meta name="twitter:card" content="summary_large_image">\n  <meta name="twitter:title" content="{{ title }}">\n  <meta name="twitter:description" content="{{ description }}">\n  <meta name="twitter:image" content="{{ image }}">{% endif %}\n'


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("title", ["China as of 31 August 2021", 'Partners of "A" <b>& B</b>'])
def test_cite_panel_writes_what_its_template_wrote(language: str, title: str) -> None:
    from dashboard.citation import Citation
    from dashboard.templatetags.sharing import cite_panel_markup

    citation = Citation(
        title=title,
        url="https://x.example/?economy=CHN&as_of=2021-08-31&q=<b>",
        data_version="42",
        accessed=dt.date(2026, 12, 5),
        key="home-CHN-2021-08-31",
    )
    with translation.override(language):
        apa, bibtex, ris = citation.apa("5 December 2026"), citation.bibtex(), citation.ris()
        values = {"citation": citation, "apa": apa, "bibtex": bibtex, "ris": ris}
        old = Template(OLD_CITE_PANEL_TEMPLATE).render(Context(values))
        new = cite_panel_markup(citation=citation, apa=apa, bibtex=bibtex, ris=ris)
    assert new == old


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("with_url", [True, False])
def test_link_preview_writes_what_its_template_wrote(language: str, with_url: bool) -> None:
    from dashboard.templatetags.sharing import link_preview_markup

    values: dict[str, object] = {"description": 'As of 31 August 2021, "China" <b>& co</b> has 46.'}
    if with_url:
        values |= {
            "title": 'China <as> "of" & 2021',
            "url": "https://x.example/?economy=CHN&as_of=2021-08-31",
            "image": "https://x.example/preview.png?economy=CHN&as_of=2021-08-31",
            "locale": "en_GB",
            "width": 1200,
            "height": 630,
        }
    with translation.override(language):
        old = Template(OLD_LINK_PREVIEW_TEMPLATE).render(Context(values))
        new = link_preview_markup(**values)  # type: ignore[arg-type]
    assert new == old


# The loops over `language_links` that `{% load language_markup %}` replaced, verbatim.
OLD_LANGUAGE_LOOPS = {
    "alternate_links": '{% for link in language_links %}<link rel="alternate" hreflang="{{ link.code }}" href="{{ link.url }}">\n  {% endfor %}',
    "language_switcher_items": '{% for link in language_links %}<li>{% if link.current %}<a href="{{ link.url }}" aria-current="true" hreflang="{{ link.code }}" lang="{{ link.code }}">{{ link.name }}</a>{% else %}<a href="{{ link.url }}" hreflang="{{ link.code }}" lang="{{ link.code }}" data-language="{{ link.code }}">{{ link.name }}</a>{% endif %}</li>{% endfor %}',
    "language_suggestion": '{% load i18n %}{% get_current_language as current %}{% if current == "en" %}{% for link in language_links %}{% if not link.current %}<p class="language-suggestion" data-suggest="{{ link.code }}" hidden lang="{{ link.code }}"><a href="{{ link.url }}" hreflang="{{ link.code }}">{% language link.code %}{% translate "This page is also in Chinese" %}{% endlanguage %}</a></p>{% endif %}{% endfor %}{% endif %}\n',
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("tag", sorted(OLD_LANGUAGE_LOOPS))
@pytest.mark.parametrize("query", ["", "?economy=CHN&as_of=2021-08-31&q=%3Cb%3E%22"])
def test_language_links_write_what_the_template_loops_wrote(language: str, tag: str, query: str) -> None:
    from django.test import RequestFactory

    from dashboard.i18n import language_links

    prefix = "" if language == "en" else "/zh-hans"
    request = RequestFactory().get(f"{prefix}/partners/{query}")
    with translation.override(language):
        context = Context(language_links(request))
        old = Template(OLD_LANGUAGE_LOOPS[tag]).render(context)
        new = Template("{% load language_markup %}{% " + tag + " language_links %}").render(context)
    assert new == old
    assert new.count("<") == old.count("<") and ("hreflang" in new) == (
        tag != "language_suggestion" or language == "en"
    )


# The data-quality page's loop that `{% quality_rows %}` replaced, verbatim.
OLD_QUALITY_LOOP = (
    "{% load local_names %}"
    + '    {% for arrangement in section.rows %}\n      <tr data-key="{{ arrangement.key }}">\n        <th scope="row"><a href="{% url \'arrangement-detail\' arrangement.key %}">{{ arrangement.key }}</a></th>\n        <td>{% for party in arrangement.parties.all %}<a href="{% url \'economy-detail\' party.code %}"><abbr title="{{ party|local_name }}">{{ party.code }}</abbr></a>{% if not forloop.last %}, {% endif %}{% endfor %}</td>\n        <td>{% include "includes/_dates.html" with day=arrangement.signed_date precision=arrangement.signed_precision %}</td>\n        <td>{% include "includes/_dates.html" with day=arrangement.effective_date precision=arrangement.effective_precision %}</td>\n        <td>{{ arrangement.get_status_display }}</td>\n        <td>{{ arrangement.get_evidence_display }}</td>\n        <td>{{ arrangement.source_count }}</td>\n      </tr>\n    {% endfor %}\n'
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_quality_rows_write_what_the_template_loop_wrote(language: str) -> None:
    from agreements import quality
    from agreements.models import Arrangement

    # Every precision of both dates, missing dates, and a title to escape.
    precisions = ["day", "month", "year", "by"]
    for number, arrangement in enumerate(Arrangement.objects.order_by("key")[:40]):
        arrangement.signed_precision = precisions[number % 4]
        if arrangement.effective_date:
            arrangement.effective_precision = precisions[(number + 1) % 4]
        if number % 5 == 0:
            arrangement.effective_date, arrangement.effective_precision = None, ""
        arrangement.save()
        if number == 1:
            arrangement.sources.all().delete()  # a row with no source: its count is 0, not empty
    with translation.override(language):
        sections = quality.report().sections
        rows = [row for section in sections[:-1] for row in section.rows]
        assert any(row.source_count == 1 for row in rows) and any(row.source_count == 0 for row in rows)
        for section in sections[:-1]:
            context = Context({"section": section})
            old = Template(OLD_QUALITY_LOOP).render(context)
            new = Template("{% load catalog_markup %}    {% quality_rows section.rows %}\n").render(context)
            assert new == old


# The loop of "Why the number moved" that `{% why_rows %}` replaced, verbatim.
OLD_WHY_LOOP = '  {% url \'home\' as home_url %}{% for row in data.rows %}\n    <tr data-date="{{ row.day|date:\'Y-m-d\' }}" data-event="{{ row.event.kind }}" data-subject="{{ row.event.subject }}"{% if row.event.territory %} data-territory="{{ row.event.territory }}"{% endif %}>\n      <td class="nowrap"><a href="{{ home_url }}?economy={{ params.economy }}&amp;as_of={{ row.day|date:\'Y-m-d\' }}&amp;basis={{ params.basis }}&amp;evidence={{ params.evidence }}">{{ row.day|date }}</a></td>\n      <th scope="row" class="event-cell"><span class="event-kind">{{ row.kind_name }}</span><br>{% if row.event.partners %}<a href="{% url \'arrangement-detail\' row.event.subject %}">{{ row.description }}</a>{% elif row.event.kind == "joined_bloc" or row.event.kind == "left_bloc" %}<a href="{% url \'bloc-detail\' row.event.subject %}">{{ row.description }}</a>{% else %}<a href="{% url \'territory-detail\' row.event.territory %}">{{ row.description }}</a>{% endif %}</th>\n      <td>{% if row.changes %}<ul class="moved">{% for group in row.changes %}<li data-measure="{{ group.measure }}"><span class="moved-label">{% if group.title %}<abbr title="{{ group.title }}">{{ group.label }}</abbr>{% else %}{{ group.label }}{% endif %}</span> {{ group.sign }}{{ group.partners|length }}: {% for code, name in group.partners %}<abbr title="{{ name }}">{{ code }}</abbr>{% if not forloop.last %} {% endif %}{% endfor %}</li>{% endfor %}</ul>{% else %}<span class="muted">\N{EN DASH}</span>{% endif %}</td>\n      <td data-figure="economies">{{ row.after.partner_economies }}</td>\n      <td data-figure="countries">{{ row.after.partner_countries }}</td>\n      {% for code, count in row.after.by_bloc.items %}<td data-figure="bloc:{{ code }}">{{ count }}</td>{% endfor %}\n    </tr>\n  {% endfor %}\n'


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("economy", "basis"), [("CHN", "signed"), ("EUU", "in_force"), ("KOR", "signed")])
def test_why_rows_write_what_the_template_loop_wrote(language: str, economy: str, basis: str) -> None:
    from agreements import why

    day = dt.date(2026, 1, 1)
    params = {"economy": economy, "as_of": day, "basis": basis, "evidence": "inferred"}
    with translation.override(language):
        story = why.why_moved(economy=economy, day=day, basis=basis, evidence="inferred")
        kinds = {row.event.kind for row in story.rows}
        assert len(story.rows) > 5 and len(kinds) > 1
        context = Context({"data": story, "params": params})
        old = Template(OLD_WHY_LOOP).render(context)
        new = Template("{% load why_markup %}  {% why_rows data.rows params %}\n").render(context)
    assert new == old


# The loop of includes/_change_rows.html that `{% change_rows %}` replaced, and the include it
# included for each change (includes/_fields_changed.html), verbatim.
OLD_CHANGE_LOOP = (
    "{% load i18n %}"
    + '    {% for change in changes %}\n    <tr id="change-{{ change.id }}">\n      <td><time datetime="{{ change.at|date:\'c\' }}">{{ change.at|date:"Y-m-d H:i" }}</time></td>\n      <td>{{ change.model }} {% if link_records and change.url %}<a href="{{ change.url }}">{{ change.record }}</a>{% else %}{{ change.record }}{% endif %}</td>\n      <td>{{ change.kind }}{% if change.correction %} <span class="muted">(<a href="{% url \'correction-detail\' change.correction %}" data-testid="change-correction">{% blocktranslate with number=change.correction %}Correction report #{{ number }}{% endblocktranslate %}</a>)</span>{% elif change.reason %} <span class="muted">({{ change.reason }})</span>{% endif %}</td>\n      <td>{% include "includes/_fields_changed.html" %}</td>\n      {% if request.user.is_staff %}<td data-testid="history-user">{{ change.user|default:"\N{EN DASH}" }}</td>{% endif %}\n    </tr>\n    {% endfor %}\n'
)
OLD_FIELDS_CHANGED = '{% load i18n %}{% comment %}The fields of one change: name, old value -> new value. Needs `change`.{% endcomment %}\n{% if change.fields %}\n<ul class="field-changes">\n  {% for item in change.fields %}\n  <li><span class="field-name">{{ item.name }}</span>: {% if change.kind == "created" %}{{ item.new }}{% elif change.kind == "deleted" %}<del>{{ item.old }}</del>{% else %}<del>{{ item.old|default:_("(empty)") }}</del> → <ins>{{ item.new|default:_("(empty)") }}</ins>{% endif %}</li>\n  {% endfor %}\n</ul>\n{% endif %}\n'


def _changes() -> list[object]:
    from agreements.history import Change, FieldChange

    at = dt.datetime(2026, 12, 5, 23, 48, 42, tzinfo=dt.UTC)
    fields = (FieldChange("Title", "", 'A <b>"new"</b> & title'), FieldChange("Note", "old & <i>", ""))
    return [
        Change(
            "arrangement-1",
            at,
            "created",
            "arrangement",
            "CHN-KOR-2013",
            "/arrangements/CHN-KOR-2013/",
            "",
            "",
            fields,
        ),
        Change(
            "arrangement-2", at, "changed", "arrangement", "CHN-KOR-2013", None, "clerk", "import <x>", fields
        ),
        Change(
            "source-3", at, "deleted", "source", "source 1 of X", "/arrangements/X/", "clerk", "", fields, 12
        ),
        Change("economy-4", at, "changed", "economy", "CHN", "/economies/CHN/", "", "", ()),
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("link_records", [True, False])
@pytest.mark.parametrize("staff", [True, False])
def test_change_rows_write_what_the_template_loop_wrote(
    language: str, link_records: bool, staff: bool
) -> None:
    class User:
        is_staff = staff

    class Request:
        user = User()

    context = {"changes": _changes(), "link_records": link_records, "request": Request()}
    # The include's text in place of the include: the same output, from the template verbatim.
    old_loop = OLD_CHANGE_LOOP.replace('{% include "includes/_fields_changed.html" %}', OLD_FIELDS_CHANGED)
    with translation.override(language):
        old = Template(old_loop).render(Context(context))
        new = Template(
            "{% load history_markup %}    {% change_rows changes link_records=link_records staff=request.user.is_staff %}\n"
        ).render(Context(context))
    assert new == old


# The membership loop of the bloc and economy pages (with includes/_period_cells.html in place of
# its include) and the bloc page's coverage lists, which `{% load catalog_markup %}` replaced.
OLD_MEMBERSHIP_LOOP = (
    "{% load local_names %}"
    + '    {% for membership in memberships %}\n    <tr>\n      <td><a href="{% url \'territory-detail\' membership.territory.iso3 %}">{{ membership.territory|local_name }} ({{ membership.territory.iso3 }})</a></td>\n      {% include "includes/_period_cells.html" %}\n    </tr>\n    {% endfor %}\n'
)
OLD_PERIOD_CELLS = '{% load i18n %}<td>{% if membership.start_date %}{{ membership.start_date|date }}{% else %}{% translate "no start date" %}{% endif %}</td>\n      <td>{% if membership.end_date %}{{ membership.end_date|date }}{% else %}{% translate "still a member" %}{% endif %}</td>\n      <td>{{ membership.note }}</td>\n'
OLD_COVERAGE_LOOPS = (
    "{% load i18n %}"
    + '{% for code, name, arrangement in coverage.covered %}<li data-code="{{ code }}"><a href="{% url \'territory-detail\' code %}">{{ name }}</a>{% if arrangement %}: <a href="{% url \'arrangement-detail\' arrangement.key %}">{{ arrangement.key }}</a>{% if arrangement.signed_date %} ({% translate "signed" %} {{ arrangement.signed_date|date }}){% endif %}{% endif %}</li>{% empty %}<li>{% translate "None." %}</li>{% endfor %}'
    + "|"
    + '{% for code, name in coverage.not_covered %}<li data-code="{{ code }}"><a href="{% url \'territory-detail\' code %}">{{ name }}</a></li>{% empty %}<li>{% translate "None." %}</li>{% endfor %}'
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_membership_and_coverage_items_write_what_the_template_loops_wrote(language: str) -> None:
    from agreements.models import Arrangement, BlocMembership, EconomyMembership

    memberships: list[Any] = list(
        BlocMembership.objects.filter(bloc="RCEP").select_related("territory").order_by("pk")
    )
    memberships += list(EconomyMembership.objects.filter(economy="EUU").select_related("territory")[:5])
    memberships[0].note = 'A <b>"note"</b> & more'
    memberships[1].start_date = None
    memberships[2].end_date = dt.date(2021, 1, 1)
    assert len(memberships) > 5 and any(m.end_date is None for m in memberships)
    undated = Arrangement(key="X-Y", signed_date=None)
    dated = Arrangement.objects.exclude(signed_date=None).first()
    covered = [("FRA", "France <&>", dated), ("DEU", "Germany", undated), ("ITA", "Italy", None)]
    old_loop = OLD_MEMBERSHIP_LOOP.replace('{% include "includes/_period_cells.html" %}', OLD_PERIOD_CELLS)
    with translation.override(language):
        context = Context({"memberships": memberships})
        old = Template(old_loop).render(context)
        new = Template("{% load catalog_markup %}    {% territory_membership_rows memberships %}\n").render(
            context
        )
        assert new == old
        for covered_rows, not_covered in ((covered, [("ESP", "Spain & <x>")]), ([], [])):
            context = Context({"coverage": {"covered": covered_rows, "not_covered": not_covered}})
            old = Template(OLD_COVERAGE_LOOPS).render(context)
            new = Template(
                "{% load catalog_markup %}{% covered_items coverage.covered %}|"
                "{% not_covered_items coverage.not_covered %}"
            ).render(context)
            assert new == old


# The loops of the territory and economy lists that `{% territory_list_rows %}` and
# `{% economy_list_rows %}` replaced, verbatim.
OLD_TERRITORY_LIST_LOOP = (
    "{% load i18n local_names %}"
    + '    {% for row in rows %}\n    <tr>\n      <td><a href="{% url \'territory-detail\' row.territory.iso3 %}">{{ row.territory|local_name }}</a></td>\n      <td>{{ row.territory.iso3 }}</td>\n      <td>{% if row.territory.iso2 %}{{ row.territory.iso2 }}{% else %}{% translate "none" %}{% endif %}</td>\n      <td>{{ row.territory.get_kind_display }}</td>\n      <td>{% for economy in row.economies %}<a href="{% url \'economy-detail\' economy.code %}">{{ economy|local_name }} ({{ economy.code }})</a>{% if not forloop.last %}, {% endif %}{% empty %}{% translate "none" %}{% endfor %}</td>\n    </tr>\n    {% endfor %}\n'
)
OLD_ECONOMY_LIST_LOOP = (
    "{% load i18n local_names %}"
    + "    {% for economy in economies %}\n    <tr>\n      <td><a href=\"{% url 'economy-detail' economy.code %}\">{{ economy.code }}</a></td>\n      <td>{{ economy|local_name }}</td>\n      <td>{{ economy.get_kind_display }}</td>\n      <td>{{ economy.territories_now }}</td>\n      <td><a href=\"{% url 'arrangement-list' %}?party={{ economy.code|urlencode }}\">{{ economy.arrangement_count }}</a></td>\n    </tr>\n    {% endfor %}\n"
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_list_rows_write_what_the_template_loops_wrote(language: str, client: Any) -> None:
    prefix = "" if language == "en" else "/zh-hans"
    territories = client.get(f"{prefix}/territories/")
    economies = client.get(f"{prefix}/economies/")
    assert territories.status_code == economies.status_code == 200
    with translation.override(language):
        for response, old_loop, tag, name in (
            (territories, OLD_TERRITORY_LIST_LOOP, "territory_list_rows", "rows"),
            (economies, OLD_ECONOMY_LIST_LOOP, "economy_list_rows", "economies"),
        ):
            context = Context({name: response.context[name]})
            assert len(response.context[name]) > 50
            old = Template(old_loop).render(context)
            new = Template("{% load catalog_markup %}    {% " + tag + " " + name + " %}\n").render(context)
            assert new == old
            assert new in response.content.decode()


# The arrangement list's loop that `{% arrangement_list_rows %}` replaced, verbatim.
OLD_ARRANGEMENT_LIST_LOOP = (
    "{% load i18n local_names %}"
    + '      {% for arrangement in page_obj %}\n      <tr data-key="{{ arrangement.key }}">\n        <td><a href="{% url \'arrangement-detail\' arrangement.key %}">{{ arrangement.key }}</a></td>\n        <td>{% for party in arrangement.parties.all %}<a href="{% url \'economy-detail\' party.code %}"><abbr title="{{ party|local_name }}">{{ party.code }}</abbr></a>{% if not forloop.last %}, {% endif %}{% endfor %}</td>\n        <td>{% include "includes/_dates.html" with day=arrangement.signed_date precision=arrangement.signed_precision %}</td>\n        <td>{% include "includes/_dates.html" with day=arrangement.effective_date precision=arrangement.effective_precision %}</td>\n        <td>{{ arrangement.get_status_display }}</td>\n        <td>{{ arrangement.get_evidence_display }}</td>\n        <td>{{ arrangement.sources.all|length }}</td>\n      </tr>\n      {% endfor %}\n'
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("query", ["", "?party=CHN&ordering=-signed_date", "?page=2"])
def test_arrangement_list_rows_write_what_the_template_loop_wrote(
    language: str, query: str, client: Any
) -> None:
    prefix = "" if language == "en" else "/zh-hans"
    response = client.get(f"{prefix}/arrangements/{query}")
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert len(page.object_list) > 5
    # The loop read the parties prefetched by code; the tag is handed them by the view.
    prefetch_related_objects(list(page), Prefetch("parties", queryset=Economy.objects.order_by("code")))
    with translation.override(language):
        context = Context({"page_obj": page, "parties": response.context["parties"]})
        old = Template(OLD_ARRANGEMENT_LIST_LOOP).render(context)
        new = Template(
            "{% load catalog_markup %}      {% arrangement_list_rows page_obj parties %}\n"
        ).render(context)
    assert new == old
    assert new in response.content.decode()


_ODD = "a \"quoted\" <b>&amp; 'x'"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "widget",
    [
        forms.TextInput(attrs={"placeholder": _ODD, "size": 6, "autocapitalize": "characters"}),
        forms.TextInput(attrs={"type": "search", "required": True, "disabled": False}),
        forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        forms.NumberInput(attrs={"min": 0}),
        forms.EmailInput(),
        forms.URLInput(),
        forms.HiddenInput(),
        forms.PasswordInput(render_value=True),
        forms.CheckboxInput(),
        forms.Select(choices=[("", "Any"), ("a", _ODD), ("b", "B")]),
        forms.Select(choices=[("Group <1>", [("a", "A"), ("b", _ODD)]), ("c", "C")]),
        forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", _ODD)]),
        forms.NullBooleanSelect(),
    ],
    ids=lambda widget: type(widget).__name__,
)
@pytest.mark.parametrize("value", [None, "", "b", _ODD, ["a", "b"], True, False, 7, dt.date(2021, 8, 31)])
def test_the_form_renderer_writes_what_the_widget_templates_write(
    language: str, widget: forms.Widget, value: object
) -> None:
    """`FastFormRenderer` against Django's own template renderer, for each widget it writes in
    Python, with odd values and attributes."""
    from django.forms.renderers import DjangoTemplates

    from agreements.widgets import FastFormRenderer

    attrs = {"id": "id_field", "aria-describedby": "id_field-error"}
    with translation.override(language):
        try:
            plain = widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())
        except TypeError:  # a value the widget itself cannot take (a list for a yes/no select)
            with pytest.raises(TypeError):
                widget.render("field", value, attrs=attrs, renderer=FastFormRenderer())
            return
        fast = widget.render("field", value, attrs=attrs, renderer=FastFormRenderer())
    assert fast == plain


def test_the_site_renders_its_forms_with_the_fast_renderer() -> None:
    from django.forms.renderers import get_default_renderer

    from agreements.widgets import FastFormRenderer

    assert isinstance(get_default_renderer(), FastFormRenderer)


# includes/_export_links.html, which `{% export_links %}` replaced, verbatim.
OLD_EXPORT_LINKS = """{% load i18n %}{% comment %}Links to the CSV, JSON and Excel twins of a list: the same query string, every row (no page).{% endcomment %}
<p class="export-links">{% translate "Download these rows:" %} <a href="{% querystring format='csv' bom=None page=None %}" download data-testid="export-csv">CSV</a>
· <a href="{% querystring format='csv' bom='1' page=None %}" download data-testid="export-csv-bom">{% translate "CSV for Excel" %}</a>
· <a href="{% querystring format='xlsx' bom=None page=None %}" download data-testid="export-xlsx">{% translate "Excel workbook" %}</a>
· <a href="{% querystring format='json' bom=None page=None %}" download data-testid="export-json">JSON</a>
· <a href="{% url 'data-download' %}">{% translate "all data" %}</a></p>
"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "economy=CHN&as_of=2021-08-31",
        "page=3&party=CHN&format=html&bom=0&q=a+b",
        "bom=1&format=csv&page=2",
        "x=%3Cscript%3E&x=2&y=%E4%B8%AD&z=&as_of=2021-02-30",
        "format=json&format=csv&bom=&bom=1&page=&page=1&economy=KOR&a%26b=c%3Dd",
    ],
)
def test_export_links_write_what_the_include_wrote(rf: Any, language: str, query: str) -> None:
    with translation.override(language):
        request = rf.get("/partners/?" + query)
        old = Template(OLD_EXPORT_LINKS).render(RequestContext(request))
        new = Template("{% load sharing %}{% export_links %}").render(RequestContext(request))
    assert new == old


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["format", "bom", "page", "economy", "q", "a&b", "中"]), st.text(max_size=6)
        ),
        max_size=8,
    ),
    st.sampled_from([("csv", None), ("csv", "1"), ("xlsx", None), ("json", None)]),
)
def test_a_twin_query_is_what_querystring_writes(pairs: list[tuple[str, str]], twin: tuple[str, Any]) -> None:
    from django.http import QueryDict
    from django.template.defaulttags import querystring

    from dashboard.templatetags.sharing import twin_query

    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    fmt, bom = twin
    assert twin_query(query, fmt, bom) == querystring(Context(), query, format=fmt, bom=bom, page=None)


def test_a_kept_select_is_the_select_rendered_afresh() -> None:
    from agreements import widgets
    from agreements.forms import RankingForm

    queries = [
        {},
        {"by": "economies"},
        {"by": "nothing", "basis": "in_force"},
        {"evidence": "<b>"},
        {"by": "countries"},
    ]

    def rendered(query: dict[str, str]) -> list[str]:
        form = RankingForm(query)
        form.is_valid()  # errors add attributes
        return [str(form[name]) for name in ("basis", "evidence", "by")]

    widgets._SELECTS.clear()
    for language in ("en", "zh-hans", "en"):  # each round answered from what the rounds before kept
        with translation.override(language):
            kept = [rendered(query) for query in queries]
            fresh = []
            for query in queries:
                widgets._SELECTS.clear()
                fresh.append(rendered(query))
            assert kept == fresh, language


control_values = st.sampled_from(
    [
        "",
        "CHN",
        "KOR",
        "chn",
        "<b>",
        "2021-08-31",
        "2021-02-30",
        "signed",
        "in_force",
        "confirmed",
        "economies",
        "&",
    ]
)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["summary", "summary-page", "ranking", "between", "compare", "unbound"]),
            st.dictionaries(
                st.sampled_from(["economy", "as_of", "basis", "evidence", "by", "from", "to"]),
                st.lists(control_values, min_size=1, max_size=2),
                max_size=5,
            ),
            st.sampled_from(["en", "zh-hans"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_kept_controls_are_the_controls_written_afresh(
    asked: list[tuple[str, dict[str, list[str]], str, bool]],
) -> None:
    from django.http import QueryDict

    from agreements.forms import BetweenForm, CompareForm, RankingForm
    from dashboard.templatetags import form_markup

    def form_for(kind: str, data: QueryDict) -> forms.Form:
        if kind == "summary-page":
            return SummaryForm(data, economies=True)
        if kind == "unbound":
            return SummaryForm(economies=True)
        classes: dict[str, Any] = {
            "summary": SummaryForm, "ranking": RankingForm, "between": BetweenForm, "compare": CompareForm
        }  # fmt: skip
        form: forms.Form = classes[kind](data)
        return form

    for kind, query, language, error_ids in asked * 2:  # the second round answered from the first
        data = QueryDict(mutable=True)
        for name, values in query.items():
            data.setlist(name, values)
        with translation.override(language):
            form = form_for(kind, data)
            form.is_valid()
            kept = form_markup.form_fields(form, error_ids=error_ids)
            form_markup._CONTROLS.clear()
            fresh_form = form_for(kind, data)
            fresh_form.is_valid()
            assert kept == form_markup.form_fields(fresh_form, error_ids=error_ids), (kind, query, language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_date_filter_writes_what_djangos_wrote(language: str) -> None:
    from django.template.defaultfilters import date as django_date
    from django.utils import timezone

    from dashboard.templatetags import day_filters

    template = Template(
        "{{ value|date }}|{{ value|date:'Y-m-d' }}|{{ value|date:'YEAR_MONTH_FORMAT' }}|{{ value|date:'j F Y' }}"
    )
    assert template.engine.template_builtins[-1].filters["date"] is day_filters.date
    values: list[object] = [dt.date(2021, 8, 31), dt.date(1958, 1, 1), dt.date(2024, 2, 29), None, "", "text"]
    values.append(timezone.make_aware(dt.datetime(2021, 8, 31, 23, 30)))
    with translation.override(language):
        for value in values:
            expected = "|".join(
                str(django_date(template_value, arg))  # type: ignore[arg-type]
                for template_value, arg in [(value, None), (value, "Y-m-d"), (value, "YEAR_MONTH_FORMAT"), (value, "j F Y")]
            ) if not isinstance(value, dt.datetime) else None  # fmt: skip
            written = template.render(Context({"value": value}))
            if expected is not None:
                assert written == expected, value
            else:
                local = timezone.localtime(value)  # type: ignore[arg-type]
                assert written.split("|")[1] == local.strftime("%Y-%m-%d")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["kor", " KOR ", "Kor"])
def test_an_economy_typed_in_another_case_is_the_one_the_select_shows(client: Any, typed: str) -> None:
    body = client.get("/", {"economy": typed, "as_of": "2019-03-04"}).content.decode()
    assert '<option value="KOR" selected>' in body
    assert 'value="" selected' not in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_kept_partner_rows_are_the_rows_written_afresh(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner row's markup and its hover text on the map are kept by everything the row shows:
    the lists of four economies over eighteen years (most rows met before, in another list) are
    the rows and maps written afresh, and a row whose arrangement changed is written again."""
    from dataclasses import replace

    from dashboard import charts
    from dashboard.templatetags import partner_markup

    partner_markup._ROWS.clear()
    charts._HOVERS.clear()
    # One index for the test: inside the test's transaction, each call would count afresh.
    index, names = selectors.fact_index(), selectors.lookups()
    monkeypatch.setattr(selectors, "fact_index", lambda: index)
    monkeypatch.setattr(selectors, "lookups", lambda: names)
    with translation.override(language):
        for economy in ("CHN", "KOR", "EUU", "JPN"):
            for year in range(2008, 2027):
                day = dt.date(year, 6, 30)
                data = selectors.overview(economy=economy, day=day, basis="in_force", evidence="inferred")
                rows = data.rows
                if not rows:
                    continue
                fresh = partner_markup._row_writer()
                assert partner_markup._partner_rows(rows) == "".join(fresh(row) for row in rows)
                kept_map = charts.partner_map(data)
                with monkeypatch.context() as patched:
                    patched.setattr(charts, "_kept_hover", charts._Hover)
                    assert kept_map == charts.partner_map(data)
        assert 0 < len(partner_markup._ROWS) < 1000  # rows were met again and not written twice
        assert 0 < len(charts._HOVERS) <= len(partner_markup._ROWS)
        row = rows[0]
        renamed = replace(row, arrangement=copy.copy(row.arrangement))
        renamed.arrangement.title = "<Renamed> & new"
        written = partner_markup._partner_rows([renamed])
        assert "&lt;Renamed&gt; &amp; new" in written
        assert written == partner_markup._row_writer()(renamed)
