"""The case-file list at speed (DESIGN §9): the filters' options written once with the
reference rows (visits/listing.py) and read again at once when a centre changes; the page
read by detainees/listing.py in one query whose rows are the view's, shown the same."""

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from detainees import listing
from detainees.models import Accompaniment, Person
from detainees.views import PersonList
from move.accounts import permissions
from move.centres.models import Centre
from tests.conftest import sign_in
from tests.detainees.conftest import held_since, new_person, spell
from tests.factories import CentreFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db

LIST = reverse("detainees:person-list")
XSS = '<script>alert("x")</script>&\''

# The options of templates/detainees/person_list.html before centre_options and
# status_options (the view gave `centres`, `statuses`, `centre` and `status`).
FORMER_OPTIONS = """{% load i18n %}<option value="">{% translate "All" %}</option>{% for value, label in statuses %}<option value="{{ value }}"{% if value == status %} selected{% endif %}>{{ label }}</option>{% endfor %}|<option value="">{% translate "All" %}</option>{% for pk, name in centres %}<option value="{{ pk }}"{% if pk == centre %} selected{% endif %}>{{ name }}</option>{% endfor %}"""  # noqa: E501
NEW_OPTIONS = "{% load detainees_listing %}{% status_options status %}|{% centre_options centre %}"


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def view_context(user, query=None, language="en"):
    """What PersonList gives its template."""
    request = RequestFactory().get(LIST, query or {})
    request.user = user
    view = PersonList()
    view.setup(request)
    with translation.override(language):
        return view.get_context_data()


@pytest.fixture
def centres():
    made = [
        CentreFactory(name_fr="Vottem", name_nl="Vottem", name_en="Vottem"),
        CentreFactory(name_fr=XSS + "fr", name_nl=XSS + "nl", name_en=""),  # no English name
        CentreFactory(name_fr="Fermé", name_nl="Gesloten", name_en="Closed", active=False),
    ]
    return made


@pytest.fixture
def people(visitor_a, org_a, centres):
    made = [
        new_person(visitor_a, org_a, centres[0], name=None, birth_year=1990, nationality="MA"),
        new_person(visitor_a, org_a, centres[1], name=None, sex="f", status="detained"),
        new_person(visitor_a, org_a, None, name=None, nationality="AF"),
    ]
    for days, person in [(3, made[0]), (5, made[0]), (4, made[1])]:
        visit = Visit.objects.create(centre=centres[0], date=held_since(days), status="done")
        Accompaniment.objects.create(person=person, visit=visit, met_by=visitor_a)
    return made


# The filters' options ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(
    "query", [{}, {"status": "released"}, {"status": "nope", "centre": "999"}, {"centre": "c0"}]
)
def test_the_options_are_the_html_the_template_wrote(visitor_a, centres, language, query):
    if query.get("centre") == "c0":
        query = {"centre": str(centres[1].pk)}
    chosen = {"status": query.get("status", ""), "centre": listing.positive(query.get("centre"))}
    with translation.override(language):
        former = render(
            FORMER_OPTIONS,
            statuses=Person.Status.choices,
            centres=Centre.objects.filter(active=True).values_list("pk", "name"),
            **chosen,
        )
        now = render(NEW_OPTIONS, **chosen)
    assert now == former
    assert "<script>" not in now and ">Closed<" not in now and ">Fermé<" not in now
    if "centre" in query and query["centre"] != "999":
        assert f'<option value="{centres[1].pk}" selected>' in now


