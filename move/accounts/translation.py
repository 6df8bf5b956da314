from modeltranslation.translator import TranslationOptions, register

from move.accounts.models import Organisation


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")
