"""Every header the project writes or reads matches the table declarations (agreements.tables)."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from agreements import dataset, tables
from agreements.admin_import import CsvImportMixin
from agreements.imports import NATURAL_COLUMNS
from agreements.reference import COLUMNS
from api import serializers
from dashboard import exports

DATA = Path(settings.BASE_DIR) / "data"


def header_of(content: bytes) -> tuple[str, ...]:
    return tuple(next(csv.reader(io.StringIO(content.decode("utf-8")))))


def test_every_reference_file_has_a_declaration_and_its_header() -> None:
    assert sorted(path.name for path in DATA.glob("*.csv")) == sorted(tables.TABLES)
    for name, table in tables.TABLES.items():
        assert header_of((DATA / name).read_bytes()) == table.header, name
        assert COLUMNS[name] == table.header


def test_every_declared_column_is_a_model_field_or_made_from_related_rows() -> None:
    for table in tables.TABLES.values():
        assert set(table.key) <= set(table.header), table.file
        for column in table.columns:
            if column.field is None:
                assert column.kind in (tables.Kind.CODES, tables.Kind.TEXTS), (table.file, column.name)
                continue
            model, path = table.model, column.field.split("__")
            for step in path[:-1]:
                related = model._meta.get_field(step).related_model
                assert isinstance(related, type)
                model = related
            assert any(path[-1] in (f.name, f.attname) for f in model._meta.concrete_fields), (
                table.file,
                column.name,
            )


@pytest.mark.django_db
def test_the_full_download_writes_each_declared_header() -> None:
    download = dataset.build_download()
    members = dict(dataset.iter_members(download.content))
    for name, table in tables.TABLES.items():
        assert header_of(dataset.table_csv(name)) == table.header
        assert header_of(members[f"aeo-registry-data/{name}"]) == table.header
    assert list(download.counts) == list(tables.TABLES)


@pytest.mark.django_db
def test_the_admin_imports_each_importable_table_with_its_declared_header(admin_client: Client) -> None:
    imported = {
        model_admin.import_table: model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, CsvImportMixin)
    }
    assert sorted(imported) == sorted(tables.IMPORTABLE) == sorted(NATURAL_COLUMNS)
    for name, model in imported.items():
        table = tables.IMPORTABLE[name]
        assert model is table.model
        assert NATURAL_COLUMNS[name] == table.key
        opts = model._meta
        template = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template"))
        assert header_of(template.content) == table.header


def test_the_arrangements_export_is_the_file_with_a_name_beside_each_named_code() -> None:
    expected: list[str] = []
    for name in tables.ARRANGEMENTS.header:
        expected.append(name)
        if tables.ARRANGEMENTS.column(name).named:
            expected.append(f"{name}_name")
    assert exports.ARRANGEMENTS.header == expected
    assert tables.ARRANGEMENTS.fields() == exports.ARRANGEMENT_FIELDS
    # The export's row type holds the plain fields in order, then parties and sources.
    row_fields = [f.name for f in dataclasses.fields(exports.ArrangementRow)]
    assert row_fields == [*exports.ARRANGEMENT_FIELDS, "parties", "sources"]


def test_the_api_shows_each_record_with_its_declared_fields() -> None:
    assert serializers.TerritorySerializer.Meta.fields == tables.TERRITORIES.record_fields
    assert serializers.EconomySerializer.Meta.fields == tables.ECONOMIES.record_fields
    assert serializers.BlocSerializer.Meta.fields == tables.BLOCS.record_fields
    assert serializers.ClaimSerializer.Meta.fields == ("id", *tables.CLAIMS.record_fields)
    assert serializers.ArrangementSerializer.Meta.fields == (
        *tables.ARRANGEMENTS.record_fields,
        "party_in_force",
    )
    assert serializers.PartyInForceSerializer.Meta.fields == (
        "economy",
        *tables.ARRANGEMENT_PARTIES.value_fields,
    )
