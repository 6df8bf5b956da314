"""Advocacy in the browser (issue 12), from an observation to the authorities and from a
witness to a use of their words:

1. a visitor raises a flagged observation of a submitted report as a new point of
   attention, from the report's panel;
2. a coordinator prepares this quarter's meeting with the Immigration Office: the point
   left open at last quarter's meeting is carried over, the visitor's point is added;
   the agenda as a PDF in Dutch (a Job, run eagerly in tests) is downloaded and read back;
   the minutes record the authority's answer and the meeting held; the point's page
   shows the answer in its history;
3. the witness-pool volunteer records a witness, an oral consent (website and partner
   publications, first name only) and an approved testimony usable on the website;
4. advocacy records a use on the website; a named use and a use in the press are
   refused with the reason, nothing saved;
5. the witness withdraws: the use is listed to take down, and its recorder is e-mailed.

Everything the people do goes through the pages; the rows before the story (the report,
last quarter's meeting) are created directly. axe-core checks a few pages at 1280 and
360 px, and the browser may log no error (CSP)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from advocacy import panels
from advocacy.models import (
    AgendaItem,
    AuthorityMeeting,
    Consent,
    PointOfAttention,
    Testimony,
    Use,
    Witness,
)
from move.accounts.permissions import Role
from move.privacy.models import Job
from tests.e2e.test_report_flow import check, console_errors
from tests.factories import CentreFactory
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OLD_POINT = "Isolation used as punishment"
NEW_POINT = "No doctor at weekends in Vottem"
ANSWER = "A doctor on call at weekends from January."
TESTIMONY = "Three days without a doctor"
WEBSITE_USE = "Coalition website: stories"
DUTCH_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
# The refused uses answer 400: the browser logs the status of the page it was sent.
EXPECTED = ("status of 400",)


def field(label: str) -> re.Pattern:
    """A field's label exactly, with or without the colon Django adds."""
    return re.compile(rf"^{re.escape(label)}:?$")


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@pytest.fixture
def people(make_user):
    return {
        "visitor": make_user(
            Role.VISITOR, first_name="Vera", last_name="Verbruggen", email="vera@e2e.example.org"
        ),
        "coordinator": make_user(
            Role.COORDINATOR, first_name="Claire", last_name="Claes", email="claire@e2e.example.org"
        ),
        "volunteer": make_user(
            Role.WITNESS_POOL, first_name="Wim", last_name="Wouters", email="wim@e2e.example.org"
        ),
        "advocacy": make_user(
            Role.ADVOCACY, first_name="Ada", last_name="Aerts", email="ada@e2e.example.org"
        ),
    }


@pytest.fixture
def records(coalition_org, people):
    """A submitted report with a flagged observation, and last quarter's meeting with the
    Immigration Office (held) whose agenda left a point open."""
    panels.register()  # as advocacy/apps.py does
    today = timezone.localdate()
    theme, _ = Theme.objects.get_or_create(
        code="medical-care-flow",
        defaults={"name_fr": "Soins médicaux", "name_nl": "Medische zorg", "name_en": "Care"},
    )
    centre = CentreFactory(name_fr="Centre fermé de Vottem", name_nl="Gesloten centrum Vottem")
    visit = Visit.objects.create(centre=centre, date=today - timedelta(days=5), status="done")
    visit.visitors.add(people["visitor"])
    report = VisitReport.objects.create(
        visit=visit, organisation=coalition_org, language="fr", status="submitted"
    )
    report.authors.add(people["visitor"])
    flagged = Observation.objects.create(
        report=report,
        theme=theme,
        centre=centre,
        text="Aucun médecin présent le week-end ; une personne diabétique attend depuis vendredi.",
        raise_with_authorities=True,
    )
    Observation.objects.create(
        report=report, theme=theme, centre=centre, text="Cour fermée.", position=1
    )
    last_quarter = quarter_start(today) - timedelta(days=45)
    old_point = PointOfAttention.objects.create(
        title=OLD_POINT, theme=theme, status="raised", first_raised_on=last_quarter
    )
    previous = AuthorityMeeting.objects.create(
        date=last_quarter, authority="immigration_office", status="held"
    )
    AgendaItem.objects.create(
        meeting=previous, point=old_point, answer="It will be looked into.", position=0
    )
    return {"report": report, "flagged": flagged, "old_point": old_point, "previous": previous}


def switch_to(context, signed_in, user):
    context.clear_cookies()
    signed_in(user)


