"""On PostgreSQL, a territory is looked up by its code through the primary key, not by a scan.

Every membership row written checks its territory foreign key at COMMIT with a one-row query
(`SELECT 1 FROM agreements_territory WHERE iso3 = $1 FOR KEY SHARE`). The table is 249 rows in
3 pages, and the planner's costs (random_page_cost 4) make a sequential scan of all of them look
cheaper than an index probe: 80,000 such scans were about 1 s of an 80,000-row bulk import's
COMMIT on the 2-core machine (the same check through the index: about 0.3 s). The foreign key
stays as it was; only how its check finds the row changes.

Stored sparsely (fillfactor 10, about 24 pages instead of 3), the table's scan costs more than
the probe in the planner's own terms, so every lookup by code takes the index, whatever else
runs on the connection; reading all 249 rows (a few pages more) costs nothing that shows. Not
`random_page_cost` for the whole connection: that re-plans every query of the project. CLUSTER
rewrites the rows already stored with the new fillfactor; a new territory follows it anyway.
SQLite has no planner costs of this kind: nothing to do there.
"""

from django.db import migrations

TABLE = "agreements_territory"


def sparse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 10)")
    schema_editor.execute(f"CLUSTER {TABLE} USING {TABLE}_pkey")
    schema_editor.execute(f"ANALYZE {TABLE}")


def dense(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")
    schema_editor.execute(f"CLUSTER {TABLE} USING {TABLE}_pkey")
    schema_editor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0016_membership_plain_indexes")]

    operations = [migrations.RunPython(sparse, dense, elidable=False)]
