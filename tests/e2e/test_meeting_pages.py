"""The pages of the meetings with the authorities: axe finds nothing at 1280 and 360 px,
no sideways scrolling on a phone, nothing logged by the browser (CSP)."""

import datetime

import pytest
from django.urls import reverse

from advocacy.models import AgendaItem, AuthorityMeeting, PointOfAttention, Situation
from detainees.models import Person
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from visits.models import Theme

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def meeting(coalition_org, make_user):
    theme = Theme.objects.create(code="isolation", name_fr="Isolement", name_nl="Isolatie")
    meeting = AuthorityMeeting.objects.create(
        date=datetime.date(2026, 3, 10),
        authority="immigration_office",
        their_attendees="Head of the detention directorate",
    )
    for n, title in enumerate(
        ["Isolation cells used as punishment for weeks", "Access to a doctor at night"]
    ):
        point = PointOfAttention.objects.create(title=title, theme=theme)
        AgendaItem.objects.create(
            meeting=meeting,
            point=point,
            position=n,
            answer="An inquiry will be held by the directorate." if n == 0 else "",
            follow_up="Ask again at the next meeting" if n == 0 else "",
            follow_up_due=datetime.date(2026, 6, 1) if n == 0 else None,
        )
    PointOfAttention.objects.create(title="Phones taken away on arrival", theme=theme)
    person = Person.objects.create(code="P-2026-0042", organisation=coalition_org)
    Situation.objects.create(meeting=meeting, person=person, note="Release asked")
    return meeting


def test_meeting_pages_are_accessible_and_readable_on_a_phone(page, make_user, signed_in, meeting):
    signed_in(make_user(Role.COORDINATOR, first_name="Robin"))
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    problems = []
    pages = {
        "list": reverse("advocacy:meeting-list"),
        "create": reverse("advocacy:meeting-create"),
        "detail": reverse("advocacy:meeting-detail", kwargs={"key": meeting.key}),
        "edit": reverse("advocacy:meeting-update", kwargs={"key": meeting.key}),
        "minutes": reverse("advocacy:meeting-minutes", kwargs={"key": meeting.key}),
    }
    for name, url in pages.items():
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        assert response.status == 200, f"{name}: HTTP {response.status}"
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            problems += axe_violations(page, f"meeting {name} at {viewport['width']} px")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"meeting {name} is {width} px wide on a 360 px phone")
    assert not problems, "\n\n".join(problems)
    assert errors == [], errors
