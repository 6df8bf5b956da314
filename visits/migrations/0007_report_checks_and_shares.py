"""Corrections awaiting the authors' check, and the record of shares (issue 9 §2, §4).

Existing shares (guardian rows) get their record, without who made them. A submitted
report last saved by someone who is not among its authors (a coordinator's correction,
never checked for the names of the organisation's case files) now awaits its authors'
check; its readers keep reading it as it is, which is what they read until now."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CHECKED_FIELDS = (
    "language",
    "general_conditions",
    "atmosphere",
    "people_met",
    "people_new",
    "families",
    "minors_claimed",
)
# Kept in step with visits.reports.snapshot (a migration does not import app code).
OBSERVATION_FIELDS = ("theme_id", "centre_id", "text", "severity", "raise_with_authorities")


def record_shares_and_hold_corrections(apps, schema_editor):
    VisitReport = apps.get_model("visits", "VisitReport")
    Observation = apps.get_model("visits", "Observation")
    Grant = apps.get_model("visits", "VisitReportGroupObjectPermission")
    ReportShare = apps.get_model("visits", "ReportShare")
    Organisation = apps.get_model("accounts", "Organisation")
    organisations = dict(Organisation.objects.values_list("group_id", "pk"))
    grants = Grant.objects.filter(permission__codename="view_visitreport")
    records = [
        ReportShare(report_id=report_id, organisation_id=organisations[group_id])
        for report_id, group_id in grants.values_list("content_object_id", "group_id").distinct()
        if group_id in organisations
    ]
    ReportShare.objects.bulk_create(records)
    authors = VisitReport.authors.through.objects.filter(
        visitreport_id=models.OuterRef("pk"), user_id=models.OuterRef("last_saved_by_id")
    )
    corrected = VisitReport.objects.exclude(status="draft").filter(
        ~models.Exists(authors), last_saved_by__isnull=False
    )
    for report in corrected:
        content = {name: getattr(report, name) for name in CHECKED_FIELDS}
        content["observations"] = list(
            Observation.objects.filter(report_id=report.pk)
            .order_by("position", "pk")
            .values(*OBSERVATION_FIELDS)
        )
        report.awaiting_check, report.checked_content = True, content
        report.save(update_fields=["awaiting_check", "checked_content"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_email_case"),
        ("visits", "0006_report_list_and_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="visitreport",
            name="awaiting_check",
            field=models.BooleanField(default=False, verbose_name="awaiting the authors' check"),
        ),
        migrations.AddField(
            model_name="visitreport",
            name="checked_content",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="version last checked"
            ),
        ),
        migrations.CreateModel(
            name="ReportShare",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shared_at", models.DateTimeField(auto_now_add=True, verbose_name="shared on")),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="revoked on"),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="shared with",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shares",
                        to="visits.visitreport",
                        verbose_name="visit report",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="revoked by",
                    ),
                ),
                (
                    "shared_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="shared by",
                    ),
                ),
            ],
            options={
                "verbose_name": "share of a report",
                "verbose_name_plural": "shares of reports",
                "ordering": ["-shared_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=("report", "organisation"),
                        name="one_current_share_per_partner",
                    )
                ],
            },
        ),
        migrations.RunPython(record_shares_and_hold_corrections, migrations.RunPython.noop),
    ]
