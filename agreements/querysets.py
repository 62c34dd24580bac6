"""One-model query verbs. Where a counting rule must filter in SQL it is restated here, once, from
its statement in `agreements.counting` (tests/test_rules_in_sql.py checks that both agree)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import BooleanField, Count, Exists, Func, OuterRef, Q, Subquery
from django.db.models.lookups import GreaterThanOrEqual

from agreements.choices import Basis, Status
from agreements.counting import evidence_included

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    from agreements.models import Arrangement  # noqa: F401 (named in a string below)


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """`counting.active_on` in SQL: members on `start_date`, no longer on `end_date`; null is open."""
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})
    )


class AmongValues(Func):
    """`expression IN (subquery)`, which PostgreSQL reads as a list of values to look up:
    `expression = ANY(ARRAY(subquery))`.

    Written as IN, the subquery is planned as a join: for a couple of hundred rows out of thousands
    PostgreSQL hashes them and reads the whole other table (the arrangement list of one party at a
    hundred times the data read 17,300 arrangements for 200, 2.9 of its 3.1 ms, once to count them
    and again for the page). As an array the subquery runs first, once, and each of its values is
    found through the index. Other databases get the plain IN."""

    arity = 2
    output_field = BooleanField()

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        (lhs, lhs_params), (rows, rows_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{lhs} IN {rows}", (*lhs_params, *rows_params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        (lhs, lhs_params), (rows, rows_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{lhs} = ANY(ARRAY{rows})", (*lhs_params, *rows_params)  # `rows` is "(SELECT ...)"


class MembershipQuerySet(models.QuerySet[Any]):
    def active_on(self, day: dt.date) -> MembershipQuerySet:
        return self.filter(active_on_q(day))


def counting_on_q(day: dt.date, basis: str, evidence: str, prefix: str = "") -> Q:
    """Rules 1 and 6 of "How we count" as a filter: `counting.counts_on` in SQL.

    On the in-force basis an arrangement counts only once two of its parties are in force
    (`counting.counting_parties`): a party's own date is on or after the arrangement's (the models
    validate it), so the parties in force on the day are those without a date of their own, unless
    marked unknown, and those whose own date has come."""
    date_field = "signed_date" if basis == Basis.SIGNED else "effective_date"
    condition = (
        Q(**{f"{prefix}{date_field}__isnull": False, f"{prefix}{date_field}__lte": day})
        & (Q(**{f"{prefix}ended_date__isnull": True}) | Q(**{f"{prefix}ended_date__gt": day}))
        & ~Q(**{f"{prefix}status": Status.NEGOTIATING})
        & Q(**{f"{prefix}evidence__in": evidence_included(evidence)})
    )
    if basis == Basis.SIGNED:
        return condition
    from agreements.models import ArrangementParty  # the models import this module

    in_force = (
        ArrangementParty.objects.filter(arrangement=OuterRef(f"{prefix}pk"), effective_unknown=False)
        .filter(Q(effective_date__isnull=True) | Q(effective_date__lte=day))
        .order_by()
        .values("arrangement")
        .annotate(parties=Count("pk"))
        .values("parties")
    )
    return condition & Q(GreaterThanOrEqual(Subquery(in_force), 2))


class ArrangementQuerySet(models.QuerySet["Arrangement", "Arrangement"]):
    def counting_on(self, day: dt.date, basis: str, evidence: str) -> ArrangementQuerySet:
        return self.filter(counting_on_q(day, basis, evidence))


def in_force_date_missing_q(prefix: str = "") -> Q:
    """Arrangements whose in-force date is not known, for every party (no date on the arrangement)
    or for some (a party marked unknown: ASEAN's is not known to be in force for Cambodia)."""
    from agreements.models import ArrangementParty  # the models import this module

    unknown_party = ArrangementParty.objects.filter(
        arrangement=OuterRef(f"{prefix}pk"), effective_unknown=True
    )
    return Q(**{f"{prefix}effective_date__isnull": True}) | Q(Exists(unknown_party))


def in_force_undated_q(prefix: str = "") -> Q:
    """Arrangements whose status is "in force" but whose in-force date is not known, for every
    party or for some: the in-force basis cannot count them, in whole or in part (the pages on that
    basis and /data/quality/ list them)."""
    return Q(**{f"{prefix}status": Status.IN_FORCE}) & in_force_date_missing_q(prefix)
