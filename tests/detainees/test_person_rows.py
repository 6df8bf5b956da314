"""The case-file list's rows and a case file's meetings, written out in Python
(detainees_listing): the same HTML as the template loops they replace, escaped, with no
URL reversal per row (DESIGN §9)."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from detainees import listing
from detainees.models import Accompaniment
from detainees.views import PersonList
from move.accounts.models import Organisation
from tests.conftest import sign_in
from tests.detainees.conftest import held_since, new_person
from tests.factories import CentreFactory
from tests.url_counter import count_reversals
from visits.models import Theme, Visit

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>&\''
LIST = reverse("detainees:person-list")

# The loops of person_list.html and person_detail.html before they moved to Python.
FORMER_ROWS = """{% load i18n %}{% translate "Code" as l_code %}{% translate "Status" as l_status %}{% translate "Held in" as l_held %}{% translate "Sex" as l_sex %}{% translate "Year of birth" as l_year %}{% translate "Nationality" as l_nationality %}{% translate "Last met" as l_met %}{% translate "Kept by" as l_kept %}{% translate "Actions" as l_actions %}{% for person in people %}
    <tr>
      <td data-label="{{ l_code }}"><a href="{% url 'detainees:person-detail' person.key %}">{{ person.code }}</a></td>
      <td data-label="{{ l_status }}">{{ person.status_label }}</td>
      <td data-label="{{ l_held }}">{% if person.current_centre %}{{ person.current_centre.name }}{% else %}—{% endif %}</td>
      <td data-label="{{ l_sex }}">{{ person.sex_label }}</td>
      <td data-label="{{ l_year }}">{{ person.birth_year|default:"—" }}</td>
      <td data-label="{{ l_nationality }}">{{ person.nationality_label|default:"—" }}</td>
      <td data-label="{{ l_met }}">{{ person.last_met|date:"j M Y"|default:"—" }}</td>
      <td data-label="{{ l_kept }}">{{ person.organisation.short_name }}</td>
      {% if visit %}<td data-label="{{ l_actions }}"><a href="{% url 'detainees:accompaniment-create' person.key %}?visit={{ visit }}">{% blocktranslate with code=person.code %}Record the meeting with {{ code }}{% endblocktranslate %}</a></td>{% endif %}
    </tr>
  {% endfor %}"""  # noqa: E501

FORMER_MEETINGS = """{% load i18n %}{% for meeting in meetings %}
<section class="panel meeting">
  <h3>{% blocktranslate with centre=meeting.visit.centre.name date=meeting.visit.date|date:"j F Y" %}{{ date }}, {{ centre }}{% endblocktranslate %}</h3>
  {% if meeting.topics.all %}<p>{% translate "Topics:" %} {% for topic in meeting.topics.all %}{{ topic.name }}{% if not forloop.last %}, {% endif %}{% endfor %}</p>{% endif %}
  {% if meeting.actions %}<p>{% translate "Actions agreed:" %} {{ meeting.actions|linebreaksbr }}</p>{% endif %}
  {% if meeting.next_step %}<p>{% translate "Next step:" %} {{ meeting.next_step }}{% if meeting.next_step_on %} ({{ meeting.next_step_on|date:"j F Y" }}){% endif %}</p>{% endif %}
</section>
{% endfor %}"""  # noqa: E501


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def squeeze(html):
    """Without the lines left blank (the former loop left one where a cell was not)."""
    return "\n".join(line for line in html.splitlines() if line.strip())


@pytest.fixture
def people(visitor_a, org_a):
    Organisation.objects.filter(pk=org_a.pk).update(short_name=XSS)
    centre = CentreFactory(name_fr=XSS + "fr", name_nl=XSS + "nl", name_en=XSS + "en")
    made = [
        new_person(visitor_a, org_a, centre, name=None, birth_year=1990, nationality="MA"),
        new_person(visitor_a, org_a, None, name=None, sex="f"),
    ]
    visit = Visit.objects.create(centre=centre, date=held_since(3), status="done")
    visit.visitors.add(visitor_a)
    Accompaniment.objects.create(person=made[0], visit=visit, met_by=visitor_a)
    return made


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize("with_visit", [False, True])
def test_the_rows_are_the_html_the_template_wrote_escaped(visitor_a, people, language, with_visit):
    query = {"visit": "6f1c1f7e-1f0a-4c55-9d3c-4e4f5a6b7c8d"} if with_visit else {}
    request = RequestFactory().get(LIST, query)
    request.user = visitor_a
    view = PersonList()
    view.setup(request)
    with translation.override(language):
        context = view.get_context_data()
        rows, visit = context["people"], context["visit"]
        former = render(FORMER_ROWS, people=rows, visit=visit)
        now = render(
            "{% load detainees_listing %}{% person_rows people visit %}", people=rows, visit=visit
        )
    assert squeeze(now) == squeeze(former)
    assert len(rows) == 2 and "<script>" not in now and "&lt;script&gt;" in now
    assert ("/meetings/new/?visit=" in now) is with_visit


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_meetings_are_the_html_the_template_wrote_escaped(visitor_a, person_a, language):
    centre = CentreFactory(name_fr=XSS, name_nl=XSS, name_en=XSS)
    theme = Theme.objects.create(code="t-x", name_fr=XSS, name_nl=XSS)
    other = Theme.objects.create(code="t-y", name_fr="Santé", name_nl="Gezondheid")
    for days, fields in [
        (8, {"actions": XSS + "\nsecond line", "next_step": XSS, "next_step_on": held_since(1)}),
        (9, {"next_step": "Call"}),
        (10, {}),
    ]:
        visit = Visit.objects.create(centre=centre, date=held_since(days), status="done")
        meeting = Accompaniment.objects.create(
            person=person_a, visit=visit, met_by=visitor_a, **fields
        )
        if days != 10:
            meeting.topics.add(theme, other)
    meetings = list(
        person_a.accompaniments.select_related("visit__centre").order_by("-visit__date")
    )
    with translation.override(language):
        former = render(FORMER_MEETINGS, meetings=meetings)
        now = render(
            "{% load detainees_listing %}{% person_meetings meetings %}",
            meetings=listing.meetings_of(person_a),
        )
    assert squeeze(now) == squeeze(former)
    assert "<script>" not in now and "&lt;script&gt;" in now and "<br>second line" in now


def test_the_list_reverses_no_address_per_row(client, visitor_a, org_a, centre, people):
    visit = {"visit": "6f1c1f7e-1f0a-4c55-9d3c-4e4f5a6b7c8d"}
    sign_in(client, visitor_a)
    client.get(LIST)
    with count_reversals() as few:
        client.get(LIST, visit)
    for number in range(4):
        new_person(visitor_a, org_a, centre, name=None, birth_year=1970 + number)
    with count_reversals() as more:
        response = client.get(LIST, visit)
    assert len(response.context["people"]) == 6
    assert more.count == few.count
    assert response.content.decode().count("/meetings/new/?visit=") == 6
