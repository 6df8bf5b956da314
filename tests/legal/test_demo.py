"""The demo's help requests keep DESIGN.md §8 and issue 10, counted from the records.

The demo is loaded once for the module (as tests/detainees/test_demo.py does) and rolled
back at its end; each test runs in a savepoint inside it."""

import re
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from detainees.demo import NAMES
from detainees.models import CodeSequence, Person
from legal import deadlines, search, services
from legal.demo import requests_in, seed_help_requests
from legal.models import Deadline, HelpRequest, Message, Topic
from move.accounts.models import Membership, User
from move.accounts.permissions import Role
from move.privacy import pii
from visits.demo import live_window
from visits.services import weeks_in

pytestmark = pytest.mark.django_db

Channel = HelpRequest.Channel
Kind = HelpRequest.RequesterKind


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def local_day(moment):
    return timezone.localtime(moment).date()


def everything():
    return {
        "requests": sorted(HelpRequest.objects.values_list("code", "status", "created_at")),
        "messages": Message.objects.count(),
        "deadlines": Deadline.objects.count(),
        "sequences": sorted(CodeSequence.objects.values_list("prefix", "year", "last")),
    }


# --- 2022: the activity report --------------------------------------------------------------


def test_2022_has_about_170_requests_counted_from_the_records(django_assert_num_queries):
    with django_assert_num_queries(1):
        count = requests_in(2022)
    assert 160 <= count <= 180
    assert count == HelpRequest.objects.filter(code__startswith="H-2022-").count()


def test_every_week_of_2022_has_two_to_six_requests():
    weeks = Counter(
        local_day(moment).isocalendar()[:2]
        for moment in HelpRequest.objects.filter(created_at__year=2022).values_list(
            "created_at", flat=True
        )
    )
    assert set(weeks) == {(2022, week) for week in range(1, weeks_in(2022) + 1)}
    assert all(2 <= count <= 6 for count in weeks.values()), weeks


def test_the_current_year_lives_at_the_same_density_up_to_today():
    today = timezone.localdate()
    start, _end = live_window(today)
    live = HelpRequest.objects.filter(created_at__date__range=(start, today))
    per_week = live.count() / (((today - start).days + 1) / 7)
    assert 2.5 <= per_week <= 4.5, per_week
    assert not HelpRequest.objects.filter(created_at__gt=timezone.now()).exists()
    assert not Message.objects.filter(created_at__gt=timezone.now()).exists()


# --- Who asks, how, about what ------------------------------------------------------------


def test_the_channels_come_in_realistic_proportions():
    channels = Counter(HelpRequest.objects.values_list("channel", flat=True))
    assert set(channels) == set(Channel.values)
    assert channels[Channel.APP] > channels[Channel.EMAIL] > channels[Channel.PHONE]
    assert channels[Channel.PHONE] > channels[Channel.IN_PERSON] > 0
    assert channels[Channel.APP] > sum(channels.values()) / 3


def test_visitors_ask_most_then_detained_people_and_relatives():
    kinds = Counter(HelpRequest.objects.values_list("requester_kind", flat=True))
    assert set(kinds) == set(Kind.values)
    assert kinds.most_common(1)[0][0] == Kind.VISITOR
    rarer = max(kinds[Kind.PARTNER], kinds[Kind.LAWYER], kinds[Kind.OTHER])
    assert kinds[Kind.DETAINEE] > rarer and kinds[Kind.RELATIVE] > kinds[Kind.OTHER]


def test_the_topics_are_spread_and_both_languages_used():
    topics = Counter(HelpRequest.objects.values_list("topic__code", flat=True))
    assert set(topics) == set(Topic.objects.values_list("code", flat=True))
    assert max(topics.values()) < HelpRequest.objects.count() / 4
    languages = Counter(HelpRequest.objects.values_list("language", flat=True))
    assert set(languages) == {"fr", "nl"} and min(languages.values()) > 50


def test_the_application_requests_are_asked_by_the_demo_visitors_in_their_language():
    asked = HelpRequest.objects.filter(channel=Channel.APP).select_related(
        "requester", "organisation"
    )
    visitors = set(
        Membership.objects.filter(role=Role.VISITOR).values_list("user_id", "organisation_id")
    )
    assert asked.exists()
    for request in asked:
        assert request.requester_kind == Kind.VISITOR
        assert (request.requester_id, request.organisation_id) in visitors
        assert request.language == request.requester.language
        if request.organisation.short_name == "VWV":
            assert request.language == "nl"
    personas = {"visitor.jrs@move.test", "visitor.caritas@move.test", "visitor.vwv@move.test"}
    for email in personas:
        assert asked.filter(requester__email=email).count() >= 5


