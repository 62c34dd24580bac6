"""The check constraints evaluated in Python (agreements.constraints) agree with the database."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from agreements.constraints import _evaluate, validate_checks
from agreements.models import (
    Arrangement,
    ArrangementParty,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Programme,
    ProgrammeCount,
    Source,
    Territory,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Territory,
    Economy,
    EconomyMembership,
    BlocMembership,
    Arrangement,
    ArrangementParty,
    Claim,
    Programme,
    ProgrammeCount,
    Source,
)
DAY = dt.date(2020, 6, 1)
# Values that break (or are unknown for) the registry's conditions.
EDGE_VALUES: dict[str, tuple[Any, ...]] = {
    "status": ("maybe", ""),
    "evidence": ("rumour",),
    "kind": ("empire",),
    "basis": ("guess",),
    "metric": ("bloc:", "partners", "bloc:EUU"),
    "confidence": ("certain", ""),
    "qualifier": ("roughly",),
    "signed_precision": ("", "day", "week"),
    "effective_precision": ("", "month", "week"),
    "ended_precision": ("", "day"),
    "launched_precision": ("", "year"),
    "as_of_precision": ("", "day"),
    "signed_date": (None, DAY),
    "effective_date": (None, DAY - dt.timedelta(days=1), DAY),
    "ended_date": (None, DAY, DAY + dt.timedelta(days=1)),
    "launched_date": (None, DAY),
    "start_date": (None, DAY),
    "end_date": (None, DAY, DAY - dt.timedelta(days=1)),
    "as_of": (DAY, DAY + dt.timedelta(days=1)),
    "stated_on": (DAY,),
    "effective_unknown": (True, False),
    "url": ("", "https://example.org/"),
    "citation": ("", "A citation"),
}


def database_says_valid(constraint: models.CheckConstraint, instance: models.Model) -> bool:
    try:
        constraint.validate(type(instance), instance)
    except ValidationError:
        return False
    return True


def variants(instance: models.Model) -> list[models.Model]:
    """The instance, and one copy per edge value of each field its model has."""
    found = [instance]
    for name, values in EDGE_VALUES.items():
        if not any(f.name == name for f in instance._meta.concrete_fields):
            continue
        for value in values:
            changed = copy.copy(instance)
            setattr(changed, name, value)
            found.append(changed)
    return found


def test_python_and_the_database_agree_on_every_reference_row_and_edge_value() -> None:
    compared = refused = 0
    for model in MODELS:
        checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
        assert checks, model
        for saved in model._default_manager.all()[:60]:
            for instance in variants(saved):
                for constraint in checks:
                    assert isinstance(constraint.condition, Q)
                    in_python = _evaluate(instance, constraint.condition) is not False
                    assert in_python == database_says_valid(constraint, instance), (
                        model.__name__,
                        constraint.name,
                        {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields},
                    )
                    compared += 1
                    refused += not in_python
    assert compared > 1000 and refused > 100  # the edge values do break conditions


def test_a_broken_check_raises_the_models_own_message() -> None:
    arrangement = copy.copy(
        Arrangement.objects.exclude(signed_date=None).exclude(effective_date=None).first()
    )
    assert arrangement is not None and arrangement.signed_date is not None
    validate_checks(arrangement)
    arrangement.effective_date = arrangement.signed_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        validate_checks(arrangement)
    assert raised.value.messages == ["The in-force date cannot be before the signed date."]


def test_an_excluded_field_skips_the_checks_that_refer_to_it() -> None:
    claim = copy.copy(Claim.objects.first())
    assert claim is not None
    claim.as_of = claim.stated_on + dt.timedelta(days=1)
    validate_checks(claim, exclude=["as_of"])
    with pytest.raises(ValidationError, match="cannot be as of a date after it was stated"):
        validate_checks(claim)
