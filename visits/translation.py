from modeltranslation.translator import TranslationOptions, register

from visits.models import Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")
