from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from agreements.filtersets import ArrangementFilterSet
from agreements.forms import BetweenForm, CompareForm, RankingForm, SummaryForm
from dashboard import exports
from dashboard.views import (
    catalog,
    changes,
    compare,
    corrections,
    dashboard,
    downloads,
    embeds,
    previews,
    quality,
    why,
)
from ops import probe
from ops.caching import cached_by_data_version as cached
from ops.caching import known_parameters as uncached

# The query parameters each page reads, beside the forms and FilterSets it binds: every other
# parameter is removed before the view runs, and the page cache keys on these only.
FORMAT = exports.FORMAT_PARAMETER  # the CSV, JSON and Excel twins of a list
BOM = exports.BOM_PARAMETER  # bom=1: the CSV with a byte-order mark, for Excel
PAGE = "page"  # the page number of a paginated list
RECORD = corrections.RECORD  # the record a correction is about: `kind:key`

# The pages: served under i18n_patterns, in English at / and in Chinese at /zh-hans/.
urlpatterns = [
    path("", cached(dashboard.home, SummaryForm), name="home"),
    path("partners/", cached(dashboard.partners, SummaryForm, "bloc", FORMAT, BOM), name="partner-list"),
    path("ranking/", cached(dashboard.ranking, RankingForm, FORMAT, BOM), name="ranking"),
    path("why/", cached(why.why_moved, SummaryForm, FORMAT, BOM), name="why-moved"),
    path("why/between/", cached(why.why_between, BetweenForm, FORMAT, BOM), name="why-between"),
    path("compare/", cached(compare.compare, CompareForm), name="compare"),
    path("claims/", cached(dashboard.claims, FORMAT, BOM), name="claim-list"),
    path("how-we-count/", cached(dashboard.how_we_count), name="how-we-count"),
    path("preview.png", cached(previews.preview_image, SummaryForm), name="preview-image"),
    # Embeddable charts: framable by other sites (embeds.framed), cached like the pages.
    path("embed/map/", embeds.framed(cached(embeds.embed_map, *embeds.PARAMETERS["map"])), name="embed-map"),
    path(
        "embed/race/", embeds.framed(cached(embeds.embed_race, *embeds.PARAMETERS["race"])), name="embed-race"
    ),
    path(
        "embed/ranking/",
        embeds.framed(cached(embeds.embed_ranking, *embeds.PARAMETERS["ranking"])),
        name="embed-ranking",
    ),
    path(
        "embed/blocs/<str:code>/",
        embeds.framed(cached(embeds.embed_bloc, *embeds.PARAMETERS["bloc"])),
        name="embed-bloc",
    ),
    path(
        "arrangements/",
        cached(catalog.arrangement_list, ArrangementFilterSet, PAGE, FORMAT, BOM),
        name="arrangement-list",
    ),
    path(
        "arrangements/<str:key>/",
        cached(catalog.arrangement_detail, catalog.CoverageDayForm),
        name="arrangement-detail",
    ),
    path("economies/", cached(catalog.economy_list, FORMAT, BOM), name="economy-list"),
    path("economies/<str:code>/", cached(catalog.economy_detail), name="economy-detail"),
    path("territories/", cached(catalog.territory_list, FORMAT, BOM), name="territory-list"),
    path("territories/<str:iso3>/", cached(catalog.territory_detail), name="territory-detail"),
    path("blocs/", cached(catalog.bloc_list, FORMAT, BOM), name="bloc-list"),
    path("blocs/<str:code>/", cached(catalog.bloc_detail, SummaryForm), name="bloc-detail"),
    # The page is cached inside: `?download=zip` is the full download, cached once per version.
    path("data/", downloads.data_download, name="data-download"),
    path(
        "data/quality/", cached(quality.data_quality, quality.QualityForm, FORMAT, BOM), name="data-quality"
    ),
    path("changes/", cached(changes.change_list, PAGE), name="change-list"),
    path("changes/feed/", cached(changes.ChangeFeed()), name="change-feed"),
    # Corrections from the public: never cached (a CSRF token; counts that move without the data).
    path("corrections/", uncached(corrections.correction_list), name="correction-list"),
    path("corrections/new/", uncached(corrections.correction_new, RECORD), name="correction-new"),
    path("corrections/thanks/", uncached(corrections.correction_thanks, RECORD), name="correction-thanks"),
    path("corrections/<int:number>/", uncached(corrections.correction_detail), name="correction-detail"),
]

# Outside the language prefix (aeo_registry/urls.py): the data zip keeps codes and stable English
# names, at one address whatever the visitor's language (as the API does, api/urls.py).
unprefixed_urlpatterns: list[URLPattern | URLResolver] = [
    path("ping", probe.ping, name="ping"),
    path("data/aeo-registry-data.zip", downloads.data_zip, name="data-zip"),
]
