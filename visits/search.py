"""Searching the words of visit reports.

On PostgreSQL each report keeps a search vector of its texts and its observations'
texts, stemmed in the report's language ("médicaux" finds "médical", "advocaten" finds
"advocaat"), under a GIN index (migration 0006). Words are read as a web search engine
reads them: "a phrase", -without, or. The vector is refreshed whenever a
report's texts or one of its observations is saved or deleted: `update_search_vector`
for one report, `update_search_vectors` for many at once (after a bulk_create, which
sends no signal). Elsewhere (the SQLite demo) the words are looked up as they are typed.

The receivers at the bottom also keep the copies of a visit's day and centre on its
report (VisitReport.visit_date and .centre) equal to the visit's."""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from move.written import Condition
from visits.models import Observation, Visit, VisitReport

# The PostgreSQL text search configuration of each report language.
CONFIGS = {"fr": "french", "nl": "dutch"}
TEXT_FIELDS = frozenset({"general_conditions", "atmosphere", "language"})


def full_text() -> bool:
    return connection.vendor == "postgresql"


def matching(reports, words: str):
    """The reports whose texts hold these words, each report read in its language."""
    if full_text():
        return reports.filter(words_in_language(words, CONFIGS))
    in_text = Observation.objects.filter(text__icontains=words)
    checked = Q(awaiting_check=False) & (
        Q(general_conditions__icontains=words)
        | Q(atmosphere__icontains=words)
        | Q(pk__in=in_text.values("report_id"))
    )
    # Awaiting the authors' check: the words of the version last checked only.
    return reports.filter(checked | Q(awaiting_check=True, checked_content__icontains=words))


def words_in_language(words: str, configs: dict) -> Condition:
    """Rows whose search vector holds `words` (as a web search engine reads them), read
    in the row's language: `configs` gives the PostgreSQL configuration of each language.
    The condition the ORM writes for Q(language=…, search_vector=SearchQuery(…)) in each
    language, written out (move/written.py): built with the ORM at each request, it was
    a tenth of a searched list's time (`make bench`). Also legal/search.py."""
    each = "({0} = %s AND {1} @@ (websearch_to_tsquery(%s::regconfig, %s)))"
    params = [value for code, name in configs.items() for value in (code, name, words)]
    return Condition(f"({' OR '.join([each] * len(configs))})", params, "language", "search_vector")


def update_search_vector(report: VisitReport) -> None:
    update_search_vectors(VisitReport.objects.filter(pk=report.pk))


def update_search_vectors(reports) -> None:
    """Recompute the vectors of these reports in one UPDATE (nothing to do on SQLite).
    A report awaiting its authors' check keeps the vector of the version last checked:
    a search must not tell its readers which words an unchecked correction holds
    (visits/reports.py); the authors' confirmation recomputes it."""
    if full_text():
        reports.filter(awaiting_check=False).update(search_vector=_vector())


def _vector():
    observations = (
        Observation.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(texts=StringAgg("text", " ", order_by=("position", "pk")))
        .values("texts")
    )
    config = Case(
        *(When(language=code, then=Value(name)) for code, name in CONFIGS.items()),
        default=Value("simple"),
    )
    return SearchVector("general_conditions", "atmosphere", Subquery(observations), config=config)


@receiver(post_save, sender=VisitReport, dispatch_uid="visits.search.report_saved")
def _report_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or TEXT_FIELDS & set(update_fields):
        update_search_vector(instance)


@receiver(post_save, sender=Observation, dispatch_uid="visits.search.observation_saved")
def _observation_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created or update_fields is None or "text" in update_fields:
        update_search_vectors(VisitReport.objects.filter(pk=instance.report_id))


@receiver(post_delete, sender=Observation, dispatch_uid="visits.search.observation_deleted")
def _observation_deleted(sender, instance, **kwargs):
    update_search_vectors(VisitReport.objects.filter(pk=instance.report_id))


@receiver(post_save, sender=Visit, dispatch_uid="visits.search.visit_saved")
def _visit_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """A visit's day or centre, copied on its report for the list."""
    if created or (update_fields is not None and not {"date", "centre"} & set(update_fields)):
        return
    VisitReport.objects.filter(visit=instance).exclude(
        visit_date=instance.date, centre=instance.centre_id
    ).update(visit_date=instance.date, centre=instance.centre_id)
