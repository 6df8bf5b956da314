from modeltranslation.translator import TranslationOptions, register

from move.centres.models import Centre


@register(Centre)
class CentreTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")