def test_from_an_observation_to_the_authorities_and_from_a_witness_to_a_use(
    page, context, signed_in, people, records, mailoutbox
):
    console = console_errors(page, EXPECTED)
    problems = []
    today = timezone.localdate()
    report, old_point = records["report"], records["old_point"]

    # 1. Vera raises the flagged observation of her report as a new point of attention.
    signed_in(people["visitor"])
    page.goto(reverse("visits:report-detail", kwargs={"code": report.code}))
    panel = page.get_by_role("region", name="Points of attention")
    panel.get_by_role("link", name="Raise as a point of attention", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise as a point of attention")
    # The flagged observation is ticked, the other one not; a new point is the choice.
    boxes = page.get_by_role("group", name="Observations to raise").get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).not_to_be_checked()
    problems += check(page, "raise a point")
    page.get_by_label(field("Title of the new point")).fill(NEW_POINT)
    page.get_by_role("button", name="Raise the observations").click()
    expect(page.get_by_text(re.compile("The observations feed the point PA-"))).to_be_visible()
    new_point = PointOfAttention.objects.get(title=NEW_POINT)
    assert new_point.status == PointOfAttention.Status.OPEN
    assert list(new_point.observations.all()) == [records["flagged"]]
    assert new_point.created_by == people["visitor"]

    # 2. Claire prepares this quarter's meeting with the Immigration Office.
    switch_to(context, signed_in, people["coordinator"])
    page.goto(reverse("advocacy:meeting-create"))
    page.get_by_label(field("Date")).fill(today.isoformat())
    expect(page.get_by_label(field("Authority"))).to_have_value("immigration_office")
    page.get_by_label(field("Attending for them")).fill("Head of the detention directorate")
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_text("1 point(s) still open carried over")).to_be_visible()
    meeting = AuthorityMeeting.objects.exclude(pk=records["previous"].pk).get()
    assert meeting.status == AuthorityMeeting.Status.DRAFT
    # The draft agenda: last quarter's open point; the visitor's is offered to add.
    agenda = page.get_by_role("table", name="Points on the agenda, in order")
    expect(agenda.get_by_role("row")).to_have_count(2)  # the header and one point
    expect(agenda).to_contain_text(f"{old_point.code} {OLD_POINT}")
    page.get_by_label(f"{new_point.code} {NEW_POINT}").check()
    problems += check(page, "draft agenda")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Immigration Office, detention directorate"
    )
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda.get_by_role("heading", level=3)).to_have_count(2)
    expect(agenda).to_contain_text(OLD_POINT)
    expect(agenda).to_contain_text(NEW_POINT)
    assert [i.point_id for i in meeting.items.order_by("position", "pk")] == [
        old_point.pk,
        new_point.pk,
    ]

    # The agenda as a PDF in Dutch: a job, ready at once (Celery eager in tests).
    # (Inside the section: the page's header has its own language menu.)
    pdf_form = page.get_by_role("region", name="As a PDF")
    pdf_form.get_by_label(field("Document")).select_option(label="The agenda")
    pdf_form.get_by_label(field("Language")).select_option(label="Dutch")
    pdf_form.get_by_role("button", name="Make the PDF").click()
    expect(page).to_have_url(re.compile(r"/jobs?/"))
    job = Job.objects.get(owner=people["coordinator"])
    assert job.status == Job.Status.READY, (job.status, job.last_error)
    expect(page.get_by_role("status")).to_contain_text("Ready")
    problems += check(page, "agenda PDF job")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download")).click()
    assert download.value.suggested_filename == f"meeting-{today:%Y-%m-%d}-agenda-nl.pdf"
    reader = PdfReader(download.value.path())
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert f"{today.day} {DUTCH_MONTHS[today.month - 1]} {today.year}" in text, text
    assert "Datum" in text, text  # the Dutch of the facts' heading "Date"
    assert OLD_POINT in text and NEW_POINT in text, text

    # The minutes: the authority's answer to the new point, and the meeting held.
    page.goto(reverse("advocacy:meeting-detail", kwargs={"key": meeting.key}))
    page.get_by_role("link", name="Write the minutes").click()
    item = page.get_by_role("group", name=re.compile(re.escape(new_point.code)))
    item.get_by_label(field("What we asked")).fill("A doctor present at weekends.")
    item.get_by_label(field("What the authority answered")).fill(ANSWER)
    item.get_by_label(field(f"Status of {new_point.code}")).select_option(label="Answered")
    page.get_by_label(field("The meeting was held")).check()
    problems += check(page, "minutes")
    page.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_text(re.compile("Minutes of .* saved"))).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text("Held")
    meeting.refresh_from_db()
    new_point.refresh_from_db()
    assert meeting.status == AuthorityMeeting.Status.HELD
    assert new_point.status == PointOfAttention.Status.ANSWERED
    assert new_point.first_raised_on == today
    # The point's page: the answer in its history.
    page.get_by_role("link", name=new_point.code).click()
    history = page.get_by_role("region", name="At the meetings with the authorities")
    expect(history.get_by_role("row").filter(has_text=ANSWER)).to_have_count(1)

    # 3. Wim, of the witness pool, records a witness, a consent and a testimony.
    switch_to(context, signed_in, people["volunteer"])
    page.goto(reverse("advocacy:witness-create"))
    page.get_by_label(field("Relation to detention")).select_option(label="Former detainee")
    page.get_by_label(field("Name")).fill("Samir")
    page.get_by_label(field("Contact")).fill("+32 470 00 00 00")
    page.get_by_role("button", name="Add the witness").click()
    expect(page.get_by_text(re.compile(r"Witness W-.* added\."))).to_be_visible()
    witness = Witness.objects.get()
    assert witness.name == "Samir"

    page.get_by_role("link", name="Record a consent").click()
    page.get_by_label("Coalition website").check()
    page.get_by_label("Partner publications").check()
    page.get_by_label("First name only").check()
    expect(page.get_by_label(field("Given on"))).to_have_value(today.isoformat())
    page.get_by_label("Oral, with the volunteer's statement").check()
    page.get_by_label(field("Volunteer's statement")).fill(
        "Samir agreed on the phone, first name only, for the website and partners."
    )
    problems += check(page, "consent form")
    page.get_by_role("button", name="Record the consent").click()
    consents = page.get_by_role("region", name="Consents")
    expect(consents).to_contain_text("Valid today")
    consent = Consent.objects.get()
    assert (consent.scopes, consent.anonymity, consent.how) == (
        "website partners",
        "first_name",
        "oral",
    )

    page.get_by_role("link", name="Record a testimony").click()
    page.get_by_label(field("Title")).fill(TESTIMONY)
    page.get_by_label(field("Testimony")).fill("Three days without a doctor, and nobody said why.")
    page.get_by_role("main").get_by_label(field("Language")).select_option(label="English")
    page.get_by_label(field("Recorded on")).fill(today.isoformat())
    page.get_by_label(field("Approved by the witness on")).fill(today.isoformat())
    page.get_by_label("Coalition website").check()
    page.get_by_role("button", name="Add the testimony").click()
    expect(page.get_by_text(f"Testimony “{TESTIMONY}” added.")).to_be_visible()
    testimony = Testimony.objects.get()
    assert (testimony.scopes, testimony.approved_on) == ("website", today)

    # 4. Ada, of advocacy, records a use on the website; a named use and a use in the
    #    press are refused with the reason, nothing saved.
    switch_to(context, signed_in, people["advocacy"])
    page.goto(reverse("advocacy:testimony-detail", kwargs={"key": testimony.key}))
    page.get_by_role("link", name="Record a use").click()
    scope = page.get_by_label(field("Scope"))
    # Only the scopes the consent allows are offered: not the press.
    expect(scope.get_by_role("option")).to_have_text(["Coalition website"])
    page.get_by_label(field("Where")).fill("Daily newspaper")
    page.get_by_label(field("Used on")).fill(today.isoformat())
    # As if the page had offered the press (an old page, a forged form).
    scope.evaluate("select => select.add(new Option('Press', 'press'))")
    scope.select_option("press")
    page.get_by_role("button", name="Record the use").click()
    expect(page.get_by_text("This testimony may not be used in this scope today.")).to_be_visible()
    assert not Use.objects.exists()

    page.get_by_label(field("Where")).fill(WEBSITE_USE)
    scope.select_option(label="Coalition website")
    page.get_by_label(field("Anonymity")).select_option(label="Named")
    page.get_by_role("button", name="Record the use").click()
    expect(page.get_by_text("Named use: the consent allows first name only.")).to_be_visible()
    expect(page.get_by_label(field("Where"))).to_have_value(WEBSITE_USE)  # nothing lost
    assert not Use.objects.exists()
    problems += check(page, "use refused")

    page.get_by_label(field("Anonymity")).select_option(label="First name only")
    page.get_by_role("button", name="Record the use").click()
    expect(page.get_by_text(f"Use in “{WEBSITE_USE}” recorded.")).to_be_visible()
    use = Use.objects.get()
    assert (use.scope, use.anonymity, use.status, use.recorded_by) == (
        "website",
        "first_name",
        Use.Status.ONLINE,
        people["advocacy"],
    )

    # 5. The witness withdraws: Wim records it.
    mailoutbox.clear()
    switch_to(context, signed_in, people["volunteer"])
    page.goto(reverse("advocacy:witness-detail", kwargs={"key": witness.key}))
    page.get_by_role("button", name="Record the witness's withdrawal").click()
    expect(page.get_by_text(re.compile(r"1 use is listed to take down"))).to_be_visible()
    use.refresh_from_db()
    assert use.status == Use.Status.TO_TAKE_DOWN
    # Ada was told, and finds the use first on the list, to take down.
    assert [m.to for m in mailoutbox] == [[people["advocacy"].email]], [
        (m.to, m.subject) for m in mailoutbox
    ]
    told = mailoutbox[0]
    assert told.subject == "A testimony you used must be taken down"
    assert witness.code in told.body and reverse("advocacy:use-list") in told.body
    # For the witness's safety: neither their name nor their contact.
    assert "Samir" not in told.body and "470" not in told.body
    switch_to(context, signed_in, people["advocacy"])
    page.goto(reverse("advocacy:use-list"))
    row = page.get_by_role("row").filter(has_text=WEBSITE_USE)
    expect(row.get_by_role("cell").first).to_have_text("To take down")
    expect(row.get_by_role("button", name=f"Mark “{WEBSITE_USE}” as taken down")).to_be_visible()
    problems += check(page, "uses to take down")

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"