def test_the_lawyer_recorded_the_other_requests_some_with_a_made_up_contact():
    lawyer = User.objects.get(email="lawyer@move.test")
    recorded = HelpRequest.objects.exclude(channel=Channel.APP)
    assert not recorded.exclude(requester=None).exists()
    assert not recorded.filter(organisation__isnull=False).exists()
    questions = Message.objects.filter(request__in=recorded, kind=Message.Kind.QUESTION)
    assert set(questions.values_list("author", flat=True)) == {lawyer.pk}
    with_contact = [request for request in recorded if request.has_contact]
    assert len(with_contact) >= 10
    for request in with_contact:
        assert re.fullmatch(r"(Contact fictif|Fictief contact) \d+", request.contact_name)
        assert request.contact_email.endswith("@example.org") or request.contact_phone
    with connection.cursor() as cursor:  # encrypted by the model
        cursor.execute(
            "SELECT contact_name FROM legal_helprequest WHERE id = %s", [with_contact[0].pk]
        )
        assert "fictif" not in cursor.fetchone()[0].casefold()


def test_the_contacts_of_requests_closed_long_ago_were_erased():
    erased = HelpRequest.objects.filter(created_at__year=2022).exclude(contact_erased_on=None)
    assert erased.exists()
    for request in erased:
        assert not request.has_contact
        assert request.contact_erased_on > local_day(request.closed_at) + timedelta(days=300)


def test_a_share_of_the_requests_is_linked_to_a_case_file_of_the_askers_organisation():
    linked = HelpRequest.objects.exclude(person=None).select_related("person")
    share = linked.count() / HelpRequest.objects.count()
    assert 0.15 <= share <= 0.5, share
    for request in linked:
        assert request.person.created_at <= request.created_at
        if request.channel == Channel.APP:
            assert request.person.organisation_id == request.organisation_id
        question = request.messages.get(kind=Message.Kind.QUESTION).text
        assert question.startswith((f"Concerne {request.person.code}.", "Betreft "))
        assert request.person.code in question
    assert Person.objects.visible_to(User.objects.get(email="lawyer@move.test")).exists()


# --- Threads, statuses, service level -----------------------------------------------------


def test_every_request_has_one_question_first_and_the_past_ones_an_answer():
    threads = {}
    for request_id, kind, at in Message.objects.order_by("created_at", "pk").values_list(
        "request", "kind", "created_at"
    ):
        threads.setdefault(request_id, []).append((kind, at))
    requests = HelpRequest.objects.all()
    assert set(threads) == set(requests.values_list("pk", flat=True))
    for request in requests:
        thread = threads[request.pk]
        assert thread[0] == (Message.Kind.QUESTION, request.created_at)
        assert [kind for kind, _at in thread].count(Message.Kind.QUESTION) == 1
        answers = [at for kind, at in thread if kind == Message.Kind.ANSWER]
        assert (answers[0] if answers else None) == request.first_answered_at
        if request.status in (HelpRequest.Status.ANSWERED, HelpRequest.Status.CLOSED):
            assert answers
        if request.status == HelpRequest.Status.CLOSED:
            assert request.closed_at >= thread[-1][1]
        else:
            assert request.closed_at is None
    kinds = Counter(Message.objects.values_list("kind", flat=True))
    assert kinds[Message.Kind.NOTE] >= 20 and kinds[Message.Kind.INFORMATION] >= 10


def test_the_past_requests_are_closed_and_most_had_a_first_answer_within_two_working_days():
    past = HelpRequest.objects.filter(created_at__year=2022)
    assert set(past.values_list("status", flat=True)) == {HelpRequest.Status.CLOSED}
    answered = HelpRequest.objects.exclude(first_answered_at=None)
    late = 0
    for request in answered:
        asked = local_day(request.created_at)
        assert request.first_answer_due == deadlines.add_working_days(asked, 2)
        late += local_day(request.first_answered_at) > request.first_answer_due
    assert 0 < late < 0.2 * answered.count()


