"""A page served from its skeleton (`dashboard.skeleton`) is the page its template renders.

The dashboard, the partners page and the ranking are written from a skeleton rendered once per
language, with their slots filled per request by Python (`dashboard.views.dashboard_slots`). Every request below is answered both ways, by
the real view: the skeleton with the slots' Python writers, and Django's `render` of the same
template and context; the bytes must be equal."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Context, Engine, TemplateSyntaxError
from django.test import Client

from dashboard import skeleton
from dashboard.views import dashboard as dashboard_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_ways(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every page the dashboard view writes from its skeleton is also rendered by Django from the
    same template and context, and must be the same; the pages compared are listed."""
    compared: list[tuple[str, int]] = []
    real = skeleton.render_page

    def render_both(
        request: HttpRequest, template_name: str, context: dict[str, Any], **kwargs: Any
    ) -> HttpResponse:
        served = real(request, template_name, context, **kwargs)
        # The slots' writers may add to the context they are handed (asvar titles): a fresh copy.
        reference = render(request, template_name, dict(context), status=kwargs.get("status"))
        assert served.status_code == reference.status_code
        assert served.content.decode() == reference.content.decode()
        compared.append((request.get_full_path(), served.status_code))
        return served

    monkeypatch.setattr(dashboard_views, "render_page", render_both)
    return compared


def settings(draw: random.Random) -> list[str]:
    """Now and then a basis and an evidence level (some not valid), and a parameter no page takes."""
    parts = []
    if draw.random() < 0.5:
        parts.append(f"basis={draw.choice(['signed', 'in_force', 'bogus', ''])}")
    if draw.random() < 0.5:
        parts.append(f"evidence={draw.choice(['inferred', 'reported', 'confirmed', 'x'])}")
    if draw.random() < 0.2:
        parts.append("utm_source=%3Cscript%3E")
    return parts


def dashboard_urls(count: int, seed: int) -> list[str]:
    draw = random.Random(seed)
    economies = ["CHN", "KOR", "EUU", "USA", "JPN", "SGP", "HKG", "NZL", "kor", " CHN ", "XXX", "", "<b>"]
    days = [
        "2021-08-31",
        "2008-06-01",
        "2016-01-01",
        "2024-03-15",
        "1990-01-01",
        "",
        "2021-02-30",
        "tomorrow",
    ]
    urls = []
    for _ in range(count):
        query = [f"economy={draw.choice(economies)}", f"as_of={draw.choice(days)}", *settings(draw)]
        prefix = draw.choice(["", "/zh-hans"])
        urls.append(f"{prefix}/?{'&'.join(query)}")
    return urls


def test_the_dashboard_from_its_skeleton_is_the_template_rendered(
    client: Client, both_ways: list[tuple[str, int]]
) -> None:
    urls = ["/", "/zh-hans/", "/?economy=CHN&as_of=2021-08-31&basis=in_force", *dashboard_urls(60, seed=16)]
    urls = list(dict.fromkeys(urls))  # a repeated URL is answered from the page cache
    for url in urls:
        client.get(url)
    assert len(both_ways) == len(urls)
    statuses = {status for _, status in both_ways}
    assert statuses == {200, 400}  # valid and invalid forms were both compared


def test_the_in_force_basis_and_its_gaps_are_written_as_the_template_writes_them(
    client: Client, both_ways: list[tuple[str, int]]
) -> None:
    for url in ["/?economy=CHN&as_of=2024-06-30&basis=in_force", "/zh-hans/?economy=KOR&basis=in_force"]:
        assert b'data-testid="in-force-gaps"' in client.get(url).content
    assert len(both_ways) == 2


def test_the_partners_page_from_its_skeleton_is_the_template_rendered(
    client: Client, both_ways: list[tuple[str, int]]
) -> None:
    draw = random.Random(17)
    urls = [
        "/partners/",
        "/zh-hans/partners/?bloc=RCEP",
        "/partners/?bloc=nope",
        "/partners/?as_of=2021-02-30",
    ]
    for _ in range(40):
        query = [f"economy={draw.choice(['CHN', 'KOR', 'EUU', 'SGP', 'kor', 'XXX', ''])}"]
        query.append(f"as_of={draw.choice(['2021-08-31', '2012-05-01', '2025-01-01', '', 'x'])}")
        if draw.random() < 0.5:
            query.append(f"bloc={draw.choice(['RCEP', 'BRI', 'CEEC', 'EU', 'nope', '', '%3Cb%3E'])}")
        if draw.random() < 0.3:
            query.append(f"basis={draw.choice(['signed', 'in_force'])}")
        urls.append(f"{draw.choice(['', '/zh-hans'])}/partners/?{'&'.join(query)}")
    urls = list(dict.fromkeys(urls))  # a repeated URL is answered from the page cache
    for url in urls:
        client.get(url)
    assert len(both_ways) == len(urls)
    assert {status for _, status in both_ways} == {200, 400}


