"""Every registry table, declared once: its file, model, natural key and columns.

The reference files under data/, the full download (`agreements.dataset`), the loader
(`agreements.reference`), the admin's CSV import (`agreements.imports`, `admin_import`), the
arrangements export (`dashboard.exports.ARRANGEMENTS`) and the REST serializers' field lists
are all derived from these declarations; tests/agreements/test_tables.py checks every header the project
writes or reads against them. A new column goes here first.

A column names the model attribute it is read from and written to (`source`); a column without
one (an arrangement's parties and sources) is made from related rows by the reader and writer
that know the table. A column may be `named`: the list exports put a `<column>_name` companion
beside it (the code's label in the reader's language). A column that is not `in_file` is part of
the record (the API shows and writes it) but not of the reference format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Programme,
    ProgrammeCount,
    SourceDocument,
    Territory,
)


class Kind(StrEnum):
    """What a column holds, as the CSV writes it."""

    TEXT = "text"
    CODE = "code"  # a code of the registry (ISO alpha-3, an economy or a bloc code, a key)
    CODES = "codes"  # several codes in one cell, joined with ";"
    DATE = "date"  # ISO 8601, empty when unknown
    CHOICE = "choice"  # one of the model field's choices
    NUMBER = "number"  # a whole number
    FLAG = "flag"  # "yes" or empty
    TEXTS = "texts"  # several texts in one cell, joined with " ; "


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    # The model attribute (or ORM path) the column is read from; "" for the column's own name,
    # None when the column is made from related rows (an arrangement's parties and sources).
    source: str | None = ""
    named: bool = False
    in_file: bool = True

    @property
    def field(self) -> str | None:
        return self.name if self.source == "" else self.source


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    model: type[models.Model]
    label: str | Promise
    key: tuple[str, ...]  # the natural key, as column names
    columns: tuple[Column, ...]
    # What the load's report calls the rows ("economy memberships: 3 created, ...").
    rows_name: str
    importable: bool = False  # the admin's "Import CSV" takes this file
    # Derived from the columns once, at declaration (`__post_init__`): a load reads them for
    # every row of a file (80,000 for the admin's import).
    key_fields: tuple[str, ...] = field(init=False, repr=False, compare=False)
    value_fields: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The attributes of the natural key, and those a load updates in place: every column's
        # but the natural key's.
        object.__setattr__(self, "key_fields", self.fields(self.key))
        object.__setattr__(
            self,
            "value_fields",
            tuple(
                column.field
                for column in self.columns
                if column.field is not None and column.name not in self.key and "__" not in column.field
            ),
        )

    @property
    def header(self) -> tuple[str, ...]:
        """The file's header row."""
        return tuple(column.name for column in self.columns if column.in_file)

    @property
    def record_fields(self) -> tuple[str, ...]:
        """Every column of the record, in the file's order (`in_file` or not): the API's fields."""
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.file} has no column {name!r}")

    def fields(self, names: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """The model attributes of the file's columns (or of `names`) that are read from one."""
        wanted = self.header if names is None else names
        return tuple(f for name in wanted if (f := self.column(name).field) is not None)

    def key_of(self, instance: Any) -> tuple[Any, ...]:
        """An instance's natural key (attributes, not column names)."""
        return tuple([getattr(instance, name) for name in self.key_fields])


TERRITORIES = Table(
    "territories.csv",
    rows_name="territories",
    model=Territory,
    label=_("Territories (every ISO 3166-1 country and region)"),
    key=("iso3",),
    columns=(
        Column("iso3", Kind.CODE),
        Column("iso2", Kind.CODE),
        Column("name"),
        Column("name_zh"),
        Column("kind", Kind.CHOICE, named=True),
    ),
)

ECONOMIES = Table(
    "economies.csv",
    rows_name="economies",
    model=Economy,
    label=_("Economies"),
    key=("code",),
    columns=(
        Column("code", Kind.CODE),
        Column("name"),
        Column("name_zh"),
        Column("kind", Kind.CHOICE, named=True),
    ),
)


def _membership_columns(group: str) -> tuple[Column, ...]:
    return (
        Column(group, Kind.CODE, source=f"{group}_id", named=True),
        Column("territory", Kind.CODE, source="territory_id", named=True),
        Column("start_date", Kind.DATE),
        Column("end_date", Kind.DATE),
        Column("note"),
    )


ECONOMY_MEMBERS = Table(
    "economy_members.csv",
    rows_name="economy memberships",
    model=EconomyMembership,
    label=_("Economy memberships"),
    key=("economy", "territory", "start_date"),
    columns=_membership_columns("economy"),
    importable=True,
)

BLOCS = Table(
    "blocs.csv",
    rows_name="blocs",
    model=Bloc,
    label=_("Blocs"),
    key=("code",),
    columns=(
        Column("code", Kind.CODE),
        Column("name"),
        Column("name_zh"),
        Column("definition"),
        Column("source"),
    ),
    importable=True,
)

BLOC_MEMBERS = Table(
    "bloc_members.csv",
    rows_name="bloc memberships",
    model=BlocMembership,
    label=_("Bloc memberships"),
    key=("bloc", "territory", "start_date"),
    columns=_membership_columns("bloc"),
    importable=True,
)

ARRANGEMENTS = Table(
    "arrangements.csv",
    rows_name="arrangements",
    model=Arrangement,
    label=_("Arrangements"),
    key=("key",),
    columns=(
        Column("key", Kind.CODE),
        Column("title"),
        Column("parties", Kind.CODES, source=None, named=True),
        Column("signed_date", Kind.DATE),
        Column("signed_precision", Kind.CHOICE),
        Column("effective_date", Kind.DATE),
        Column("effective_precision", Kind.CHOICE),
        Column("ended_date", Kind.DATE),
        # Not in the reference format: the loader reads an end date as a day.
        Column("ended_precision", Kind.CHOICE, in_file=False),
        Column("status", Kind.CHOICE, named=True),
        Column("evidence", Kind.CHOICE, named=True),
        Column("sources", Kind.TEXTS, source=None),
        Column("notes"),
    ),
    importable=True,
)

# A party's own in-force facts: one row per party that has any (the others take the
# arrangement's in-force date).
ARRANGEMENT_PARTIES = Table(
    "arrangement_parties.csv",
    rows_name="arrangement parties",
    model=ArrangementParty,
    label=_("Parties' own in-force dates"),
    key=("arrangement", "economy"),
    columns=(
        Column("arrangement", Kind.CODE, source="arrangement__key"),
        Column("economy", Kind.CODE, source="economy_id", named=True),
        Column("effective_date", Kind.DATE),
        Column("effective_precision", Kind.CHOICE),
        Column("effective_unknown", Kind.FLAG),
        Column("source"),
        Column("note"),
    ),
)

CLAIMS = Table(
    "claims.csv",
    rows_name="claims",
    model=Claim,
    label=_("Claims (figures of official statements)"),
    key=("key", "basis", "metric"),
    columns=(
        Column("key", Kind.CODE),
        Column("authority"),
        Column("stated_on", Kind.DATE),
        Column("as_of", Kind.DATE),
        Column("economy", Kind.CODE, source="economy_id", named=True),
        Column("basis", Kind.CHOICE, named=True),
        Column("metric", Kind.CODE),
        Column("value", Kind.NUMBER),
        Column("source_url"),
        Column("note"),
    ),
    importable=True,
)

# What a source URL is (issue 14, item 4): one row per document, by its URL.
SOURCE_DOCUMENTS = Table(
    "source_documents.csv",
    rows_name="source documents",
    model=SourceDocument,
    label=_("Source documents (title, publisher, date and archived copy of a source URL)"),
    key=("url",),
    columns=(
        Column("url"),
        Column("title"),
        Column("publisher"),
        Column("published", Kind.DATE),
        Column("archive_url"),
    ),
    importable=True,
)

PROGRAMMES = Table(
    "programmes.csv",
    rows_name="programmes",
    model=Programme,
    label=_("AEO programmes"),
    key=("economy",),
    columns=(
        Column("economy", Kind.CODE, source="economy_id", named=True),
        Column("name"),
        Column("native_name"),
        Column("launched_date", Kind.DATE),
        Column("launched_precision", Kind.CHOICE),
        Column("legal_basis"),
        Column("sources"),
        Column("confidence", Kind.CHOICE),
        Column("note"),
    ),
)

PROGRAMME_COUNTS = Table(
    "programme_counts.csv",
    rows_name="programme counts",
    model=ProgrammeCount,
    label=_("Certified operators of AEO programmes, by date"),
    key=("economy", "as_of_date"),
    columns=(
        Column("economy", Kind.CODE, source="programme_id", named=True),
        Column("as_of_date", Kind.DATE),
        Column("as_of_precision", Kind.CHOICE),
        Column("operators", Kind.NUMBER),
        Column("qualifier", Kind.CHOICE),
        Column("source"),
        Column("confidence", Kind.CHOICE),
        Column("note"),
    ),
)

# In the order the loader reads them and the full download lists them.
TABLES: dict[str, Table] = {
    table.file: table
    for table in (
        TERRITORIES,
        ECONOMIES,
        ECONOMY_MEMBERS,
        BLOCS,
        BLOC_MEMBERS,
        ARRANGEMENTS,
        ARRANGEMENT_PARTIES,
        CLAIMS,
        SOURCE_DOCUMENTS,
        PROGRAMMES,
        PROGRAMME_COUNTS,
    )
}

IMPORTABLE: dict[str, Table] = {name: table for name, table in TABLES.items() if table.importable}
