"""Writes of the registry (HackSoft's services): keyword-only, atomic, validated by the model.

Each service validates with the model's own `full_clean()` (fields, `clean()`, named
constraints), saves in one transaction and moves the data version exactly once
(`agreements.versioning`): the per-row signal receivers are silenced meanwhile, so saving an
arrangement with its parties and sources is one change, not one per row. Callers that write in
bulk (the reference loader and the admin's import) batch many rows under one bump themselves and
share the cross-row rules from here (`repeated_parties`, `too_few_parties`).

A service raises Django's `ValidationError`; the REST serializers have already turned the same
checks into their 400 answers, and the admin's forms into form errors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agreements import tables, versioning
from agreements.models import Arrangement, ArrangementParty, Claim, Source
from agreements.models.memberships import DatedMembership

# An arrangement binds two or more distinct economies (rule 1 of the counting rules needs two).
MIN_PARTIES = 2


def repeated_parties(codes: Iterable[str]) -> list[str]:
    """The economies listed more than once among an arrangement's parties, sorted."""
    return sorted(code for code, n in Counter(codes).items() if n > 1)


def too_few_parties(codes: Iterable[str]) -> bool:
    """Fewer than MIN_PARTIES distinct economies: not an arrangement."""
    return len(set(codes)) < MIN_PARTIES


# A party's own in-force facts, kept when the party stays (arrangement_parties.csv's values).
PARTY_FACTS = tables.ARRANGEMENT_PARTIES.value_fields


def arrangement_save(
    *,
    arrangement: Arrangement,
    parties: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
) -> Arrangement:
    """Create or update an arrangement; with `parties` (economy codes) or `sources` (each a URL or
    a citation, in order), replace those too. A party that stays keeps its own in-force facts."""
    if parties is not None:
        if repeated_parties(parties):
            raise ValidationError({"parties": "An economy can be a party to an arrangement only once."})
        if too_few_parties(parties):
            raise ValidationError({"parties": "An arrangement needs two or more distinct parties."})
    with transaction.atomic(), versioning.batched():
        arrangement.full_clean(exclude=["parties"])
        arrangement.save()
        if parties is not None:
            arrangement_parties_replace(arrangement=arrangement, parties=parties)
        if sources is not None:
            arrangement_sources_replace(arrangement=arrangement, sources=sources)
        versioning.bump()
    return arrangement


def arrangement_parties_replace(
    *,
    arrangement: Arrangement,
    parties: Iterable[str],
    facts: dict[str, dict[str, Any]] | None = None,
) -> list[ArrangementParty]:
    """Replace an arrangement's parties, row by row (every signal receiver, history included, sees
    each row). `facts`: each party's own in-force facts by economy code; by default a party that
    stays keeps its own."""
    links = arrangement.party_links.all()
    if facts is None:
        facts = {link.economy_id: {name: getattr(link, name) for name in PARTY_FACTS} for link in links}
    links.delete()
    return [
        ArrangementParty.objects.create(arrangement=arrangement, economy_id=code, **facts.get(code, {}))
        for code in parties
    ]


def arrangement_sources_replace(*, arrangement: Arrangement, sources: Iterable[str]) -> list[Source]:
    """Replace an arrangement's sources, in order (each its URL or its citation)."""
    arrangement.sources.all().delete()
    return [
        Source.objects.create(arrangement=arrangement, position=position, **Source.fields_for(entry))
        for position, entry in enumerate(sources)
    ]


def membership_save(*, membership: DatedMembership) -> DatedMembership:
    """Create or update an economy's or a bloc's membership of a territory, after the model's
    checks (end after start, no overlap with the group's other memberships of the territory)."""
    with transaction.atomic(), versioning.batched():
        versioning.lock()  # the overlap check reads what concurrent writers committed
        membership.full_clean()
        membership.save()
        versioning.bump()
    return membership


def claim_save(*, claim: Claim) -> Claim:
    """Create or update a claim (one figure of an official statement)."""
    with transaction.atomic(), versioning.batched():
        claim.full_clean()
        claim.save()
        versioning.bump()
    return claim
