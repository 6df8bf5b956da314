"""Full-text search of the jurisprudence in French and Dutch (legal/decision_search.py):
stemmed on PostgreSQL (French words with the 'french' configuration, Dutch ones with
'dutch'), the words as typed elsewhere (the SQLite demo)."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from legal import decision_search
from legal.models import Decision
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming needs PostgreSQL's text search"
)


def decision(title_fr="", summary_fr="", title_nl="", summary_nl="", **fields):
    return Decision.objects.create(
        court=fields.pop("court", "cce"),
        date=fields.pop("date", datetime.date(2022, 6, 1)),
        outcome="favourable",
        status=fields.pop("status", Decision.Status.PUBLISHED),
        title_fr=title_fr,
        summary_fr=summary_fr,
        title_nl=title_nl,
        summary_nl=summary_nl,
        **fields,
    )


def found(words: str) -> set[str]:
    return {
        d.title_fr or d.title_nl for d in decision_search.matching(Decision.objects.all(), words)
    }


@pytest.fixture
def library():
    decision(
        title_fr="Détention d'une famille avec enfants",
        summary_fr="Le Conseil juge la détention contraire à l'intérêt de l'enfant.",
        title_nl="Detentie van een gezin",
        summary_nl="De Raad acht de vasthouding van het gezin onwettig.",
    )
    decision(
        title_fr="Interdiction d'entrée",
        summary_fr="La mesure d'éloignement est annulée.",
        title_nl="Inreisverbod",
        summary_nl="De maatregel tot uitzetting wordt vernietigd door de rechter.",
    )
    decision(
        title_fr="Isolement prolongé",
        summary_fr="Les conditions de l'isolement sont examinées.",
        title_nl="Verlengde afzondering",
        summary_nl="Kinderen mogen niet worden afgezonderd.",
    )


@postgres_only
def test_the_vector_is_written_when_a_decision_is_saved(library):
    assert not Decision.objects.filter(search_vector__isnull=True).exists()
    one = Decision.objects.get(title_nl="Inreisverbod")
    one.summary_fr = "Une toute autre affaire de regroupement familial."
    one.save()
    assert found("regroupement") == {"Interdiction d'entrée"}
    assert found("éloignement") == set()


@postgres_only
def test_french_words_are_found_by_their_stem(library):
    assert found("détentions") == {"Détention d'une famille avec enfants"}
    assert found("isolements") == {"Isolement prolongé"}
    assert found("annulées") == {"Interdiction d'entrée"}


@postgres_only
def test_dutch_words_are_found_by_their_stem(library):
    assert found("uitzettingen") == {"Interdiction d'entrée"}
    assert found("rechters") == {"Interdiction d'entrée"}
    assert found("vasthoudingen") == {"Détention d'une famille avec enfants"}
    assert found("maatregelen") == {"Interdiction d'entrée"}
    # The Dutch stemmer keeps "kinder" apart from "kind": the plural finds the plural.
    assert found("kinderen") == {"Isolement prolongé"}


@postgres_only
def test_words_are_read_as_a_web_search(library):
    assert found('"intérêt de l\'enfant"') == {"Détention d'une famille avec enfants"}
    assert found("détention -famille") == set()
    assert found("isolement or uitzetting") == {"Isolement prolongé", "Interdiction d'entrée"}


@postgres_only
def test_a_search_with_only_stop_words_finds_nothing_and_fails_not(library):
    assert found("le la de") == set()


@postgres_only
def test_the_search_uses_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'decision_search'")
        [(definition,)] = cursor.fetchall()
    assert "gin (search_vector)" in definition


def test_without_postgresql_the_words_are_looked_up_as_typed(library, monkeypatch):
    monkeypatch.setattr(decision_search, "full_text", lambda: False)
    assert found("famille") == {"Détention d'une famille avec enfants"}
    assert found("UITZETTING") == {"Interdiction d'entrée"}
    assert found("Afzondering") == {"Isolement prolongé"}
    assert found("nothing like this") == set()


def test_the_list_searches_in_both_languages(client, visitor_a, library):
    sign_in(client, visitor_a)
    page = client.get(reverse("legal:decision-list"), {"q": "inreisverbod"})
    assert [d.title_fr for d in page.context["decisions"]] == ["Interdiction d'entrée"]
    page = client.get(reverse("legal:decision-list"), {"q": "isolement"})
    assert [d.title_fr for d in page.context["decisions"]] == ["Isolement prolongé"]


def test_a_search_finds_no_draft_for_a_visitor(client, visitor_a, legal):
    decision(title_fr="Brouillon sur la détention", status=Decision.Status.DRAFT)
    sign_in(client, visitor_a)
    page = client.get(reverse("legal:decision-list"), {"q": "détention"})
    assert list(page.context["decisions"]) == []
    assert "No decision matches" in page.content.decode()
    client.logout()
    sign_in(client, legal)
    page = client.get(reverse("legal:decision-list"), {"q": "détention"})
    assert len(page.context["decisions"]) == 1
