"""Every e-mail of the help desk (an answer told to the asker, the lawyers' reminders) is
written in its recipient's language and holds codes, rules, dates and links only: never
the request's subject, its question, its answer, a case file or a contact."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.template import loader
from django.utils import translation

from legal import reminders, services
from legal.models import HelpRequest, Message
from move.accounts import emails
from tests.legal.conftest import ask, record
from tests.legal.test_reminders import MONDAY, add_deadline, first_answer_due

pytestmark = pytest.mark.django_db

SUBJECT = "Expulsion vers Kinshasa demain matin"
QUESTION = "Monsieur Kabila Mbuyi, né le 03/04/1988, peut-il encore introduire un recours ?"
ANSWER = "Oui: déposez la requête en extrême urgence avant 18 heures au greffe."
CONTACT = {
    "contact_name": "Fatima El Amrani",
    "contact_phone": "+32470123456",
    "contact_email": "fatima@example.org",
}
SECRETS = [SUBJECT, QUESTION, ANSWER, *CONTACT.values(), "Kabila", "Fatima", "32470123456"]
RULE_NAMES = {
    "fr": "Recours au Conseil du contentieux des étrangers",
    "nl": "Beroep bij de Raad voor Vreemdelingenbetwistingen",
}
MARCH = {"fr": "mars", "nl": "maart"}


@pytest.fixture
def rendered(monkeypatch):
    """The language active while each e-mail template is rendered."""
    seen = []
    render = loader.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen.append((template_name, translation.get_language()))
        return render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(emails, "render_to_string", spy)
    return seen


def assert_no_personal_data(email, *more):
    text = f"{email.subject}\n{email.body}"
    for secret in (*SECRETS, *more):
        assert secret not in text


def speaking(user, language):
    user.language = language
    user.save()
    return user


# --- The answer, told to the asker ------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_asker_is_told_of_an_answer_in_their_language_with_a_link_only(
    legal, visitor_a, topic, person_a, rendered, language, django_capture_on_commit_callbacks
):
    speaking(visitor_a, language)
    help_request = ask(visitor_a, topic, subject=SUBJECT, question=QUESTION, person=person_a)

    with django_capture_on_commit_callbacks(execute=True):
        services.add_message(legal, help_request, Message.Kind.ANSWER, ANSWER)

    [email] = mail.outbox
    assert email.to == [visitor_a.email]
    assert rendered == [
        ("emails/help-request-answered-subject.txt", language),
        ("emails/help-request-answered-body.txt", language),
    ]
    assert translation.get_language() == "en"  # the page's language is back
    assert help_request.code in email.subject
    assert reminders.request_link(help_request) in email.body
    assert_no_personal_data(email, person_a.code)


def test_an_outside_caller_is_never_emailed(legal, topic, django_capture_on_commit_callbacks):
    help_request = record(legal, topic, subject=SUBJECT, question=QUESTION, **CONTACT)

    with django_capture_on_commit_callbacks(execute=True):
        services.add_message(legal, help_request, Message.Kind.ANSWER, ANSWER)

    assert mail.outbox == []


# --- The lawyers' reminders -------------------------------------------------------------


@pytest.fixture
def lawyers(legal, coalition):
    from move.accounts.permissions import Role
    from tests.factories import member

    dutch = member(Role.LEGAL, coalition, email="advocaat@example.org", language="nl")
    return {"fr": speaking(legal, "fr"), "nl": dutch}


@pytest.fixture
def due(legal, visitor_a, topic, person_a, rule_30_days):
    """A request of a visitor about a case file, late for its first answer, and an
    outside caller's request with a deadline: both due on MONDAY."""
    asked = ask(visitor_a, topic, subject=SUBJECT, question=QUESTION, person=person_a)
    first_answer_due(asked, MONDAY - timedelta(days=1))
    called = record(legal, topic, subject=SUBJECT, question=QUESTION, **CONTACT)
    HelpRequest.objects.filter(pk=called.pk).update(assignee=None)
    add_deadline(called, rule_30_days, date(2026, 3, 18))
    return [asked, called]


def test_each_lawyer_is_reminded_in_their_language_with_codes_and_links_only(
    lawyers, due, person_a, rendered
):
    reminders.send_reminders(MONDAY)

    by_language = {}
    for email in mail.outbox:
        [language] = [lang for lang, user in lawyers.items() if email.to == [user.email]]
        by_language[language] = email
    assert set(by_language) == {"fr", "nl"}
    assert sorted(rendered) == sorted(
        (f"emails/help-reminder-{part}.txt", language)
        for language in ("fr", "nl")
        for part in ("subject", "body")
    )
    for language, email in by_language.items():
        for help_request in due:
            assert help_request.code in email.body
            assert reminders.request_link(help_request) in email.body
        assert RULE_NAMES[language] in email.body  # the rule, in the lawyer's language
        assert MARCH[language] in email.body  # dates, in the lawyer's language
        assert_no_personal_data(email, person_a.code)


def test_a_monthly_reminder_holds_no_personal_data_either(
    lawyers, legal, visitor_a, org_a, centre, topic
):
    from legal.models import DeadlineRule
    from tests.detainees.conftest import new_person, spell

    person = new_person(visitor_a, org_a, name=("Kabila", "Mbuyi"))
    detention = spell(person, centre, date(2026, 1, 10))
    help_request = record(legal, topic, subject=SUBJECT, question=QUESTION, person=person)
    rule = DeadlineRule.objects.get(code="council-chamber-release")
    add_deadline(
        help_request, rule, date(2026, 2, 16), notified_on=date(2026, 1, 15), spell=detention
    )

    reminders.send_reminders(date(2026, 3, 16))

    [email] = mail.outbox  # to the lawyer it is assigned to
    assert email.to == [legal.email]
    assert help_request.code in email.body
    assert "Requête de mise en liberté à la chambre du conseil" in email.body
    assert_no_personal_data(email, person.code, "Mbuyi")