def ranking_urls(count: int, seed: int) -> list[str]:
    draw = random.Random(seed)
    days = ["2021-08-31", "2008-06-01", "2016-01-01", "2020-12-31", "2024-03-15", "2021-02-30", "", "x"]
    urls = []
    for _ in range(count):
        query = [f"as_of={draw.choice(days)}"]
        if draw.random() < 0.7:
            query.append(f"by={draw.choice(['countries', 'economies', 'bogus', ''])}")
        query += settings(draw)
        draw.shuffle(query)
        urls.append(f"{draw.choice(['', '/zh-hans'])}/ranking/?{'&'.join(query)}")
    return urls


def test_the_ranking_from_its_skeleton_is_the_template_rendered(
    client: Client, both_ways: list[tuple[str, int]]
) -> None:
    urls = [
        "/ranking/",
        "/zh-hans/ranking/?by=economies",
        "/ranking/?as_of=2021-08-31&by=economies&basis=in_force",
        "/ranking/?as_of=2021-02-30",
        *ranking_urls(40, seed=18),
    ]
    urls = list(dict.fromkeys(urls))  # a repeated URL is answered from the page cache
    for url in urls:
        client.get(url)
    assert len(both_ways) == len(urls)
    assert {status for _, status in both_ways} == {200, 400}  # valid and invalid forms were both compared


def slot_engine() -> Engine:
    return Engine(libraries={"slots": "dashboard.templatetags.slots"}, builtins=[])


@pytest.mark.parametrize("kept", [slice(0, 0), slice(0, None, 2), slice(1, None, 2)])
def test_a_slot_without_a_writer_is_rendered_by_the_template_engine_as_the_page_would_be(
    client: Client, both_ways: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch, kept: slice
) -> None:
    """A slot whose Python writer is missing falls back to its template markup, rendered with the
    page's whole context (context processors included), beside slots that have theirs (what one
    sets, another may read); the page is still the template's. None, half or the other half of
    the writers are kept."""
    for name in (
        "PROVIDERS",
        "ERROR_PROVIDERS",
        "PARTNER_PROVIDERS",
        "RANKING_PROVIDERS",
        "RANKING_ERROR_PROVIDERS",
    ):
        providers = getattr(dashboard_views, name)
        monkeypatch.setattr(dashboard_views, name, dict(list(providers.items())[kept]))
    urls = ["/?economy=CHN&as_of=2021-08-31", "/zh-hans/?economy=KOR&basis=in_force", "/?economy=XXX",
            "/partners/?economy=CHN&bloc=RCEP", "/zh-hans/partners/?economy=JPN&bloc=NOPE",
            "/ranking/?as_of=2021-08-31&by=economies", "/zh-hans/ranking/?basis=in_force", "/ranking/?by=bogus"]  # fmt: skip
    for url in urls:
        client.get(url)
    assert [status for _, status in both_ways] == [200, 200, 400, 200, 400, 200, 200, 400]


def test_a_slot_renders_what_it_holds_outside_a_skeleton() -> None:
    engine = slot_engine()
    template = engine.from_string('{% load slots %}<p>{% slot "who" %}{{ name }}{% endslot %}</p>')
    assert template.render(Context({"name": "Ada"})) == "<p>Ada</p>"


def test_a_slot_takes_one_quoted_name() -> None:
    engine = slot_engine()
    for source in [
        "{% slot %}{% endslot %}",
        "{% slot who %}{% endslot %}",
        '{% slot "a" "b" %}{% endslot %}',
    ]:
        with pytest.raises(TemplateSyntaxError):
            engine.from_string("{% load slots %}" + source)


def test_a_slot_cannot_be_kept_inside_a_constant_block() -> None:
    engine = Engine(
        libraries={
            "slots": "dashboard.templatetags.slots",
            "constant": "dashboard.templatetags.constant_markup",
        }
    )
    source = '{% load slots constant %}{% constant %}<p>{% slot "who" %}{{ name }}{% endslot %}</p>{% endconstant %}'
    token = skeleton._RENDERING.set([])
    try:
        with pytest.raises(TemplateSyntaxError, match="constant"):
            engine.from_string(source).render(Context({"name": "Ada"}))
    finally:
        skeleton._RENDERING.reset(token)


def test_a_skeleton_holds_the_markup_around_its_slots() -> None:
    kept = skeleton.Skeleton("<p>\ue0000\ue001 and \ue0001\ue001</p>", ["first", "second"])  # type: ignore[list-item]
    assert kept.pieces == ["<p>", " and ", "</p>"]
    assert kept.slots == ["first", "second"]
    with pytest.raises(ValueError, match="stray"):
        skeleton.Skeleton("<p>\ue000x</p>", [])
