from modeltranslation.translator import TranslationOptions, register

from legal.models import (
    Bar,
    DeadlineRule,
    Decision,
    NewsItem,
    Newsletter,
    Resource,
    Speciality,
    Topic,
)


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")


@register(DeadlineRule)
class DeadlineRuleTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")


@register(Bar)
class BarTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")


@register(Speciality)
class SpecialityTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "nl")


# Published in both languages; a missing one is shown (Decision.missing_languages) and
# refused at publication, not at typing.
@register(Decision)
class DecisionTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Newsletter)
class NewsletterTranslation(TranslationOptions):
    fields = ("title", "editorial")


@register(NewsItem)
class NewsItemTranslation(TranslationOptions):
    fields = ("title", "body")


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "description")
