from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def count(apps, schema_editor):
    """first_met_on of the case files already there (detainees/meeting_days.py)."""
    Person = apps.get_model("detainees", "Person")
    Accompaniment = apps.get_model("detainees", "Accompaniment")
    earliest = (
        Accompaniment.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(first=Min("visit__date"))
        .values("first")
    )
    Person.objects.update(first_met_on=Subquery(earliest))


class Migration(migrations.Migration):
    dependencies = [("detainees", "0008_figures_indexes"), ("visits", "0009_shared_report_search")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="first_met_on",
            field=models.DateField(editable=False, null=True, verbose_name="first met on"),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
