"""The legal help desk in the browser (issue 10): a visitor asks the lawyer from one of
her organisation's case files; the lawyer finds the request at the top of her queue,
adds a 5-day extreme-urgency deadline whose last day falls on the national holiday,
writes an internal note and answers; the asker is told by e-mail, signs in again and
reads the answer (not the note); a partner's member gets 404 on the request.

Everything the people do goes through the pages (clicks and typing). The database is
flushed between browser tests: the topics and rules seeded by legal's migration 0002
are created again here (get_or_create) when they are gone."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from legal import services
from legal.models import Deadline, HelpRequest, Message
from move.accounts.permissions import Role
from tests.e2e.test_accessibility import help_reference
from tests.e2e.test_people_flow import new_person
from tests.e2e.test_report_flow import check, console_errors
from tests.factories import CentreFactory
from visits.models import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Notified on Thursday 16 July 2026: the 5th day is Tuesday 21 July, the national
# holiday; the last day moves to Wednesday 22 July 2026 (checked on a calendar).
NOTIFIED = date(2026, 7, 16)
DUE = date(2026, 7, 22)
RULE_LABEL = "Extreme urgency: suspension of a later removal measure — 5 days"
SUBJECT = "Second removal order after a refused flight"
QUESTION = "A new removal order was notified to her on 16 July. Can she still appeal?"
NOTE = "Check with the Ixelles bar whether a pro bono lawyer is free."
ANSWER = "Yes: an extreme-urgency request against the later measure, within 5 days."
CODE = re.compile(r"H-\d{4}-\d{4}")


def field(label: str) -> re.Pattern:
    """A field's label exactly, with or without the colon Django adds."""
    return re.compile(rf"^{re.escape(label)}:?$")


@pytest.fixture
def help_desk(e2e_db):
    """The reference rows the pages offer: topics, and the 5-day rule among others."""
    topics, rules = help_reference()
    return {"topics": topics, "rule": rules["extreme-urgency-later"]}


@pytest.fixture
def people(make_user):
    return {
        "visitor": make_user(
            Role.VISITOR, first_name="Vera", last_name="Verbruggen", email="vera@e2e.example.org"
        ),
        # Who opened the case file: the visitor asks about her organisation's file.
        "colleague": make_user(
            Role.VISITOR, first_name="Colin", last_name="Claes", email="colin@e2e.example.org"
        ),
        "lawyer": make_user(
            Role.LEGAL, first_name="Lena", last_name="Lambert", email="lena@e2e.example.org"
        ),
        "partner": make_user(Role.PARTNER, email="myria@e2e.example.org"),
    }


@pytest.fixture
def person(people):
    """A case file of the coalition, opened by Vera's colleague after a visit to Vottem."""
    colleague = people["colleague"]
    centre = CentreFactory(name_fr="Centre fermé de Vottem", name_nl="Gesloten centrum Vottem")
    visit = Visit.objects.create(
        centre=centre, date=timezone.localdate() - timedelta(days=3), status="done"
    )
    visit.visitors.add(colleague)
    return new_person(colleague, visit)


