"""The report list's rows and filter options, written out in Python (visits_listing):
the same HTML as the template loops they replace, escaped, at a cost that does not
grow with template work per row (DESIGN §9)."""

from datetime import date

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from move.accounts.models import Organisation
from tests.conftest import sign_in
from tests.factories import CentreFactory
from tests.url_counter import count_reversals
from visits import listing
from visits.forms import ReportFilterForm
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

LIST = reverse("visits:report-list")
XSS = '<script>alert("x")</script>&\''

# The loop of templates/visits/report_list.html before the rows moved to Python.
FORMER_ROWS = """{% load i18n %}{% translate "Visit" as visit_label %}{% translate "Organisation" as organisation_label %}{% translate "Language" as language_label %}{% translate "Status" as status_label %}{% translate "Observations" as observations_label %}{% for report in reports %}
    <tr>
      <td data-label="{{ visit_label }}"><a href="{% url 'visits:report-detail' report.code %}">{{ report.visit.centre.name }}, {{ report.visit.date|date:"j M Y" }}</a></td>
      <td data-label="{{ organisation_label }}">{{ report.organisation.short_name }}</td>
      <td data-label="{{ language_label }}">{{ report.get_language_display }}</td>
      <td data-label="{{ status_label }}">{{ report.get_status_display }}</td>
      <td data-label="{{ observations_label }}">{{ report.observation_count }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501

FORMER_OPTIONS = """{% for field, choices in select_fields %}{% with chosen=field.value|default_if_none:""|stringformat:"s" %}{% for value, label in choices %}<option value="{{ value }}"{% if value|stringformat:"s" == chosen %} selected{% endif %}>{{ label }}</option>{% endfor %}{% endwith %}|{% endfor %}"""  # noqa: E501

NEW_OPTIONS = """{% load visits_listing %}{% for field, choices in select_fields %}{% select_options field choices %}|{% endfor %}"""  # noqa: E501


def render(source, **context):
    return engines["django"].from_string(source).render(context)


@pytest.fixture
def reports(coordinator):
    organisation = coordinator.memberships.get().organisation
    Organisation.objects.filter(pk=organisation.pk).update(short_name=XSS)
    theme = Theme.objects.create(code="xss", name_fr=XSS, name_nl=XSS)
    made = []
    for number, (language, status) in enumerate(
        [("fr", "submitted"), ("nl", "shared"), ("fr", "submitted")]
    ):
        centre = CentreFactory(name_fr=XSS + "fr", name_nl=XSS + "nl", name_en=XSS + "en")
        visit = Visit.objects.create(centre=centre, date=date(2023, 1, 9 + number), status="done")
        report = VisitReport.objects.create(
            visit=visit, organisation=organisation, language=language, status=status
        )
        for position in range(number):
            Observation.objects.create(
                report=report, theme=theme, centre=centre, text="t", position=position
            )
        made.append(report)
    return made


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_rows_are_the_html_the_template_wrote_escaped(coordinator, reports, language):
    with translation.override(language):
        form = ReportFilterForm({}, user=coordinator)
        rows = listing.report_page(coordinator, form, None).reports
        former = render(FORMER_ROWS, reports=rows)
        now = render("{% load visits_listing %}{% report_rows reports %}", reports=rows)
    assert now == former
    assert len(rows) == 3 and "<script>" not in now and "&lt;script&gt;" in now
    for report in reports:
        assert reverse("visits:report-detail", args=[report.code]) in now


@pytest.mark.parametrize(
    "query",
    [{}, {"status": "shared"}, {"centre": "nope<", "status": 'x"'}, {"theme": "1"}],
)
def test_the_filter_options_are_the_html_the_template_wrote(coordinator, reports, query):
    form = ReportFilterForm(query, user=coordinator)
    form.is_valid()
    select_fields = [(form[name], list(form.fields[name].choices)) for name in form.select_names()]
    now = render(NEW_OPTIONS, select_fields=select_fields)
    assert now == render(FORMER_OPTIONS, select_fields=select_fields)
    assert "<script>" not in now
    if query.get("status") == "shared":
        assert '<option value="shared" selected>' in now


def test_the_page_reverses_no_address_per_row(client, coordinator, reports):
    sign_in(client, coordinator)
    client.get(LIST)
    with count_reversals() as few:
        assert client.get(LIST).status_code == 200
    for report in reports[:2]:  # more rows
        clone = VisitReport.objects.get(pk=report.pk)
        visit = Visit.objects.create(centre=clone.visit.centre, date=date(2023, 2, 1))
        VisitReport.objects.create(
            visit=visit, organisation=clone.organisation, language="fr", status="submitted"
        )
    with count_reversals() as more:
        response = client.get(LIST)
    assert len(response.context["reports"]) == 5
    assert more.count == few.count


def test_an_empty_list_renders_no_rows():
    assert render("{% load visits_listing %}[{% report_rows reports %}]", reports=[]) == "[]"
