"""Writes of the registry (HackSoft's services): keyword-only, atomic, validated by the model.

Each service validates with the model's own `full_clean()` (fields, `clean()`, named
constraints), saves in one transaction and moves the data version exactly once
(`agreements.versioning`): the per-row signal receivers are silenced meanwhile, so saving an
arrangement with its parties and sources is one change, not one per row. Called inside a larger
change (`versioning.batched()`: the admin's form, which may save several records), a service's
bump joins that change's one bump.

Who calls them: the REST serializers and the admin (one record at a time), the reference loader
and the admin's import (`tables_load`, many rows of one or more tables in bulk). A service raises
Django's `ValidationError` (the bulk one `reference.ReferenceDataError`, with every problem as
`file:line: message`); the serializers and the admin's forms have already turned the same checks
into their 400 answers and form errors.

`reference` (the files' format and the bulk writer's row machinery) imports this module for the
party rules and `tables_load`, and this module calls it back: both import the other as a module
and use it only inside functions, so either can be imported first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from agreements import reference, tables, versioning
from agreements.history import BulkHistory
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
    history: BulkHistory | None = None,
) -> list[ArrangementParty]:
    """Replace an arrangement's parties, inside the caller's write (`arrangement_save`,
    `tables_load`). `facts`: each party's own in-force facts by economy code; by default a party
    that stays keeps its own.

    Without `history`, row by row: every signal receiver, history included, sees each row. With a
    bulk writer's `history`, the new rows are inserted in one statement and their history rows
    left to it (the removed rows record theirs as they are deleted)."""
    links = arrangement.party_links.all()
    if facts is None:
        facts = {link.economy_id: {name: getattr(link, name) for name in PARTY_FACTS} for link in links}
    links.delete()
    new = [
        ArrangementParty(arrangement=arrangement, economy_id=code, **facts.get(code, {})) for code in parties
    ]
    return _create(ArrangementParty, new, history)


def arrangement_sources_replace(
    *, arrangement: Arrangement, sources: Iterable[str], history: BulkHistory | None = None
) -> list[Source]:
    """Replace an arrangement's sources, in order (each its URL or its citation), inside the
    caller's write; `history` as for `arrangement_parties_replace`."""
    arrangement.sources.all().delete()
    new = [
        Source(arrangement=arrangement, position=position, **Source.fields_for(entry))
        for position, entry in enumerate(sources)
    ]
    return _create(Source, new, history)


def _create[M: (ArrangementParty, Source)](
    model: type[M], instances: list[M], history: BulkHistory | None
) -> list[M]:
    if history is None:
        for instance in instances:
            instance.save()
        return instances
    created = model._default_manager.bulk_create(instances)
    history.add(created, created=True)
    return created


def arrangement_party_save(*, party: ArrangementParty) -> ArrangementParty:
    """Create or update one party of an arrangement with its own in-force facts (the admin's party
    rows), after the model's checks (one party per economy, a precision exactly with a date)."""
    return _checked_save(party)


def source_save(*, source: Source) -> Source:
    """Create or update one source of an arrangement (the admin's source rows): a URL or a citation."""
    return _checked_save(source)


def membership_save(*, membership: DatedMembership) -> DatedMembership:
    """Create or update an economy's or a bloc's membership of a territory, after the model's
    checks (end after start, no overlap with the group's other memberships of the territory)."""
    return _checked_save(membership, lock=True)  # the overlap check reads what others committed


def claim_save(*, claim: Claim) -> Claim:
    """Create or update a claim (one figure of an official statement)."""
    return _checked_save(claim)


def _checked_save[R: models.Model](record: R, *, lock: bool = False) -> R:
    """One record, checked by its model (`full_clean`) and saved atomically, in one bump; with
    `lock`, after the writers' lock (a check that reads other rows sees what they committed)."""
    with transaction.atomic(), versioning.batched():
        if lock:
            versioning.lock()
        record.full_clean()
        record.save()
        versioning.bump()
    return record


def tables_load(
    *, parsed: reference.Parsed, applier: reference.Applier | None = None
) -> reference.LoadReport:
    """Create or update in bulk the parsed rows of one or more reference tables (the loader's
    whole dataset, the admin import's one file), each matched on its natural key and updated in
    place only where it changed (`reference.apply`): batched inserts and updates, an arrangement's
    parties and sources replaced with the functions above, and every history row written in bulk
    with the reason "Import", none for an unchanged row.

    One transaction, serialised with the other writers (`versioning.lock()`: the rows were
    validated against what the caller read after taking the same lock, or need no database); the
    data version moves once if any row was created or updated, never for an unchanged reload. A
    row the database refuses raises `reference.ReferenceDataError` listing each refusal as
    `file:line: message`, and nothing is written.

    `applier` collects each row's outcome and changes (the import's preview); a dry one writes only
    the rows that have children (arrangements), and its caller rolls the transaction back."""
    with transaction.atomic(), versioning.batched():
        versioning.lock()
        report = reference.apply(parsed, applier)
        if report.changed:
            versioning.bump()
    return report
