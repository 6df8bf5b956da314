"""The lawyer's queue by default: the open requests, along an index of their own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("legal", "0002_topics_rules_search")]

    operations = [
        migrations.AddIndex(
            model_name="helprequest",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["next_deadline_at", "created_at"],
                name="help_queue_open",
            ),
        ),
    ]
