import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
