"""The index (report, theme) first, then the report's own index dropped: never a moment
without an index on the observations' report."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0005_english_names"),
        ("visits", "0009_shared_report_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["report", "theme"], name="observation_report_theme"),
        ),
        migrations.AlterField(
            model_name="observation",
            name="report",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="observations",
                to="visits.visitreport",
                verbose_name="visit report",
            ),
        ),
    ]
