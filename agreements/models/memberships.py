"""One shape for membership over time: the half-open interval [start_date, end_date)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements import counting
from agreements.querysets import MembershipQuerySet
from agreements.validators import no_control_characters, plausible_membership_date


def periods_overlap(
    a_start: dt.date | None, a_end: dt.date | None, b_start: dt.date | None, b_end: dt.date | None
) -> bool:
    """Whether two half-open periods share a day; None is an open bound."""
    starts_before_b_ends = a_start is None or b_end is None or a_start < b_end
    b_starts_before_a_ends = b_start is None or a_end is None or b_start < a_end
    return starts_before_b_ends and b_starts_before_a_ends


# Raised on PostgreSQL by the statement trigger of migration 0005 (nothing SQLite can declare):
# no two memberships of one territory in one group overlap, whatever path writes them.
OVERLAP_CONSTRAINTS = {
    "economymembership_no_overlap": "This period overlaps another membership of the same territory.",
    "blocmembership_no_overlap": "This period overlaps another membership of the same territory.",
}


def describe_period(start: dt.date | None, end: dt.date | None) -> str:
    return f"[{start.isoformat() if start else 'always'}, {end.isoformat() if end else 'still'})"


class DatedMembership(models.Model):
    """A territory belonging to a group (`group_field`) for a period."""

    # How a group's page and its admin list its members: by territory name, then period. Not
    # Meta.ordering, which stays on the columns (no join for every membership query).
    group_page_ordering: ClassVar[tuple[str, ...]] = ("territory__name", "start_date")

    group_field: ClassVar[str]
    # Set by a caller that compares the periods itself (an inline formset holding every sibling,
    # the loader's one sweep per file): `clean()` then skips its query for overlapping siblings.
    overlaps_checked_by_formset: bool = False

    # Indexed by `membership_indexes`, without the `_like` twin a plain db_index adds on PostgreSQL.
    territory = models.ForeignKey(
        "agreements.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("territory"),
        db_index=False,
    )
    start_date = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_("Empty: since before anything tracked."),
        validators=[plausible_membership_date],
    )
    end_date = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("Exclusive: no longer a member on this day. Empty: still."),
        validators=[plausible_membership_date],
    )
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])

    objects = MembershipQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def membership_indexes(cls, prefix: str) -> list[models.Index]:
        """One plain b-tree on the territory (a territory's page reads its memberships by it).

        Not `db_index=True`: on PostgreSQL that adds a `varchar_pattern_ops` twin (`..._like`) to
        every code column, for LIKE 'abc%' lookups that nothing makes here (the admin's search
        is `icontains`, which no b-tree serves), and each index is written for every row of an
        80,000-row import. The group needs no index of its own: `<prefix>_unique_start` starts
        with it."""
        return [models.Index(fields=["territory"], name=f"{prefix}_territory")]

    @classmethod
    def membership_constraints(cls, group: str, prefix: str) -> list[Any]:
        return [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name=f"{prefix}_end_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            models.UniqueConstraint(
                fields=[group, "territory", "start_date"],
                name=f"{prefix}_unique_start",
                violation_error_message="This territory already has a membership starting on that date.",
            ),
            models.UniqueConstraint(
                fields=[group, "territory"],
                condition=Q(start_date__isnull=True),
                name=f"{prefix}_unique_open_start",
                violation_error_message="This territory already has a membership with no start date.",
            ),
        ]

    def active_on(self, day: dt.date) -> bool:
        return counting.active_on(self.start_date, self.end_date, day)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The end date must be after the start date."})
        group_id = getattr(self, f"{self.group_field}_id", None)
        if group_id is None or self.territory_id is None:
            return
        if getattr(self, "overlaps_checked_by_formset", False):
            return  # an inline formset holding every sibling compares the submitted rows instead
        siblings = (
            type(self)
            ._default_manager.filter(
                **{f"{self.group_field}_id": group_id, "territory_id": self.territory_id}
            )
            .exclude(pk=self.pk)
        )
        for other in siblings:
            if periods_overlap(self.start_date, self.end_date, other.start_date, other.end_date):
                raise ValidationError(
                    f"This period {describe_period(self.start_date, self.end_date)} overlaps another "
                    f"membership of the same territory {describe_period(other.start_date, other.end_date)}."
                )


class MembershipHistory(HistoricalRecords):
    """`HistoricalRecords` for a group's memberships, indexed as the memberships are: one plain
    b-tree each on the group and the territory columns (`agreements.history.record_history`
    reads a bloc's, an economy's or a territory's versions by them), and no `_like` twins.
    simple-history indexes every copied foreign key with `db_index`, which on PostgreSQL adds
    them (see `DatedMembership.membership_indexes`)."""

    def __init__(self, group: str) -> None:
        super().__init__(no_db_index=[group, "territory"])
        self.indexed = (group, "territory")

    def get_meta_options(self, model: type[models.Model]) -> dict[str, Any]:
        options: dict[str, Any] = super().get_meta_options(model)
        options["indexes"] = (
            *options.get("indexes", ()),
            *(models.Index(fields=[name], name=f"h{model._meta.model_name}_{name}") for name in self.indexed),
        )
        return options
