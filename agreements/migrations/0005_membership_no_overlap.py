"""On PostgreSQL, overlapping memberships of one territory in one group become impossible.

An exclusion constraint over (group, territory, daterange(start, end, '[)')) with btree_gist:
the database refuses what two concurrent writers could each validate alone (issue 11). SQLite
has no such constraint; its write transactions are serialised instead (settings: IMMEDIATE).
The constraint lives in this migration rather than in the models' Meta, which would have to
differ by backend: see agreements.models.memberships.OVERLAP_CONSTRAINTS for its names.
"""

from django.db import migrations

TABLES = (
    ("agreements_economymembership", "economy_id", "economymembership_no_overlap"),
    ("agreements_blocmembership", "bloc_id", "blocmembership_no_overlap"),
)


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, group, name in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({group} WITH =, territory_id WITH =, daterange(start_date, end_date, '[)') WITH &&)"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _, name in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0004_verbose_names")]

    operations = [migrations.RunPython(add_constraints, drop_constraints, elidable=False)]
