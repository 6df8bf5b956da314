from modeltranslation.translator import TranslationOptions, register

from legal.models import DeadlineRule, Topic


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")


@register(DeadlineRule)
class DeadlineRuleTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")
