from django.db import models
from django.utils.translation import gettext_lazy as _

from move.accounts import permissions


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
