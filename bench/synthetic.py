"""Synthetic data on top of the reference data, for growth tests and benchmarks.

`add_synthetic(scale=10)` adds (scale - 1) times the reference data's arrangements, among new
single-territory economies (user-assigned style codes that ISO 3166-1 does not use) and the real
economies, and bloc memberships for the new territories, so every query and count grows with the
data. Economies grow more slowly than arrangements, as issue 6 sizes the data: at 100x, about 250
economies (64 + 192) and 16,600 arrangements; at 10x, 82 economies and 1,660 arrangements. The
world has only so many customs administrations; what grows is how densely they are linked.

No history is recorded for these rows (`bulk_create` bypasses django-simple-history): they
are benchmark data, never the registry's own, and a history row each would only slow the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import string
from collections.abc import Iterator

from django.db import transaction

from agreements import versioning
from agreements.choices import DatePrecision, Evidence, Status
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Economy,
    EconomyMembership,
    Source,
    Territory,
)
from agreements.reference import refresh_statistics


def _free_codes(taken: set[str]) -> Iterator[str]:
    every = ("".join(letters) for letters in itertools.product(string.ascii_uppercase, repeat=3))
    return filter(lambda code: code not in taken, every)


SYNTHETIC_NAME = "Synthetic "
SYNTHETIC_KEY = "SYN-"


@transaction.atomic
def add_synthetic(*, scale: int, seed: int = 20210831) -> dict[str, int]:
    """Grow the data to `scale` times the registry's own (non-synthetic) size: called again with a
    larger scale, it adds only the difference. Returns what it added."""
    if scale < 2:
        return {}
    rng = random.Random(seed)
    factor = scale - 1
    synthetic_economies = Economy.objects.filter(name__startswith=SYNTHETIC_NAME).count()
    synthetic_arrangements = Arrangement.objects.filter(key__startswith=SYNTHETIC_KEY).count()
    economies_before = Economy.objects.count() - synthetic_economies
    arrangements_before = Arrangement.objects.count() - synthetic_arrangements
    taken = set(Territory.objects.values_list("iso3", flat=True)) | set(
        Economy.objects.values_list("code", flat=True)
    )
    # 64 -> 256 economies at 100x
    new_economies = max(math.ceil(economies_before * factor / 33) - synthetic_economies, 0)
    codes = list(itertools.islice(_free_codes(taken), new_economies))

    Territory.objects.bulk_create(
        Territory(iso3=c, iso2=None, name=f"{SYNTHETIC_NAME}{c}", kind="country") for c in codes
    )
    Economy.objects.bulk_create(Economy(code=c, name=f"{SYNTHETIC_NAME}{c}", kind="territory") for c in codes)
    EconomyMembership.objects.bulk_create(EconomyMembership(economy_id=c, territory_id=c) for c in codes)
    blocs = list(Bloc.objects.values_list("code", flat=True))
    BlocMembership.objects.bulk_create(
        BlocMembership(bloc_id=rng.choice(blocs), territory_id=c, start_date=dt.date(2013, 9, 7))
        for c in codes
        if blocs and rng.random() < 0.6
    )

    parties_pool = codes + list(Economy.objects.exclude(code__in=codes).values_list("code", flat=True))
    arrangements = []
    chosen_parties = []
    first = synthetic_arrangements
    for index in range(first, max(arrangements_before * factor, first)):
        signed = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 20))
        effective = signed + dt.timedelta(days=rng.randrange(30, 700)) if rng.random() < 0.6 else None
        arrangements.append(
            Arrangement(
                key=f"{SYNTHETIC_KEY}{index:06d}",
                title=f"Synthetic arrangement {index}",
                signed_date=signed,
                signed_precision=DatePrecision.DAY,
                effective_date=effective,
                effective_precision=DatePrecision.DAY if effective else "",
                status=Status.IN_FORCE if effective else Status.SIGNED,
                evidence=rng.choice(Evidence.values),
                notes="Synthetic row for growth tests.",
            )
        )
        size = 2 if rng.random() < 0.95 else rng.randrange(3, 8)
        chosen_parties.append(rng.sample(parties_pool, size))
    Arrangement.objects.bulk_create(arrangements, batch_size=2000)
    ids = dict(Arrangement.objects.filter(key__startswith=SYNTHETIC_KEY).values_list("key", "id"))
    ArrangementParty.objects.bulk_create(
        (
            ArrangementParty(arrangement_id=ids[a.key], economy_id=code)
            for a, parties in zip(arrangements, chosen_parties, strict=True)
            for code in parties
        ),
        batch_size=5000,
    )
    Source.objects.bulk_create(
        (Source(arrangement_id=ids[a.key], url=f"https://example.org/{a.key}") for a in arrangements),
        batch_size=5000,
    )
    # bulk_create sends no signals: record the change once.
    versioning.bump()
    refresh_statistics()
    return {"economies": len(codes), "arrangements": len(arrangements)}
