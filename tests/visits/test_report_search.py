"""Searching the report list: full text in French and Dutch on PostgreSQL, the words as
typed elsewhere; and the copies of the visit's day and centre that the list sorts on."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from move.accounts import permissions
from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import search
from visits.forms import ReportFilterForm
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

LIST = reverse("visits:report-list")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="full-text search needs PostgreSQL (set DATABASE_URL); SQLite searches words as typed",
)


@pytest.fixture
def theme():
    return Theme.objects.create(code="medical-care", name_fr="Soins", name_nl="Zorg")


def write(author, *, language, text="", observations=(), day=date(2022, 5, 2), centre=None):
    visit = Visit.objects.create(centre=centre or CentreFactory(), date=day, status="done")
    report = VisitReport.objects.create(
        visit=visit,
        organisation=author.memberships.get().organisation,
        language=language,
        status="submitted",
        general_conditions=text,
    )
    report.authors.add(author)
    theme, _created = Theme.objects.get_or_create(
        code="other", defaults={"name_fr": "Autre", "name_nl": "Andere"}
    )
    for position, words in enumerate(observations):
        Observation.objects.create(
            report=report, theme=theme, centre=visit.centre, text=words, position=position
        )
    return report


def found(client, **filters):
    return {str(report.code) for report in client.get(LIST, filters).context["reports"]}


@pytest.fixture
def reports(visitor_a):
    return {
        "fr": write(visitor_a, language="fr", observations=["Soins médicaux refusés."]),
        "nl": write(visitor_a, language="nl", text="De advocaten kwamen niet langs."),
        "other": write(visitor_a, language="fr", text="Rien à signaler ce jour-là."),
    }


@postgresql_only
def test_a_french_word_finds_the_french_report_in_another_form(client, coordinator, reports):
    sign_in(client, coordinator)

    assert found(client, q="médical") == {str(reports["fr"].code)}
    assert found(client, q="MÉDICALE") == {str(reports["fr"].code)}


@postgresql_only
def test_a_dutch_word_finds_the_dutch_report_in_another_form(client, coordinator, reports):
    # Dutch stemming: "advocaat" and "advocaten" share a stem; "arts" and "artsen" do not.
    sign_in(client, coordinator)

    assert found(client, q="advocaat") == {str(reports["nl"].code)}


@postgresql_only
def test_words_in_no_report_find_nothing(client, coordinator, reports):
    sign_in(client, coordinator)

    assert found(client, q="hongerstaking") == set()


@postgresql_only
def test_words_are_read_as_a_web_search_engine_reads_them(client, coordinator, visitor_a):
    doctor = write(visitor_a, language="fr", text="Un médecin est passé.")
    both = write(visitor_a, language="fr", text="Ni médecin ni avocats.")
    apart = write(visitor_a, language="fr", text="Un médecin, mais ni juriste ni avocats.")
    sign_in(client, coordinator)

    assert found(client, q="médecins -avocat") == {str(doctor.code)}
    assert found(client, q='"médecin ni avocats"') == {str(both.code)}
    assert found(client, q="médecin or juriste") == {
        str(report.code) for report in (doctor, both, apart)
    }


@postgresql_only
def test_the_search_keeps_the_other_filters_and_the_visibility(
    client, coordinator, partner, partner_org, visitor_a
):
    centre = CentreFactory()
    wanted = write(visitor_a, language="fr", text="Un médecin absent.", centre=centre)
    elsewhere = write(visitor_a, language="fr", text="Médecin absent aussi.")
    earlier = write(visitor_a, language="fr", text="Médecins.", centre=centre, day=date(2021, 1, 4))
    sign_in(client, coordinator)

    assert found(client, q="médecin", centre=centre.pk) == {
        str(wanted.code),
        str(earlier.code),
    }
    assert found(client, q="médecin", centre=centre.pk, date_from="2022-01-01") == {
        str(wanted.code)
    }
    permissions.share(elsewhere, partner_org, "view_visitreport")
    VisitReport.objects.filter(pk=elsewhere.pk).update(status="shared")
    sign_in(client, partner)
    assert found(client, q="médecin") == {str(elsewhere.code)}


@postgresql_only
def test_the_words_follow_the_observations_as_they_are_written(client, coordinator, reports):
    report = reports["other"]
    sign_in(client, coordinator)

    added = Observation.objects.create(
        report=report, theme=Theme.objects.get(code="other"), centre=report.centre, text="Grève"
    )
    assert str(report.code) in found(client, q="grève")
    added.text = "Une cellule d'isolement."
    added.save(update_fields=["text"])
    assert str(report.code) not in found(client, q="grève")
    assert str(report.code) in found(client, q="isolé")
    added.delete()
    assert str(report.code) not in found(client, q="isolé")
    report.atmosphere = "Isolement prolongé."
    report.save(update_fields=["atmosphere", "updated_at"])
    assert str(report.code) in found(client, q="isolé")


@postgresql_only
def test_a_change_of_language_restems_the_report(client, coordinator, reports):
    report = reports["nl"]
    sign_in(client, coordinator)

    report.language = "fr"
    report.save(update_fields=["language"])

    assert search_vector(report) == search_vector_as(report, "french")


@postgresql_only
def test_the_search_can_use_the_gin_index(reports, coordinator):
    form = ReportFilterForm({"q": "médical"})
    reports = form.apply(VisitReport.objects.visible_to(coordinator)).order_by()
    sql, params = reports.query.sql_with_params()
    with connection.cursor() as cursor:
        # Only a bitmap scan is left to the planner: the GIN index, if it can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "report_search" in plan


@postgresql_only
def test_the_migration_fills_the_vectors_as_the_application_does(reports):
    from importlib import import_module

    migration = import_module("visits.migrations.0006_report_list_and_search")
    expected = {report.pk: search_vector(report) for report in reports.values()}
    VisitReport.objects.update(search_vector=None)

    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_SEARCH_VECTORS)

    assert {report.pk: search_vector(report) for report in reports.values()} == expected


def test_without_full_text_search_the_words_are_found_as_typed(
    client, coordinator, reports, monkeypatch
):
    monkeypatch.setattr(search, "full_text", lambda: False)
    sign_in(client, coordinator)

    assert found(client, q="médicaux") == {str(reports["fr"].code)}
    assert found(client, q="ADVOCATEN") == {str(reports["nl"].code)}
    assert found(client, q="médical") == set()  # no stemming without PostgreSQL


@pytest.mark.parametrize("persona", ["coordinator", "partner"])
def test_searching_and_filtering_cost_the_same_few_queries_whatever_the_rows(
    client, request, visitor_a, partner_org, theme, persona, django_assert_max_num_queries
):
    centre = CentreFactory()

    def grow(count):
        for n in range(count):
            report = write(
                visitor_a,
                language="fr",
                text="Consultation médicale refusée.",
                observations=["Soins médicaux."],
                day=date(2022, 2, 1) + timedelta(days=n),
                centre=centre,
            )
            Observation.objects.filter(report=report).update(theme=theme)
            permissions.share(report, partner_org, "view_visitreport")
            VisitReport.objects.filter(pk=report.pk).update(status="shared")

    sign_in(client, request.getfixturevalue(persona))
    client.get("/")
    filters = {
        "q": "médicale",
        "centre": centre.pk,
        "theme": theme.pk,
        "status": "shared",
        "date_from": "2022-01-01",
        "date_to": "2022-12-31",
        "organisation": visitor_a.memberships.get().organisation_id,
    }
    grow(1)
    client.get(LIST, filters)  # the centres, themes and organisations: read once, then kept
    with django_assert_max_num_queries(8) as few:
        assert len(client.get(LIST, filters).context["reports"]) == 1
    grow(60)
    with django_assert_max_num_queries(8) as many:
        response = client.get(LIST, filters)
    assert len(response.context["reports"]) == 50
    assert response.context["following"]
    assert len(many) == len(few)


def test_a_report_copies_the_day_and_centre_of_its_visit(visitor_a):
    report = write(visitor_a, language="fr", day=date(2022, 3, 7))
    stored = VisitReport.objects.get(pk=report.pk)
    assert (stored.visit_date, stored.centre_id) == (date(2022, 3, 7), report.visit.centre_id)

    visit = report.visit
    visit.date, visit.centre = date(2022, 3, 8), CentreFactory()
    visit.save()
    stored = VisitReport.objects.get(pk=report.pk)
    assert (stored.visit_date, stored.centre_id) == (date(2022, 3, 8), visit.centre_id)

    other = Visit.objects.create(centre=CentreFactory(), date=date(2022, 4, 1), status="done")
    report.visit = other
    report.save(update_fields=["visit"])
    stored = VisitReport.objects.get(pk=report.pk)
    assert (stored.visit_date, stored.centre_id) == (date(2022, 4, 1), other.centre_id)


def test_the_list_sorts_and_filters_on_the_copied_day_and_centre(client, coordinator, visitor_a):
    centre = CentreFactory()
    older = write(visitor_a, language="nl", day=date(2022, 1, 3), centre=centre)
    newer = write(visitor_a, language="nl", day=date(2022, 1, 2))
    newer.visit.date = date(2022, 1, 9)
    newer.visit.save()
    sign_in(client, coordinator)

    codes = [str(report.code) for report in client.get(LIST).context["reports"]]
    assert codes == [str(newer.code), str(older.code)]
    assert found(client, centre=centre.pk) == {str(older.code)}
    assert found(client, date_to="2022-01-05") == {str(older.code)}


def test_a_report_of_an_organisation_outside_the_filter_choices_is_listed(
    client, coordinator, visitor_a, partner_org
):
    report = write(visitor_a, language="nl", text="Rustig.")
    VisitReport.objects.filter(pk=report.pk).update(organisation=partner_org)
    sign_in(client, coordinator)

    html = client.get(LIST).content.decode()

    assert str(report.code) in html and partner_org.short_name in html


@postgresql_only
def test_the_demo_reports_are_found_by_the_words_of_their_observations(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    # Of the demo phrases, only observations speak of a doctor.
    in_observations = VisitReport.objects.filter(observations__text__contains="médecin")

    found = search.matching(VisitReport.objects.all(), "médecins")

    assert in_observations.exists()
    assert set(in_observations.values_list("pk", flat=True)) <= set(
        found.values_list("pk", flat=True)
    )


def search_vector(report) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM visits_visitreport WHERE id = %s", [report.pk]
        )
        return cursor.fetchone()[0]


def search_vector_as(report, config) -> str:
    observations = " ".join(report.observations.values_list("text", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector(%s::regconfig, %s)::text",
            [config, f"{report.general_conditions} {report.atmosphere} {observations}"],
        )
        return cursor.fetchone()[0]
