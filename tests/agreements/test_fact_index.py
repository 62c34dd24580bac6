"""The counting index kept per data version (`selectors.fact_index`) never outlives the data it
was built from: committed changes bump the version, and an index built inside a transaction that
may still roll back is not kept. Committed writes need a transactional test (run last, flushed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from agreements import selectors, versioning
from agreements.models import Arrangement
from agreements.versioning import current_version

DAY = dt.date(2021, 8, 31)


def china() -> int:
    return selectors.summary_for(
        economy="CHN", day=DAY, basis="signed", evidence="inferred"
    ).partner_countries


class RolledBack(Exception):
    pass


@pytest.mark.usefixtures("committed_reference")
def test_the_kept_index_follows_every_committed_change_and_no_rolled_back_one() -> None:
    assert china() == 46
    assert selectors.fact_index() is selectors.fact_index()  # kept while nothing changes

    Arrangement.objects.get(key="CHN-SGP-2012").delete()
    assert china() == 45

    before = int(current_version())
    with pytest.raises(RolledBack), transaction.atomic():
        Arrangement.objects.get(key="CHN-NZL-2017").delete()
        assert china() == 44  # counted inside the transaction, from its own view of the data
        inside = current_version()
        raise RolledBack
    # The same version number comes back, with other data: the index counted inside the
    # transaction must not answer for it.
    for _ in range(int(inside) - before):
        versioning.bump()
    assert current_version() == inside
    assert china() == 45
