from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def count(apps, schema_editor):
    """last_met_on of the case files already there (detainees/meeting_days.py)."""
    Person = apps.get_model("detainees", "Person")
    Accompaniment = apps.get_model("detainees", "Accompaniment")
    latest = (
        Accompaniment.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(day=Max("visit__date"))
        .values("day")
    )
    Person.objects.update(last_met_on=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [("detainees", "0009_first_met_on")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="last_met_on",
            field=models.DateField(editable=False, null=True, verbose_name="last met on"),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
