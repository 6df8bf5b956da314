"""The table of report shares vacuumed by autovacuum after any change, on PostgreSQL.

A partner's list asks each report met along its index whether it was shared with the
partner (move.accounts.permissions.shared_probe), through the share table's unique index
without reading the table itself: an index-only scan, which needs the table's pages
marked all visible by a vacuum, and which PostgreSQL prices by how many are. Autovacuum's
default waits for 1,000 new rows (and a fifth of the table) before vacuuming, so a small
share table kept a few pages unmarked for weeks: each question then also read the
table's page, and PostgreSQL priced the question twice as high (with the question
written as EXISTS, one unmarked page of 32 was enough for it to read every match of a
partner's search instead: 1.8 ms of SQL against 0.7 ms). Vacuuming a table of a few
thousand rows takes milliseconds."""

from django.db import migrations

SETTINGS = [
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_insert_scale_factor",
]


def _table(apps, schema_editor):
    model = apps.get_model("visits", "VisitReportGroupObjectPermission")
    return schema_editor.quote_name(model._meta.db_table)


def keep_vacuumed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        settings = ", ".join(f"{name} = 0" for name in SETTINGS)
        schema_editor.execute(f"ALTER TABLE {_table(apps, schema_editor)} SET ({settings})")


def as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        settings = ", ".join(SETTINGS)
        schema_editor.execute(f"ALTER TABLE {_table(apps, schema_editor)} RESET ({settings})")


class Migration(migrations.Migration):
    dependencies = [("visits", "0010_observation_report_theme")]

    operations = [migrations.RunPython(keep_vacuumed, as_default)]
