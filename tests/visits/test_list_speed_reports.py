"""The report list at speed (DESIGN §9: a list within twice a bare page): its filters
written out in Python, the same HTML as the template they replace; the centres, themes
and organisations kept per process and language (visits/listing.py), read again at once
when one of them changes; the rows read in one query that joins nothing."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from move.accounts.models import Membership
from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import listing
from visits.forms import ReportFilterForm
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

LIST = reverse("visits:report-list")
XSS = '<script>alert("x")</script>&\''

# templates/visits/report_filters.html, the filters' template before report_filters.
FORMER_FILTERS = """{% load i18n visits_listing %}{% with f=form %}
<div><label for="id_q">{{ f.q.label }}:</label><input type="search" name="q" id="id_q" maxlength="200" value="{{ f.q.value|default_if_none:'' }}"{% if f.q.errors %} aria-invalid="true" aria-describedby="id_q_error"{% endif %}>{% if f.q.errors %}<ul class="errorlist" id="id_q_error">{% for e in f.q.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}</div>
{% for field, choices in select_fields %}
<div><label for="{{ field.auto_id }}">{{ field.label }}:</label><select name="{{ field.html_name }}" id="{{ field.auto_id }}"{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.auto_id }}_error"{% endif %}>{% select_options field choices %}</select>{% if field.errors %}<ul class="errorlist" id="{{ field.auto_id }}_error">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}</div>
{% endfor %}
{% for field in date_fields %}
<div><label for="{{ field.auto_id }}">{{ field.label }}:</label><input type="date" name="{{ field.html_name }}" id="{{ field.auto_id }}" value="{{ field.value|default_if_none:''|stringformat:'s' }}"{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.auto_id }}_error"{% endif %}>{% if field.errors %}<ul class="errorlist" id="{{ field.auto_id }}_error">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}</div>
{% endfor %}
<div><input type="checkbox" name="raise_only" id="id_raise_only"{% if f.raise_only.value %} checked{% endif %}> <label for="id_raise_only">{{ f.raise_only.label }}</label></div>
{% endwith %}
"""  # noqa: E501


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def former_filters(form) -> str:
    form.is_valid()
    return render(
        FORMER_FILTERS,
        form=form,
        select_fields=[
            (form[name], list(form.fields[name].choices)) for name in form.select_names()
        ],
        date_fields=[form["date_from"], form["date_to"]],
    )


def report(organisation, centre, day=date(2023, 1, 9), status="submitted", theme=None):
    visit = Visit.objects.create(centre=centre, date=day, status="done")
    made = VisitReport.objects.create(
        visit=visit,
        organisation=organisation,
        language="fr",
        status=status,
        general_conditions="Soins médicaux refusés.",
    )
    if theme is not None:
        Observation.objects.create(report=made, theme=theme, centre=centre, text="t", position=0)
    return made


@pytest.fixture
def theme():
    return Theme.objects.create(code="speed", name_fr="Santé", name_nl="Gezondheid")


@pytest.fixture
def centre():
    return CentreFactory(name_fr="Vottem", name_nl="Vottem NL", name_en="Vottem EN")


# The filters, written out ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        None,
        {},
        {"q": 'soins "médicaux"', "status": "shared", "raise_only": "on"},
        {"centre": "nope<", "status": 'x"', "date_from": "2023-13-01", "theme": "0"},
        {"date_from": "2023-01-01", "date_to": "2023-12-31", "q": "x" * 201},
    ],
)
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_filters_are_the_html_the_template_wrote(coordinator, centre, theme, query, language):
    CentreFactory(name_fr=XSS, name_nl=XSS, name_en=XSS)
    Theme.objects.create(code="xss", name_fr=XSS, name_nl=XSS, name_en=XSS)
    if query is not None and "centre" not in query:
        query = {**query, "centre": str(centre.pk), "theme": str(theme.pk)}
    with translation.override(language):
        form = ReportFilterForm(query, user=coordinator)
        now = render("{% load visits_listing %}{% report_filters form %}", form=form)
        assert now == former_filters(ReportFilterForm(query, user=coordinator))
    assert "<script>" not in now and "&lt;script&gt;" in now
    if query and query.get("centre") == str(centre.pk):
        assert f'<option value="{centre.pk}" selected>' in now


def test_a_partner_is_offered_neither_the_organisations_nor_the_statuses(partner, centre):
    form = ReportFilterForm({"centre": str(centre.pk)}, user=partner)
    now = render("{% load visits_listing %}{% report_filters form %}", form=form)
    assert now == former_filters(ReportFilterForm({"centre": str(centre.pk)}, user=partner))
    assert 'name="organisation"' not in now and 'name="status"' not in now
    assert 'name="centre"' in now


def test_a_bad_choice_is_refused_with_the_message_of_a_model_choice(coordinator):
    form = ReportFilterForm({"centre": "999999"}, user=coordinator)
    assert not form.is_valid()
    assert form.errors["centre"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


# The reference rows: kept, and read again at once when they change ------------------------


def page(client, language="en", **query):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(LIST, query).content.decode()


def test_a_renamed_centre_shows_at_once(client, coordinator, centre):
    report(coordinator.memberships.get().organisation, centre)
    sign_in(client, coordinator)
    assert "Vottem EN, 9 Jan 2023</a>" in page(client)
    centre.name_en = "Vottem renamed"
    centre.save()
    listed = page(client)
    assert "Vottem renamed, 9 Jan 2023</a>" in listed
    assert f'<option value="{centre.pk}">Vottem renamed</option>' in listed


def test_the_names_follow_the_language(client, coordinator, centre, theme):
    report(coordinator.memberships.get().organisation, centre)
    sign_in(client, coordinator)
    french, dutch = page(client, "fr"), page(client, "nl")
    assert ">Santé</option>" in french and ">Gezondheid</option>" not in french
    assert ">Vottem, 9 " in french
    assert ">Gezondheid</option>" in dutch and ">Vottem NL, 9 " in dutch
    assert ">Gezondheid</option>" not in page(client, "fr")


def test_a_theme_added_or_switched_off_shows_at_once(client, coordinator, theme):
    sign_in(client, coordinator)
    assert ">Santé</option>" in page(client)
    added = Theme.objects.create(code="added", name_fr="Nouveau thème", name_nl="Nieuw")
    assert ">Nouveau thème</option>" in page(client)
    added.active = False
    added.save()
    listed = page(client)
    assert ">Nouveau thème</option>" not in listed and ">Santé</option>" in listed
    theme.delete()
    assert ">Santé</option>" not in page(client)


def test_an_organisation_renamed_shows_at_once_in_the_rows_and_the_filter(
    client, coordinator, centre
):
    organisation = coordinator.memberships.get().organisation
    report(organisation, centre)
    sign_in(client, coordinator)
    assert f'<td data-label="Organisation">{organisation.short_name}</td>' in page(client)
    organisation.short_name, organisation.name_en = "Renamed", "Renamed organisation"
    organisation.save()
    listed = page(client)
    assert '<td data-label="Organisation">Renamed</td>' in listed
    assert f'<option value="{organisation.pk}">Renamed organisation</option>' in listed


def test_a_removed_membership_takes_effect_at_once(client, coordinator, centre):
    report(coordinator.memberships.get().organisation, centre)
    sign_in(client, coordinator)
    assert client.get(LIST).status_code == 200
    Membership.objects.filter(user=coordinator).delete()
    assert client.get(LIST).status_code == 403


def test_a_change_saved_by_another_process_is_read_again(coordinator, centre):
    """Another process's save replaces the version in the shared cache: this process's
    rows, kept under the former version, are read again."""
    with translation.override("fr"):
        ReportFilterForm({}, user=coordinator)  # read and kept
        with CaptureQueriesContext(connection) as kept:
            ReportFilterForm({}, user=coordinator)
        cache.set(listing.VERSION_KEY, "saved elsewhere", None)
        with CaptureQueriesContext(connection) as read_again:
            ReportFilterForm({}, user=coordinator)
    assert len(kept) == 0
    assert tables(read_again) == [
        '"centres_centre"',
        '"visits_theme"',
        '"accounts_organisation"',
    ]


def test_a_change_is_announced_again_once_committed(centre, django_capture_on_commit_callbacks):
    """A process that read the rows between the save and its commit kept the former
    ones under the version of the save: the commit replaces it again."""
    listing.reference()
    with django_capture_on_commit_callbacks(execute=True):
        centre.save()
        saved = cache.get(listing.VERSION_KEY)
    assert cache.get(listing.VERSION_KEY) not in (None, saved)


def test_a_change_that_sends_no_signal_shows_after_the_longest_wait(
    coordinator, centre, monkeypatch
):
    with translation.override("fr"):
        assert str(centre) in dict(listing.reference().choices["centre"]).values()
        Centre = type(centre)
        Centre.objects.filter(pk=centre.pk).update(name_fr="Changé sans signal")
        assert "Changé sans signal" not in dict(listing.reference().choices["centre"]).values()
        later = listing.time.monotonic() + listing.LONGEST_SECONDS + 1
        monkeypatch.setattr(listing.time, "monotonic", lambda: later)
        assert "Changé sans signal" in dict(listing.reference().choices["centre"]).values()


# Queries --------------------------------------------------------------------------------


def tables(queries) -> list[str]:
    """The table each query reads (its outermost FROM)."""
    found = []
    for query in queries:
        sql, nested = query["sql"], None
        while nested != sql:  # subqueries and calls out, innermost first
            nested, sql = sql, re.sub(r"\([^()]*\)", "", sql)
        found.append(sql.split(" FROM ", 1)[1].split()[0])
    return found


@pytest.mark.parametrize("persona", ["coordinator", "partner"])
def test_a_page_reads_its_rows_in_one_query_and_the_reference_rows_once(
    client, request, persona, centre, theme, org_a, partner_org, django_assert_max_num_queries
):
    from move.accounts import permissions

    for day in range(1, 8):
        made = report(org_a, centre, day=date(2023, 1, day), status="shared", theme=theme)
        permissions.share(made, partner_org, "view_visitreport")
    user = request.getfixturevalue(persona)
    sign_in(client, user)
    client.get(reverse("home"))
    filters = {"centre": centre.pk, "theme": theme.pk, "q": "médicaux", "date_from": "2023-01-01"}
    with CaptureQueriesContext(connection) as first:
        client.get(LIST, filters)
    with django_assert_max_num_queries(4) as warm:  # the session, the user, its memberships
        response = client.get(LIST, filters)
    assert len(response.context["reports"]) == 7
    assert tables(warm).count('"visits_visitreport"') == 1
    assert not {'"centres_centre"', '"visits_theme"', '"visits_observation"'} & set(tables(warm))
    # The centres, the themes, the organisations; for a partner, the shares counted too
    # (which form its list asks for its shares in: permissions._shared_report).
    assert len(first) == len(warm) + (4 if persona == "partner" else 3)


def test_the_rows_count_their_observations_and_name_their_visit(coordinator, centre, theme):
    organisation = coordinator.memberships.get().organisation
    made = report(organisation, centre, theme=theme)
    Observation.objects.create(report=made, theme=theme, centre=centre, text="u", position=1)
    form = ReportFilterForm({}, user=coordinator)
    (row,) = listing.report_page(coordinator, form, None).reports
    assert (row.code, row.observation_count, row.organisation) == (made.code, 2, organisation)
    with CaptureQueriesContext(connection) as asked:
        assert (row.visit.date, row.visit.centre, row.visit.pk) == (
            date(2023, 1, 9),
            centre,
            made.visit_id,
        )
    assert len(asked) == 0
    assert row.get_status_display() == "Submitted" and row.get_language_display() == "Français"


def test_the_version_is_read_once_a_request_and_again_after_a_change(centre, monkeypatch):
    """(The receiver of request_started and request_finished is called by hand: the
    signal would also close the test's connection.)"""
    reads = []
    read = cache.get
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: reads.append(args) or read(*args))
    listing._request_edge(sender=None, environ={})  # a request starts
    listing.reference(), listing.reference()
    assert len(reads) == 1
    centre.name_en = "Renamed within the request"
    centre.save()
    with translation.override("en"):
        assert "Renamed within the request" in dict(listing.reference().choices["centre"]).values()
    assert len(reads) == 2
    listing._request_edge(sender=None)  # it is over
    listing.reference(), listing.reference()  # outside a request: each time
    assert len(reads) == 4


def test_the_filters_still_render_as_django_widgets(coordinator, centre):
    form = ReportFilterForm({"centre": str(centre.pk), "status": "shared"}, user=coordinator)
    with translation.override("en"):
        select, status = str(form["centre"]), str(form["status"])
    assert f'<option value="{centre.pk}" selected>Vottem EN</option>' in select
    assert '<option value="shared" selected>Shared with partners</option>' in status
    assert form.is_valid() and form.cleaned_data["centre"] == centre
