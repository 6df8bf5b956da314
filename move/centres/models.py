import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, get_language

from move.accounts import permissions


class CentreQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "centres.view_centre")

    def in_name_order(self):
        """By kind, then by name in the reader's language, or in French where a centre has
        no name in it (English names are optional): Meta.ordering would sort those last."""
        name = build_localized_fieldname("name", get_language())
        return self.order_by("kind", Coalesce(NullIf(F(name), Value("")), F("name_fr")))


class Centre(models.Model):
    class Kind(models.TextChoices):
        ADULT_CENTRE = "adult_centre", _("Adult centre")
        FAMILY_UNIT = "family_unit", _("Family unit")
        RETURN_HOUSE = "return_house", _("Return house")

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("Short identifier used in web addresses, e.g. 127bis or vottem."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    town = models.CharField(_("town"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(
        _("opened on"), null=True, blank=True, help_text=_("Leave empty when unknown.")
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def was_open_on(self, day) -> bool:
        """Whether people could be held here on `day` (unknown dates do not refuse)."""
        opened = self.opened_on is None or self.opened_on <= day
        return opened and (self.closed_on is None or day <= self.closed_on)

    def latest_published(self):
        """The most recent year whose number of people detained is known (from the
        prefetched `years`, newest first)."""
        return next((row for row in self.years.all() if row.people_detained is not None), None)


class CentreYear(models.Model):
    """Official figures for one centre and one year, each with where it comes from:
    sources disagree, so a figure without its source is not kept."""

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    people_detained = models.PositiveIntegerField(
        _("people detained"), null=True, blank=True, help_text=_("People held during the year.")
    )
    people_detained_source = models.CharField(
        _("source of that figure"), max_length=300, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    capacity_source = models.CharField(_("source of the capacity"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("yearly figures of a centre")
        verbose_name_plural = _("yearly figures of centres")
        ordering = ["centre", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "year"],
                name="one_figure_per_centre_year",
                violation_error_message=_("This centre already has figures for that year."),
            ),
            models.CheckConstraint(
                condition=models.Q(people_detained__isnull=True)
                | ~models.Q(people_detained_source=""),
                name="people_detained_has_source",
                violation_error_message=_("Give the source of the number of people detained."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | ~models.Q(capacity_source=""),
                name="capacity_has_source",
                violation_error_message=_("Give the source of the capacity."),
            ),
        ]

    def __str__(self):
        return f"{self.centre} {self.year}"