def test_a_visitor_asks_the_lawyer_who_answers_with_a_deadline_moved_by_a_holiday(
    page, context, signed_in, people, person, help_desk, mailoutbox
):
    visitor, lawyer, partner = people["visitor"], people["lawyer"], people["partner"]
    # The partner's look at the request (404) and at the queue (403) are expected.
    console = console_errors(page, ("status of 403",))
    problems = []
    # Creating the people sent e-mails about their access (move.accounts): left aside.
    # The outbox is shared with the live server's thread, where e-mail tasks run eagerly.
    mailoutbox.clear()

    # 1. Vera opens her organisation's case file and asks the lawyer from it.
    signed_in(visitor)
    page.goto(reverse("detainees:person-list"))
    page.get_by_role("link", name=person.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case file {person.code}")
    panel = page.get_by_role("region", name="Legal help desk")
    expect(panel).to_contain_text("No question was asked to the lawyer about this case file.")
    panel.get_by_role("link", name="Ask the lawyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the lawyer")
    # The case file and the centre where the person is held come from the file.
    expect(page.get_by_label(field("Case file"))).to_have_value(person.code)
    expect(page.get_by_label(field("Centre"))).to_have_value(str(person.spells.get().centre_id))
    page.get_by_label(field("Topic")).select_option(label="Removal and escort")
    page.get_by_label(field("Subject")).fill(SUBJECT)
    page.get_by_label(field("Your question")).fill(QUESTION)
    page.get_by_label(field("Urgency")).select_option(label="Urgent")
    page.get_by_role("button", name="Send the question").click()

    expect(
        page.get_by_text(re.compile(r"Your question was sent to the lawyer as H-"))
    ).to_be_visible()
    help_request = HelpRequest.objects.get()
    assert CODE.fullmatch(help_request.code)
    assert (help_request.requester, help_request.person, help_request.status) == (
        visitor,
        person,
        HelpRequest.Status.NEW,
    )
    assert help_request.organisation == visitor.memberships.get().organisation
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {help_request.code}")
    expect(page.locator("dl.facts")).to_contain_text("Removal and escort")
    expect(page.get_by_text(QUESTION)).to_be_visible()
    problems += check(page, "request page of the asker, just asked")

    # A phone call the lawyer records right after: younger, so below in the queue;
    # and an older request, closed, which the queue leaves out by default.
    removal = help_desk["topics"][1]
    later = services.record(
        lawyer,
        channel=HelpRequest.Channel.PHONE,
        requester_kind=HelpRequest.RequesterKind.RELATIVE,
        topic=removal,
        subject="A brother calls about a transfer",
        question="Wanneer wordt hij overgebracht?",
        language="nl",
    )
    closed = services.record(
        lawyer,
        channel=HelpRequest.Channel.EMAIL,
        requester_kind=HelpRequest.RequesterKind.LAWYER,
        topic=removal,
        subject="An old question, answered and closed",
        question="?",
        language="fr",
        asked_at=timezone.now() - timedelta(days=30),
    )
    services.set_status(lawyer, closed, HelpRequest.Status.CLOSED)

    # 2. The lawyer finds it at the top of her queue and opens it.
    context.clear_cookies()
    signed_in(lawyer)
    page.goto(reverse("home"))
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Help desk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal help desk")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(help_request.code)
    expect(rows.nth(0)).to_contain_text(SUBJECT)
    expect(rows.nth(0)).to_contain_text("New")
    expect(rows.nth(1)).to_contain_text(later.code)
    expect(page.locator("main")).not_to_contain_text(closed.code)
    rows.nth(0).get_by_role("link", name=help_request.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {help_request.code}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Vera Verbruggen")
    expect(facts.get_by_role("link", name=person.code)).to_be_visible()

    # 3. A deadline: 5 days against a later removal measure, notified on 16 July 2026.
    deadlines = page.get_by_role("region", name="Deadlines")
    expect(deadlines).to_contain_text("No deadline on this request.")
    deadlines.get_by_label(field("Rule")).select_option(label=RULE_LABEL)
    deadlines.get_by_label(field("Date of notification")).fill(NOTIFIED.isoformat())
    deadlines.get_by_role("button", name="Add the deadline").click()
    expect(
        page.get_by_text(
            "Deadline added: Extreme urgency: suspension of a later removal measure, "
            "last day Wednesday 22 July 2026."
        )
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"#deadlines$"))
    row = page.get_by_role("table", name=f"Deadlines of {help_request.code}").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Notified"]')).to_have_text("Thu 16 Jul 2026")
    expect(row.locator('td[data-label="Last day"]')).to_have_text("Wed 22 Jul 2026")
    expect(row.locator('td[data-label="Why this day"]')).to_have_text("21 July: national holiday")
    # Today (December 2026) the time limit has passed: said in words.
    expect(row.locator('td[data-label="State"]')).to_have_text("Passed")
    deadline = Deadline.objects.get()
    assert (deadline.rule, deadline.notified_on, deadline.due_on) == (
        help_desk["rule"],
        NOTIFIED,
        DUE,
    )
    problems += check(page, "request page of the lawyer, with its deadline")

    # 4. An internal note, then the answer.
    write = page.get_by_role("region", name="Answer or add a note")
    write.get_by_label("Internal note (legal and coordinators only)").check()
    write.get_by_label(field("Message")).fill(NOTE)
    write.get_by_role("button", name="Add to the thread").click()
    expect(page.get_by_text("Internal note added.")).to_be_visible()
    assert mailoutbox == []  # a note tells nobody
    write.get_by_label("Answer (the asker reads it and is told by e-mail)").check()
    write.get_by_label(field("Message")).fill(ANSWER)
    write.get_by_role("button", name="Add to the thread").click()
    expect(page.get_by_text("Answer sent: the person who asked is told by e-mail.")).to_be_visible()
    thread = page.get_by_role("region", name="Thread")
    expect(thread.get_by_role("article")).to_have_count(3)
    expect(thread.get_by_role("article").nth(1)).to_contain_text(NOTE)
    expect(thread.get_by_role("article").nth(2)).to_contain_text(ANSWER)
    expect(page.locator("dl.facts")).to_contain_text("Answered")
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.ANSWERED
    assert help_request.first_answered_at is not None
    assert list(help_request.messages.values_list("kind", flat=True)) == [
        Message.Kind.QUESTION,
        Message.Kind.NOTE,
        Message.Kind.ANSWER,
    ]
    # The queue now shows the deadline, passed, in words.
    page.get_by_role("link", name="Back to the help desk").click()
    first = page.get_by_role("table").locator("tbody tr").nth(0)
    expect(first).to_contain_text(help_request.code)
    expect(first).to_contain_text("Passed: 22 Jul 2026")

    # 5. Vera is told by e-mail, in her language, with the code and a link only (the
    # task runs eagerly in the live server's thread, into the same locmem outbox).
    (email,) = mailoutbox
    link = reverse("legal:request-detail", args=[help_request.key])
    assert email.to == [visitor.email]
    assert email.subject == f"Your request {help_request.code} has an answer"
    assert link in email.body
    for secret in (ANSWER, QUESTION, SUBJECT, NOTE, person.code):
        assert secret not in email.body and secret not in email.subject

    # 6. Vera signs in again, opens her request from the help desk and reads the
    # answer; the internal note is not shown to her.
    context.clear_cookies()
    signed_in(visitor)
    page.goto(reverse("home"))
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Help desk").click()
    mine = page.get_by_role("table").locator("tbody tr")
    expect(mine).to_have_count(1)
    expect(mine.nth(0)).to_contain_text("Answered")
    mine.nth(0).get_by_role("link", name=help_request.code).click()
    expect(page).to_have_url(re.compile(rf"{link}$"))
    thread = page.get_by_role("region", name="Thread")
    expect(thread.get_by_role("article")).to_have_count(2)
    answer = thread.get_by_role("article").nth(1)
    expect(answer.get_by_role("heading")).to_have_text("Answer")
    expect(answer).to_contain_text(ANSWER)
    expect(answer).to_contain_text("Lena Lambert")
    expect(page.locator("main")).not_to_contain_text(NOTE)
    expect(page.locator("main")).not_to_contain_text("Internal note")
    # She may add information, not answer.
    expect(page.get_by_role("heading", name="Add information")).to_be_visible()
    expect(page.get_by_role("region", name="Work on the request")).to_have_count(0)
    problems += check(page, "request page of the asker, answered")

    # 7. A member of Myria, a partner, does not find the request.
    context.clear_cookies()
    signed_in(partner)
    response = page.goto(link)
    assert response.status == 404, f"the partner reads the request: HTTP {response.status}"
    expect(page.locator("body")).not_to_contain_text(SUBJECT)
    response = page.goto(reverse("legal:request-list"))
    assert response.status in (403, 404), f"the partner opens the queue: HTTP {response.status}"

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"
