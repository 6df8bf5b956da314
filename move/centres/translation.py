from modeltranslation.translator import TranslationOptions, register

from move.centres.models import Centre, CentreYear


@register(Centre)
class CentreTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")


@register(CentreYear)
class CentreYearTranslation(TranslationOptions):
    """Where a figure comes from, said in each language of the coalition."""

    fields = ("people_detained_source", "capacity_source")