def test_the_last_days_have_open_requests_with_deadlines_due_this_week():
    today = timezone.localdate()
    week = (today, today + timedelta(days=6))
    pending = HelpRequest.objects.filter(status__in=HelpRequest.PENDING_STATUSES)
    assert pending.filter(created_at__date__gt=today - timedelta(days=7)).count() >= 2
    due = pending.filter(deadlines__done=False, deadlines__due_on__range=week).distinct()
    assert due.count() >= 2
    assert due.filter(next_deadline_at__date__lte=week[1]).count() == due.count()


def test_each_deadline_is_computed_as_the_calculator_does_and_the_queue_sorts_on_it():
    assert Deadline.objects.filter(done=True).count() > 20
    for deadline in Deadline.objects.select_related("rule"):
        if deadline.rule.hours:
            notified = timezone.make_aware(
                datetime.combine(deadline.notified_on, deadline.notified_at)
            )
            assert deadline.due_at == deadlines.due_in_hours(notified, deadline.rule.hours)
        else:
            assert deadline.due_on == deadlines.due(deadline.notified_on, deadline.rule.days)
            assert local_day(deadline.due_at) == deadline.due_on
            assert bool(deadline.reason) == (
                deadline.due_on != deadline.notified_on + timedelta(days=deadline.rule.days)
            )
        assert deadline.notified_on <= local_day(deadline.request.created_at)
    for request in HelpRequest.objects.prefetch_related("deadlines"):
        running = [d.due_at for d in request.deadlines.all() if not d.done]
        assert request.next_deadline_at == (min(running) if running else None)
        if request.status == HelpRequest.Status.CLOSED:
            assert not running


def test_one_urgent_request_runs_against_a_24_hour_limit():
    urgent = HelpRequest.objects.get(urgency=HelpRequest.Urgency.URGENT)
    assert urgent.status == HelpRequest.Status.NEW and urgent.channel == Channel.APP
    deadline = urgent.deadlines.get()
    assert deadline.rule.hours == 24 and not deadline.done
    assert timezone.now() < urgent.next_deadline_at < timezone.now() + timedelta(hours=48)
    assert urgent.person is not None and urgent.person.organisation_id == urgent.organisation_id


# --- Codes, words, search -----------------------------------------------------------------


def test_codes_follow_the_order_asked_and_the_next_request_gets_a_fresh_one():
    for year in {moment.year for moment in HelpRequest.objects.dates("created_at", "year")}:
        of_year = HelpRequest.objects.filter(code__startswith=f"H-{year}-")
        codes = list(of_year.order_by("created_at", "pk").values_list("code", flat=True))
        assert codes == [f"H-{year}-{n:04d}" for n in range(1, len(codes) + 1)]
        assert CodeSequence.objects.get(prefix="H", year=year).last == len(codes)
    visitor = User.objects.get(email="visitor.jrs@move.test")
    asked = services.ask(
        visitor,
        topic=Topic.objects.get(code="dublin"),
        subject="Transfert",
        question="Quel délai ?",
        language="fr",
    )
    year = timezone.localdate().year
    last = HelpRequest.objects.filter(code__startswith=f"H-{year}-").exclude(pk=asked.pk)
    assert asked.code == f"H-{year}-{last.count() + 1:04d}"


def test_the_words_are_in_the_requests_language_and_name_nobody():
    names = []
    for males, females, surnames in NAMES.values():
        given, family = (males + " " + females).split(), surnames.split()
        names += [f"{given[n % len(given)]} {family[n % len(family)]}" for n in range(20)]
    texts = set(Message.objects.values_list("text", "request__language"))
    texts |= set(HelpRequest.objects.values_list("subject", "language"))
    for text, language in texts:
        without_codes = re.sub(r"P-\d{4}-\d{4}", "", text)
        assert pii.scan(without_codes, known_names=names, language=language) == [], text
    dutch = Message.objects.filter(request__language="nl", kind=Message.Kind.QUESTION)
    assert all(
        text.startswith(("Betreft", "Vraag", "Oproep", "Een "))
        for text in dutch.values_list("text", flat=True)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full text on PostgreSQL only")
def test_the_search_words_of_every_request_are_filled():
    assert not HelpRequest.objects.filter(search_vector=None).exists()
    found = search.matching(HelpRequest.objects.all(), "recours")
    assert found.filter(language="fr").exists()
    assert search.matching(HelpRequest.objects.all(), "beroep").filter(language="nl").exists()


# --- Idempotence --------------------------------------------------------------------------


def test_running_the_demo_again_adds_nothing(settings):
    settings.DEBUG = True
    before = everything()
    call_command("seed_demo", stdout=StringIO())
    seed_help_requests()
    assert everything() == before
