"""The report list at scale, first step: the visit's day and centre copied on the
report, so that the list sorts, pages and filters on one table; and who saved a report
last (for the editor). The copies are made NOT NULL in 0006: on PostgreSQL a table
cannot be altered in the transaction that just updated its rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_visit_day_and_centre(apps, schema_editor):
    Visit = apps.get_model("visits", "Visit")
    VisitReport = apps.get_model("visits", "VisitReport")
    visit = Visit.objects.using(schema_editor.connection.alias).filter(pk=OuterRef("visit_id"))
    VisitReport.objects.using(schema_editor.connection.alias).update(
        visit_date=Subquery(visit.values("date")[:1]),
        centre=Subquery(visit.values("centre")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0004_dismissals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="visitreport",
            name="last_saved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last saved by",
            ),
        ),
        migrations.AddField(
            model_name="visitreport",
            name="visit_date",
            field=models.DateField(editable=False, null=True, verbose_name="date of the visit"),
        ),
        migrations.AddField(
            model_name="visitreport",
            name="centre",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="centres.centre",
                verbose_name="centre",
            ),
        ),
        migrations.RunPython(copy_visit_day_and_centre, migrations.RunPython.noop),
    ]
