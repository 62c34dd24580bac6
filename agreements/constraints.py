"""A model's check constraints, validated on an unsaved instance without a query per row.

Django validates a `CheckConstraint` by asking the database (`SELECT 1 WHERE <condition>`): one
round trip per constraint per instance. The loader and the import validate every row of a file
that way would cost the reference load thirty times its time (about 2,000 queries: 1.2 s instead
of 0.04 s on PostgreSQL) and an 80,000-row import most of its time budget. The registry's
conditions are simple (`in`, `isnull`, `exact`, `startswith`, comparisons of two dates or
numbers, `F()` of the same row), so they are evaluated here in Python, with SQL's three-valued
logic: a condition that is unknown (NULL) passes, as `CHECK` lets it pass. Anything else (a
lookup or an expression not listed) is validated by Django, with the query.

tests/agreements/test_constraints.py checks that both ways agree on every row of the reference data and on
edge values.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q


class _Unsupported(Exception):
    """A condition this module does not evaluate: Django's query validates it instead."""


_ORDERED = (dt.date, int, float)  # compared as in SQL; text comparisons depend on the collation
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


Evaluator = Callable[[models.Model], bool | None]


def _evaluate(instance: models.Model, condition: Q) -> bool | None:
    """The condition on the instance: True, False, or None (unknown, SQL's NULL)."""
    return _compile(type(instance), condition)(instance)


def _compile(model: type[models.Model], condition: Q) -> Evaluator:
    """The condition as a function of an instance of `model`, its field names resolved once.

    Every child is evaluated (no short cut), so a term this module cannot evaluate always raises
    `_Unsupported`, when the function is called, as a value-dependent one does."""
    try:
        parts = [_compile_child(model, child) for child in condition.children]
        if condition.connector not in (Q.AND, Q.OR):
            raise _Unsupported(condition.connector)
    except _Unsupported as error:
        return functools.partial(_raise, error)
    conjunction, negated = condition.connector == Q.AND, condition.negated

    def evaluate(instance: models.Model) -> bool | None:
        results = [part(instance) for part in parts]
        result: bool | None
        if conjunction:
            result = False if False in results else (None if None in results else True)
        else:
            result = True if True in results else (None if None in results else False)
        if negated:
            return None if result is None else not result
        return result

    return evaluate


def _raise(error: _Unsupported, instance: models.Model) -> bool | None:
    raise error


def _compile_child(model: type[models.Model], child: Any) -> Evaluator:
    if isinstance(child, Q):
        return _compile(model, child)
    if isinstance(child, tuple) and len(child) == 2:
        return _compile_lookup(model, *child)
    raise _Unsupported(child)


def _field(model: type[models.Model], name: str) -> str:
    attname = _attname(model, name)
    if attname is None:
        raise _Unsupported(name)
    return attname


def _compile_lookup(model: type[models.Model], key: str, value: Any) -> Evaluator:
    """One `field__lookup=value` term: True, False, or None (unknown, SQL's NULL)."""
    name, _, lookup = key.partition("__")
    attname = _field(model, name)
    if lookup == "isnull":
        wanted = bool(value)
        return lambda instance: (getattr(instance, attname) is None) == wanted
    if isinstance(value, F):
        other: str | None = _field(model, _f_name(value))
    elif isinstance(value, models.Expression):
        raise _Unsupported(value)
    else:
        other = None
    compare = _COMPARISONS.get(lookup)

    def term(instance: models.Model) -> bool | None:
        left = getattr(instance, attname)
        right = value if other is None else getattr(instance, other)
        if lookup == "in":
            if left is None:
                return None
            return bool(left in right)
        if left is None or right is None:
            return None
        if lookup in ("", "exact"):
            return bool(left == right)
        if lookup == "startswith" and isinstance(left, str) and isinstance(right, str):
            return left.startswith(right)
        if compare is not None and isinstance(left, _ORDERED) and type(left) is type(right):
            return bool(compare(left, right))
        raise _Unsupported(key)

    return term


def _f_name(value: F) -> str:
    return str(value.name)  # type: ignore[attr-defined]  # F.name is not in django-stubs


@functools.cache
def _attname(model: type[models.Model], name: str) -> str | None:
    """The attribute of a field that a condition may name, or None (unknown, or a relation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.is_relation or not isinstance(field, models.Field):
        return None
    return str(field.attname)


def _references(condition: Q) -> set[str]:
    names: set[str] = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _references(child)
        elif isinstance(child, tuple) and len(child) == 2:
            names.add(child[0].partition("__")[0])
            if isinstance(child[1], F):
                names.add(_f_name(child[1]))
    return names


def validate_checks(instance: models.Model, exclude: Collection[str] = ()) -> None:
    """Raise the ValidationError of the first check constraint the instance breaks, as
    `CheckConstraint.validate` does; constraints that refer to an excluded field are skipped."""
    model = type(instance)
    for constraint, evaluate in _plan(model, frozenset(exclude)):
        try:
            if evaluate is None:
                raise _Unsupported(constraint)
            passed = evaluate(instance)
        except _Unsupported:
            constraint.validate(model, instance, exclude=set(exclude))
            continue
        if passed is False:
            constraint.validate(model, instance, exclude=set(exclude))  # raises its own error


@functools.cache
def _plan(
    model: type[models.Model], exclude: frozenset[str]
) -> tuple[tuple[models.CheckConstraint, Evaluator | None], ...]:
    """The model's check constraints, each with its condition compiled here, or None where
    Django's query validates it (not a Q, or it refers to an excluded field). Worked out once per
    model and exclusion: an import validates 80,000 rows the same way."""
    plan: list[tuple[models.CheckConstraint, Evaluator | None]] = []
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        condition = constraint.condition
        if isinstance(condition, Q) and not (exclude and _references(condition) & exclude):
            plan.append((constraint, _compile(model, condition)))
        else:
            plan.append((constraint, None))
    return tuple(plan)
