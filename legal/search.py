"""Searching the words of help requests, as the reports are searched (visits/search.py).

On PostgreSQL each request keeps a search vector of its subject and the texts of its
thread that its asker may read (questions, information, answers: never the internal
notes, so that a search cannot tell an asker what a note says), stemmed in the request's
language, under a GIN index (migration 0002). Words are read as a web search engine
reads them. Elsewhere (the SQLite demo) the words are looked up as they are typed."""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, OuterRef, Q, Subquery, Value, When

from legal.models import HelpRequest, Message
from visits.search import words_in_language

CONFIGS = {"fr": "french", "nl": "dutch", "en": "english"}


def full_text() -> bool:
    return connection.vendor == "postgresql"


def matching(requests, words: str):
    """The requests whose words match, each read in its language."""
    words = words.strip()
    if not words:
        return requests
    if full_text():
        return requests.filter(words_in_language(words, CONFIGS))
    in_thread = Message.objects.exclude(kind=Message.Kind.NOTE).filter(text__icontains=words)
    return requests.filter(
        Q(subject__icontains=words)
        | Q(code__iexact=words)
        | Q(pk__in=in_thread.values("request_id"))
    )


def update_search_vector(help_request: HelpRequest) -> None:
    update_search_vectors(HelpRequest.objects.filter(pk=help_request.pk))


def update_search_vectors(requests) -> None:
    """Recompute the vectors of these requests in one UPDATE (nothing to do on SQLite)."""
    if full_text():
        requests.update(search_vector=_vector())


def _vector():
    thread = (
        Message.objects.filter(request=OuterRef("pk"))
        .exclude(kind=Message.Kind.NOTE)
        .order_by()
        .values("request")
        .annotate(texts=StringAgg("text", " ", order_by=("created_at", "pk")))
        .values("texts")
    )
    config = Case(
        *(When(language=code, then=Value(name)) for code, name in CONFIGS.items()),
        default=Value("simple"),
    )
    return SearchVector("code", "subject", Subquery(thread), config=config)
