"""Searching the jurisprudence in French and Dutch.

On PostgreSQL each decision keeps a search vector of its title and summary: the French
ones stemmed with the 'french' configuration, the Dutch ones with 'dutch', the titles
weighted A, under the GIN index `decision_search` (migration 0005). It is written again
whenever a decision is saved (the receiver below). The words typed are read as a web
search engine reads them, once in each language, either matching. Elsewhere (the SQLite
demo) the words are looked up as typed, in the four texts."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from legal.models import Decision

CONFIGS = {"fr": "french", "nl": "dutch"}
TEXTS = ("title_fr", "summary_fr", "title_nl", "summary_nl")


def full_text() -> bool:
    return connection.vendor == "postgresql"


def matching(decisions, words: str):
    """The decisions whose title or summary, in French or in Dutch, match `words`."""
    words = (words or "").strip()
    if not words:
        return decisions
    if full_text():
        query = None
        for config in CONFIGS.values():
            one = SearchQuery(words, config=config, search_type="websearch")
            query = one if query is None else query | one
        # One @@ against the OR of both queries: the GIN index answers it.
        return decisions.filter(search_vector=query)
    found = Q()
    for name in TEXTS:
        found |= Q(**{f"{name}__icontains": words})
    return decisions.filter(found)


def vector():
    parts = []
    for code, config in CONFIGS.items():
        parts.append(SearchVector(f"title_{code}", config=config, weight="A"))
        parts.append(SearchVector(f"summary_{code}", config=config, weight="B"))
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def update_search_vectors(decisions) -> None:
    """Recompute the vectors of these decisions in one UPDATE (nothing on SQLite)."""
    if full_text():
        decisions.update(search_vector=vector())


@receiver(post_save, sender=Decision, dispatch_uid="legal.decision_search.saved")
def decision_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not set(update_fields) & {"title", "summary", *TEXTS}:
        return
    update_search_vectors(Decision.objects.filter(pk=instance.pk))