def test_a_centre_renamed_or_closed_shows_at_once(client, visitor_a, centres):
    sign_in(client, visitor_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert ">Vottem</option>" in client.get(LIST).content.decode()
    centres[0].name_en = "Vottem renamed"
    centres[0].save()
    assert ">Vottem renamed</option>" in client.get(LIST).content.decode()
    centres[0].active = False
    centres[0].save()
    assert ">Vottem renamed</option>" not in client.get(LIST).content.decode()
    centres[2].active = True
    centres[2].save()
    assert ">Closed</option>" in client.get(LIST).content.decode()


def test_the_page_reads_no_centre_for_its_options(
    client, visitor_a, people, django_assert_max_num_queries
):
    sign_in(client, visitor_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as read:
        client.get(LIST)
    # Only the rows' own centres (the view's in_bulk), not the list of centres offered.
    centres = [query["sql"] for query in read if 'FROM "centres_centre"' in query["sql"]]
    assert all('"centres_centre"."id" IN' in sql for sql in centres)
    assert not [sql for sql in centres if 'WHERE "centres_centre"."active"' in sql]


# The page read by detainees/listing.py ------------------------------------------------------


def shown(rows) -> list[tuple]:
    return [
        (
            row.pk,
            row.code,
            str(row.key),
            str(row.status_label),
            str(row.sex_label),
            row.birth_year,
            str(row.nationality_label),
            row.current_centre and row.current_centre.pk,
            row.last_met,
            row.organisation.short_name,
        )
        for row in rows
    ]


@pytest.mark.parametrize("persona", ["visitor_a", "coordinator", "visitor_b", "partner"])
@pytest.mark.parametrize(
    "query",
    [{}, {"status": "detained"}, {"centre": "c0"}, {"code": "P-"}, {"after": "p1"}, {"code": "x"}],
)
def test_the_page_is_the_views_page(request, people, centres, persona, query, org_b, visitor_b):
    other = new_person(visitor_b, org_b, centres[0], name=None, birth_year=1970)
    permissions.share(other, people[0].organisation, "view_person")
    if "centre" in query:
        query = {"centre": str(centres[0].pk)}
    if "after" in query:
        query = {"after": str(people[1].pk)}
    user = request.getfixturevalue(persona)
    context = view_context(user, query)
    page = listing.person_page(user, query)
    assert shown(page.rows) == shown(context["people"])
    assert (page.code, page.status, page.centre) == (
        context["code"],
        context["status"],
        context["centre"],
    )


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_its_rows_are_shown_as_the_views_are(visitor_a, people, language):
    context = view_context(visitor_a, {}, language)
    with translation.override(language):
        rows = listing.person_page(visitor_a, {}).rows
        template = "{% load detainees_listing %}{% person_rows people %}"
        assert render(template, people=rows) == render(template, people=context["people"])
    assert "&lt;script&gt;" in render(template, people=rows)


def test_it_pages_by_the_last_row_seen(visitor_a, org_a):
    made = [new_person(visitor_a, org_a, None, name=None) for _number in range(53)]
    first = listing.person_page(visitor_a, {})
    assert [row.pk for row in first.rows] == [person.pk for person in reversed(made)][:50]
    assert first.following == made[3].pk
    second = listing.person_page(visitor_a, {"after": str(first.following)})
    assert [row.pk for row in second.rows] == [person.pk for person in made[2::-1]]
    assert second.following is None


def test_a_row_is_held_where_its_open_spell_is_and_met_at_its_latest_visit(
    visitor_a, org_a, centres
):
    person = new_person(visitor_a, org_a, centres[0], name=None, since=60)
    person.spells.update(end=held_since(20))
    spell(person, centres[1], held_since(20))
    for day in [date(2024, 5, 1), date(2024, 3, 1)]:  # the earlier visit written up later
        visit = Visit.objects.create(centre=centres[0], date=day, status="done")
        Accompaniment.objects.create(person=person, visit=visit, met_by=visitor_a)
    (row,) = listing.person_page(visitor_a, {}).rows
    assert row.current_centre == centres[1] and row.last_met == date(2024, 5, 1)


def test_the_page_is_one_query_once_the_reference_rows_are_kept(visitor_a, people):
    permissions.memberships_of(visitor_a)
    listing.person_page(visitor_a, {})
    with CaptureQueriesContext(connection) as read:
        page = listing.person_page(visitor_a, {"status": "detained", "code": people[1].code})
    assert [row.pk for row in page.rows] == [people[1].pk] and len(read) == 1
    assert Person.objects.visible_to(visitor_a).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="The trigram index is PostgreSQL's.")
@pytest.mark.parametrize("sparse", [True, False])
def test_a_rare_part_of_a_code_is_read_from_the_trigram_index(
    monkeypatch, visitor_a, org_a, org_b, visitor_b, sparse
):
    """Whichever way the rows are found (sorted from the index, or the newest read first),
    the page is the same: the visible case files whose code holds the part, newest first."""
    made = [new_person(visitor_a, org_a, None, name=None) for _number in range(4)]
    made.append(new_person(visitor_b, org_b, None, name=None))  # not visible to visitor_a
    part = made[1].code[-5:]  # "-0002": the second file's alone (codes P-YYYY-NNNN)
    monkeypatch.setattr(listing, "SPARSE_MATCHES", 1_000_000 if sparse else 0)
    assert listing._sparse(part) is sparse
    with CaptureQueriesContext(connection) as read:
        page = listing.person_page(visitor_a, {"code": part})
    assert [row.pk for row in page.rows] == [made[1].pk]
    (main,) = [q["sql"] for q in read.captured_queries if "LIMIT 51" in q["sql"]]
    assert ('("detainees_person"."id" + 0) DESC' in main) is sparse
    # A part of every code: every visible file, newest first, on either path.
    assert [row.pk for row in listing.person_page(visitor_a, {"code": "P-"}).rows] == [
        person.pk for person in reversed(made[:4])
    ]


def test_a_part_too_short_for_the_trigram_index_reads_the_newest_first(visitor_a):
    with CaptureQueriesContext(connection) as read:
        assert listing._sparse("42") is False
    assert len(read) == 0
