import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from move.accounts import permissions
from move.centres.models import Centre


class ThemeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "visits.view_theme")


class Theme(models.Model):
    """What an observation is about (medical care, isolation regime…): reference data
    in French and Dutch, kept by the coordinators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "visits.view_visit")


class Visit(models.Model):
    """A visit of one centre on one day by one or more accredited visitors."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("visitors"), related_name="visits"
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "centre__code"]
        indexes = [models.Index(fields=["date", "centre"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["planned", "done", "cancelled"]),
                name="visit_status_is_known",
            )
        ]

    def __str__(self):
        return f"{self.centre} — {self.date:%Y-%m-%d}"

    @property
    def iso_week(self) -> tuple[int, int]:
        year, week, _weekday = self.date.isocalendar()
        return year, week


class VisitReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.readable_reports(self, user)


class VisitReport(models.Model):
    """What the visitors saw, written in the author's language. People appear only by
    case-file code: the PII scanner guards submission and sharing."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SHARED = "shared", _("Shared with partners")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="report"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="visit_reports",
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("authors"), related_name="visit_reports"
    )
    language = models.CharField(
        _("language of the report"),
        max_length=2,
        choices=[("fr", "Français"), ("nl", "Nederlands")],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    general_conditions = models.TextField(_("general conditions"), blank=True)
    atmosphere = models.TextField(_("atmosphere"), blank=True)
    people_met = models.PositiveIntegerField(_("people met"), default=0)
    people_new = models.PositiveIntegerField(_("of whom met for the first time"), default=0)
    families = models.PositiveIntegerField(_("families"), default=0)
    minors_claimed = models.PositiveIntegerField(_("people who say they are minors"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    last_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last saved by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # A correction by someone who may not read the organisation's identities (a
    # coordinator) is not checked for the names they hold: the report then awaits its
    # authors' check, and its readers other than its editors keep reading the version
    # last checked (`checked_content`, see visits/reports.py) until an author confirms.
    awaiting_check = models.BooleanField(_("awaiting the authors' check"), default=False)
    checked_content = models.JSONField(
        _("version last checked"), null=True, blank=True, editable=False
    )
    # Copies of the visit's day and centre, so that the list sorts, pages and filters on
    # this table alone (visits/listing.py); kept equal to the visit's by save() and by
    # visits/search.py when a visit changes.
    visit_date = models.DateField(_("date of the visit"), editable=False)
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        db_index=False,  # the index (centre, visit_date, id) below serves it
    )
    # The words of the report and its observations, stemmed in the report's language
    # (visits/search.py). Filled on PostgreSQL only, where a GIN index covers it.
    search_vector = SearchVectorField(_("search words"), null=True, editable=False)

    objects = VisitReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")
        ordering = ["-visit_date", "-pk"]
        indexes = [
            models.Index(fields=["status", "organisation"]),
            # The list: newest visit first, then by pk (keyset pages), for everyone, for
            # one status (partners read only shared reports) and for one centre.
            models.Index(fields=["visit_date", "id"], name="report_list_keyset"),
            models.Index(fields=["status", "visit_date", "id"], name="report_list_status"),
            models.Index(fields=["centre", "visit_date", "id"], name="report_list_centre"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(people_new__lte=models.F("people_met")),
                name="report_new_people_among_people_met",
                violation_error_message=_(
                    "The people met for the first time are among the people met."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "submitted", "shared"]),
                name="report_status_is_known",
            ),
        ]

    def __str__(self):
        return str(self.visit)

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None or "visit" in update_fields:
            self.visit_date, self.centre_id = self.visit.date, self.visit.centre_id
            if update_fields is not None:
                update_fields = {*update_fields, "visit_date", "centre"}
        super().save(*args, update_fields=update_fields, **kwargs)


class VisitReportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(VisitReport, on_delete=models.CASCADE)


class VisitReportGroupObjectPermission(GroupObjectPermissionBase):
    """A report shared with an organisation (a partner): granted to its group."""

    content_object = models.ForeignKey(VisitReport, on_delete=models.CASCADE)


class ReportShare(models.Model):
    """Who shared a report with a partner organisation and when, and who stopped it.
    The access itself is the guardian row (VisitReportGroupObjectPermission); this is
    its record, kept after a revocation, for the report's pages and its history."""

    report = models.ForeignKey(
        VisitReport, verbose_name=_("visit report"), on_delete=models.CASCADE, related_name="shares"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    shared_at = models.DateTimeField(_("shared on"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("share of a report")
        verbose_name_plural = _("shares of reports")
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_current_share_per_partner",
            )
        ]

    def __str__(self):
        return f"{self.report} → {self.organisation}"

    @property
    def shared_by_name(self) -> str:
        return _person_name(self.shared_by)

    @property
    def revoked_by_name(self) -> str:
        return _person_name(self.revoked_by)


def _person_name(user) -> str:
    """A name to show (the e-mail address when there is none); "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.email


class Observation(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("visit report"),
        on_delete=models.CASCADE,
        related_name="observations",
        db_index=False,  # the index (report, theme) below starts with it
    )
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), on_delete=models.PROTECT)
    centre = models.ForeignKey(Centre, verbose_name=_("centre"), on_delete=models.PROTECT)
    text = models.TextField(_("observation"))
    severity = models.CharField(
        _("severity"), max_length=6, choices=Severity.choices, default=Severity.MEDIUM
    )
    raise_with_authorities = models.BooleanField(_("raise with the authorities"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["report", "position", "pk"]
        indexes = [
            # Whether a report has an observation of a theme (the report list's theme
            # filter) read from the index alone, and each report's observations counted:
            # at 100,000 reports, filters and words went from 1.8 to 1.4 ms of SQL.
            models.Index(fields=["report", "theme"], name="observation_report_theme"),
        ]

    def __str__(self):
        return f"{self.theme}: {self.text[:40]}"

    def get_additional_data(self):
        # Read by django-auditlog: ties each recorded change to its report.
        return {"report": self.report_id}


class FindingDismissal(models.Model):
    """A finding of the PII scanner that a person judged harmless, with their reason:
    kept as the record of that decision."""

    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("visit report"),
        on_delete=models.CASCADE,
        related_name="dismissals",
    )
    kind = models.CharField(_("kind of data"), max_length=40)
    text = models.CharField(_("text found"), max_length=300)
    reason = models.CharField(_("reason"), max_length=500)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed on"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed finding")
        verbose_name_plural = _("dismissed findings")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "text"], name="one_dismissal_per_finding"
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.text}"
