"""factory_boy factories for the core records: territory, economy (with its membership), bloc
(with its membership), arrangement (with its parties and a source) and claim.

Every test database already holds the reference data (tests/conftest.py), so generated codes and
keys come from ranges no reference row uses: ISO 3166's user-assigned X-codes (XAA..XZZ) for
territories and economies, and `X-` prefixed keys. A test that needs particular values passes
them, as with `Model.objects.create`; anything it leaves out gets a valid default (the model's
own default where it has one), so a factory's record always passes `full_clean()`
(tests/test_factories.py).

    economy = EconomyFactory.create()                 # XAA, "Economy XAA"
    arrangement = ArrangementFactory.create(parties=[economy, EconomyFactory.create()])
    ClaimFactory.create(economy=economy, value=1)

(`Factory.create(...)` is typed: mypy knows it returns the model; `Factory(...)` does the same.)
"""

from __future__ import annotations

import datetime as dt
import string

import factory
from factory.django import DjangoModelFactory

from agreements.choices import Basis, DatePrecision, Evidence, Metric, Status
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Source,
    Territory,
)


def x_code(n: int) -> str:
    """The n-th code of the user-assigned range XAA..XZZ (676 codes, then again from XAA: tests
    roll back, and none creates that many)."""
    n %= 26 * 26
    return "X" + string.ascii_uppercase[n // 26] + string.ascii_uppercase[n % 26]


class TerritoryFactory(DjangoModelFactory[Territory]):
    class Meta:
        model = Territory

    iso3 = factory.Sequence(x_code)
    iso2 = None  # unique where given: a test that needs one passes it
    name = factory.LazyAttribute(lambda territory: f"Territory {territory.iso3}")


class EconomyFactory(DjangoModelFactory[Economy]):
    class Meta:
        model = Economy

    code = factory.Sequence(x_code)
    name = factory.LazyAttribute(lambda economy: f"Economy {economy.code}")


class EconomyMembershipFactory(DjangoModelFactory[EconomyMembership]):
    """A territory in an economy, since always and still (`start_date`, `end_date` None)."""

    class Meta:
        model = EconomyMembership

    economy = factory.SubFactory(EconomyFactory)
    territory = factory.SubFactory(TerritoryFactory)


class BlocFactory(DjangoModelFactory[Bloc]):
    class Meta:
        model = Bloc

    code = factory.Sequence(lambda n: f"XBLOC{n}")
    name = factory.LazyAttribute(lambda bloc: f"Bloc {bloc.code}")


class BlocMembershipFactory(DjangoModelFactory[BlocMembership]):
    """A territory in a bloc, since always and still unless dates are given."""

    class Meta:
        model = BlocMembership

    bloc = factory.SubFactory(BlocFactory)
    territory = factory.SubFactory(TerritoryFactory)


def link_parties(arrangement: Arrangement, create: bool, parties: list[Economy] | None) -> None:
    """`ArrangementFactory(parties=[...])`: those economies, in that order; two new ones without."""
    if not create:
        return
    for economy in parties if parties is not None else [EconomyFactory.create(), EconomyFactory.create()]:
        ArrangementParty.objects.create(arrangement=arrangement, economy=economy)


class ArrangementFactory(DjangoModelFactory[Arrangement]):
    """A signed, confirmed arrangement. `parties=[...]` links those economies, in that order;
    without it, two new economies (an arrangement has two or more parties)."""

    class Meta:
        model = Arrangement
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"X-ARRANGEMENT-{n}")
    signed_date = dt.date(2015, 6, 1)
    signed_precision = DatePrecision.DAY
    status = Status.SIGNED
    evidence = Evidence.CONFIRMED

    parties = factory.PostGeneration(
        lambda arrangement, create, extracted, **kwargs: link_parties(arrangement, create, extracted)
    )


class SourceFactory(DjangoModelFactory[Source]):
    """A URL, or a citation when one is given (a source is one or the other, never both)."""

    class Meta:
        model = Source

    arrangement = factory.SubFactory(ArrangementFactory)
    citation = ""
    url = factory.LazyAttributeSequence(
        lambda source, n: "" if source.citation else f"https://example.org/source-{n}"
    )


class ClaimFactory(DjangoModelFactory[Claim]):
    """One figure of an official statement: by default, one partner economy on the signed basis."""

    class Meta:
        model = Claim

    key = factory.Sequence(lambda n: f"x-claim-{n}")
    authority = "X Customs"
    stated_on = dt.date(2020, 2, 1)
    as_of = dt.date(2020, 1, 1)
    economy = factory.SubFactory(EconomyFactory)
    basis = Basis.SIGNED
    metric = Metric.PARTNER_ECONOMIES
    value = 1
