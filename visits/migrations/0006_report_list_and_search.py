"""The report list at scale, second step: the copies of the visit's day and centre
required, the indexes of the list, and a search vector of the report's words.

The search vector's GIN index exists on PostgreSQL only, outside the migration state:
SQLite would refuse `USING gin` (also when it rebuilds the table in a later migration),
and there the list searches without it (visits/search.py)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

SEARCH_INDEX = "report_search"

# Kept in step with visits.search._vector (a migration does not import app code).
FILL_SEARCH_VECTORS = """
UPDATE visits_visitreport AS report SET search_vector = to_tsvector(
    (CASE report.language WHEN 'fr' THEN 'french' WHEN 'nl' THEN 'dutch' ELSE 'simple' END)::regconfig,
    COALESCE(report.general_conditions, '') || ' ' || COALESCE(report.atmosphere, '') || ' ' ||
    COALESCE((SELECT string_agg(item.text, ' ' ORDER BY item.position, item.id)
              FROM visits_observation AS item WHERE item.report_id = report.id), '')
)
"""


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {SEARCH_INDEX} ON visits_visitreport USING gin (search_vector)"
        )
        schema_editor.execute(FILL_SEARCH_VECTORS)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0005_report_visit_copies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="visitreport",
            name="visit_date",
            field=models.DateField(editable=False, verbose_name="date of the visit"),
        ),
        migrations.AlterField(
            model_name="visitreport",
            name="centre",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="centres.centre",
                verbose_name="centre",
            ),
        ),
        migrations.AddField(
            model_name="visitreport",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, verbose_name="search words"
            ),
        ),
        migrations.AlterModelOptions(
            name="visitreport",
            options={
                "ordering": ["-visit_date", "-pk"],
                "verbose_name": "visit report",
                "verbose_name_plural": "visit reports",
            },
        ),
        migrations.AddIndex(
            model_name="visitreport",
            index=models.Index(fields=["visit_date", "id"], name="report_list_keyset"),
        ),
        migrations.AddIndex(
            model_name="visitreport",
            index=models.Index(fields=["status", "visit_date", "id"], name="report_list_status"),
        ),
        migrations.AddIndex(
            model_name="visitreport",
            index=models.Index(fields=["centre", "visit_date", "id"], name="report_list_centre"),
        ),
        # Last: no ALTER TABLE may follow the UPDATE in this transaction.
        migrations.RunPython(add_search_index, drop_search_index),
    ]
