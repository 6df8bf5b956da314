"""Indexes for the lawyer directory (PostgreSQL only), measured at 5,000 lawyers
(`manage.py bench_lawyers`):

- trigram indexes on the upper-cased name and firm, which a search by name
  (`icontains`: UPPER(name) LIKE UPPER('%claes%')) reads; their statistics also tell the
  planner how many lawyers a name matches, so that for a common one it walks the name
  index and stops at the page's 51st: 2.5 ms of SQL (every lawyer's name and firm
  upper-cased and compared) became 0.3 ms;
- the speciality and centre links by speciality (centre) first, read alone (index-only)
  to find the lawyers of a speciality in a centre: 2.1 ms became 1.7 ms."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS lawyer_name_trgm "
    "ON legal_lawyer USING gin (upper(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS lawyer_firm_trgm "
    "ON legal_lawyer USING gin (upper(firm) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS lawyer_speciality_first "
    "ON legal_lawyer_specialities (speciality_id, lawyer_id)",
    "CREATE INDEX IF NOT EXISTS lawyer_centre_first ON legal_lawyer_centres (centre_id, lawyer_id)",
]
DROP = [
    "DROP INDEX IF EXISTS lawyer_name_trgm",
    "DROP INDEX IF EXISTS lawyer_firm_trgm",
    "DROP INDEX IF EXISTS lawyer_speciality_first",
    "DROP INDEX IF EXISTS lawyer_centre_first",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("legal", "0006_training_hearing_updated_at")]

    operations = [migrations.RunPython(forwards, backwards)]
