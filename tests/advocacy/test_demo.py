"""The demo's advocacy keeps issue 12 and DESIGN.md §8, counted from the records: about
25 points of attention from the flagged observations, four quarterly meetings a year
with the next one in preparation carrying the open points, ten exchange meetings in
2022, about 20 witnesses whose every use of a testimony was allowed by their consent.

The demo is loaded once for the module (as tests/legal/test_demo_library.py does), its
files written to a temporary media folder, and rolled back at its end; each test runs in
a savepoint inside it."""

import re
from collections import Counter
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from advocacy import demo
from advocacy.demo import exchange_meetings_in, quarterly_dates, seed_advocacy
from advocacy.models import (
    ANONYMITY_ORDER,
    AgendaItem,
    AuthorityMeeting,
    Consent,
    ExchangeMeeting,
    PointOfAttention,
    Situation,
    Testimony,
    Use,
    Witness,
)
from detainees.clock import add_months
from detainees.demo import NAMES
from detainees.models import CodeSequence, Person
from move.accounts.models import User
from move.privacy import pii
from visits.demo import live_window
from visits.models import VisitReport

pytestmark = pytest.mark.django_db

Status = PointOfAttention.Status
Authority = AuthorityMeeting.Authority
HELD, DRAFT = AuthorityMeeting.Status.HELD, AuthorityMeeting.Status.DRAFT


@pytest.fixture(scope="module", autouse=True)
def media(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", "--force", stdout=StringIO())
        yield media
        transaction.set_rollback(True)


def today():
    return timezone.localdate()


def everything(media):
    models = (PointOfAttention, AuthorityMeeting, AgendaItem, Situation, ExchangeMeeting)
    models += (Witness, Consent, Testimony, Use)
    counts = {model.__name__: model.objects.count() for model in models}
    for through in (
        PointOfAttention.observations.through,
        PointOfAttention.centres.through,
        AuthorityMeeting.our_attendees.through,
        ExchangeMeeting.organisations.through,
        ExchangeMeeting.themes.through,
        ExchangeMeeting.points.through,
    ):
        counts[through.__name__] = through.objects.count()
    counts["sequences"] = sorted(
        CodeSequence.objects.filter(prefix__in=["PA", "W"]).values_list("prefix", "year", "last")
    )
    counts["files"] = sorted(p.name for p in (media / "private").rglob("*") if p.is_file())
    return counts


def user(email):
    return User.objects.get(email=email)


def known_names():
    """Names of the kind the demo's case files hold, and the witnesses' own."""
    names = []
    for males, females, surnames in NAMES.values():
        given, family = (males + " " + females).split(), surnames.split()
        names += [f"{given[n % len(given)]} {family[n % len(family)]}" for n in range(20)]
    return names + [f"Témoin démo {n:02d}" for n in range(1, 30)]


def test_a_second_run_creates_nothing(media):
    before = everything(media)
    call_command("seed_demo", "--force", stdout=StringIO())
    seed_advocacy()
    assert everything(media) == before


def test_every_record_passes_the_validation_of_its_model():
    """SQLite does not enforce field lengths; PostgreSQL does, and so does full_clean."""
    for model in (PointOfAttention, AuthorityMeeting, AgendaItem, Situation, ExchangeMeeting):
        for record in model.objects.all():
            record.full_clean()
    for model in (Witness, Consent, Testimony, Use):
        for record in model.objects.all():
            record.full_clean()


# --- Points of attention ----------------------------------------------------------------------


def test_about_25_points_gathered_from_the_flagged_observations_of_the_reports():
    points = PointOfAttention.objects.prefetch_related("observations__report")
    assert 20 <= points.count() <= 30
    years = {timezone.localtime(point.created_at).year for point in points}
    start, _end = live_window(today())
    assert 2022 in years and today().year in years | {start.year}
    assert years <= {2022, start.year, today().year}
    for point in points:
        observations = list(point.observations.all())
        assert observations, point.title
        for observation in observations:
            assert observation.raise_with_authorities
            assert observation.report.status != VisitReport.Status.DRAFT
        first_seen = min(o.report.visit_date for o in observations)
        assert first_seen <= timezone.localdate(point.created_at)
        assert re.fullmatch(rf"PA-{timezone.localtime(point.created_at).year}-\d{{4}}", point.code)
    # An observation is gathered by one point.
    through = PointOfAttention.observations.through.objects.values_list("observation_id", flat=True)
    assert len(set(through)) == len(through)


def test_points_speak_of_what_their_observations_say():
    texts = {}
    from visits.demo import PHRASES

    for words in PHRASES.values():
        texts.update(zip(words["observations"], demo.TEXT_THEMES, strict=False))
    for point in PointOfAttention.objects.select_related("theme").prefetch_related("observations"):
        for observation in point.observations.all():
            assert texts.get(observation.text, point.theme.code) == point.theme.code


def test_points_of_one_centre_are_about_the_centre_they_were_seen_in():
    family_unit = demo.FAMILY_UNIT
    for point in PointOfAttention.objects.prefetch_related("centres", "observations__centre"):
        centres = {centre.code for centre in point.centres.all()}
        assert centres
        seen = {observation.centre.code for observation in point.observations.all()}
        if centres == {family_unit}:
            continue  # a family is met anywhere; the point is about the family unit
        assert seen <= centres, point.title


def test_statuses_are_spread_and_owners_are_the_coordinator_and_the_lawyer():
    statuses = Counter(PointOfAttention.objects.values_list("status", flat=True))
    assert set(statuses) >= {Status.OPEN, Status.ANSWERED, Status.RESOLVED, Status.DROPPED}
    start, _end = live_window(today())
    if quarterly(status=HELD, date__gte=start + timedelta(weeks=3)).exists():
        # Raised at the last meeting, not answered yet (early in the year, none is).
        assert Status.RAISED in statuses
    assert statuses[Status.RESOLVED] + statuses[Status.DROPPED] >= 8
    owners = set(PointOfAttention.objects.values_list("owner__email", flat=True))
    assert owners == {demo.COORDINATOR, demo.LAWYER}


def test_first_raised_on_is_the_first_meeting_held_with_the_point_on_its_agenda():
    for point in PointOfAttention.objects.all():
        held = AgendaItem.objects.filter(point=point, meeting__status=HELD)
        dates = sorted(held.values_list("meeting__date", flat=True))
        assert point.first_raised_on == (dates[0] if dates else None), point.code
        if point.status == Status.OPEN:
            assert not dates
        else:
            assert dates


def test_points_and_minutes_hold_no_personal_data():
    names = known_names()
    texts = list(PointOfAttention.objects.values_list("title", "description"))
    texts += list(AgendaItem.objects.values_list("asked", "answer", "follow_up"))
    texts += [(note,) for note in Situation.objects.values_list("note", flat=True)]
    texts += [(note,) for note in AuthorityMeeting.objects.values_list("notes", flat=True)]
    texts += [(note,) for note in ExchangeMeeting.objects.values_list("notes", flat=True)]
    for row in texts:
        for text in row:
            assert pii.scan(text, known_names=names) == [], text
            assert not re.search(r"P-\d{4}-\d{4}", text), text


# --- Meetings with the authorities ------------------------------------------------------------


def quarterly(**filters):
    return AuthorityMeeting.objects.filter(
        authority=Authority.IMMIGRATION_OFFICE, **filters
    ).order_by("date")


def test_four_quarterly_meetings_in_2022_and_every_quarter_this_year_up_to_today():
    held_2022 = list(quarterly(date__year=2022, status=HELD).values_list("date", flat=True))
    assert len(held_2022) == 4
    of_2022, held_now, draft_day = quarterly_dates(today())
    assert held_2022 == of_2022
    start, _end = live_window(today())
    live = list(quarterly(date__year__gt=2022, status=HELD).values_list("date", flat=True))
    assert live == held_now
    assert all(day <= today() for day in live)
    for earlier, later in zip(live, live[1:], strict=False):
        assert timedelta(weeks=12) <= later - earlier <= timedelta(weeks=14)
    this_year = [day for day in live if day.year == today().year]
    drafts = list(quarterly(status=DRAFT))
    assert len(drafts) == 1
    assert drafts[0].date == draft_day
    assert timedelta(days=7) <= draft_day - today() <= timedelta(weeks=4)
    # Four a year: the ones held this year and the next one, if it falls this year.
    assert len(this_year) + (draft_day.year == today().year) <= 4
    if today() >= start + timedelta(weeks=3 + 39):
        assert len(live) >= 3


def test_a_few_meetings_with_the_management_of_a_centre():
    centre = AuthorityMeeting.objects.filter(authority=Authority.CENTRE)
    assert centre.filter(date__year=2022).count() == 2
    assert centre.count() >= 2
    assert not centre.filter(status=DRAFT).exists()
    assert not centre.filter(centre__isnull=True).exists()
    for meeting in centre:
        assert meeting.items.exists()
        assert "centre" in meeting.their_attendees or "centrum" in meeting.their_attendees


def test_the_draft_carries_the_points_still_open_after_the_previous_meeting():
    from advocacy.meetings import carry_over, previous_meeting

    draft = quarterly(status=DRAFT).get()
    previous = quarterly(status=HELD).last()
    assert previous_meeting(draft) == previous
    open_before = [
        item.point_id
        for item in previous.items.select_related("point").order_by("position", "pk")
        if item.point.status not in PointOfAttention.CLOSED
    ]
    assert open_before
    agenda = list(draft.items.order_by("position", "pk").values_list("point_id", flat=True))
    assert agenda[: len(open_before)] == open_before
    # Then the points raised since, not yet on any meeting's agenda.
    new = agenda[len(open_before) :]
    assert new
    assert set(PointOfAttention.objects.filter(pk__in=new).values_list("status", flat=True)) == {
        Status.OPEN
    }
    assert not PointOfAttention.objects.filter(pk__in=agenda, status__in=PointOfAttention.CLOSED)
    # Building the draft agenda again carries nothing more.
    assert carry_over(draft) == []
    assert draft.items.count() == len(agenda)


def test_a_point_stays_on_every_quarterly_agenda_until_it_is_closed():
    meetings = list(quarterly())
    position = {meeting.pk: index for index, meeting in enumerate(meetings)}
    for point in PointOfAttention.objects.all():
        on = sorted(
            position[meeting]
            for meeting in AgendaItem.objects.filter(
                point=point, meeting__authority=Authority.IMMIGRATION_OFFICE
            ).values_list("meeting_id", flat=True)
        )
        assert on, point.code
        assert on == list(range(on[0], on[-1] + 1)), point.code  # one after the other
        last = meetings[on[-1]]
        if point.status in PointOfAttention.CLOSED:
            assert last.status == HELD
        else:
            assert last.status == DRAFT


def test_held_meetings_have_their_minutes_and_follow_ups():
    coordinator, lawyer = user(demo.COORDINATOR), user(demo.LAWYER)
    for meeting in AuthorityMeeting.objects.filter(status=HELD):
        assert set(meeting.our_attendees.all()) == {coordinator, lawyer}
        assert meeting.their_attendees
        items = list(meeting.items.all())
        assert items
        for item in items:
            assert item.asked
            if item.follow_up:
                assert item.follow_up_due and item.follow_up_due > meeting.date
                assert item.follow_up_owner in (coordinator, lawyer)
        assert any(item.answer for item in items)
    office = quarterly(status=HELD).first()
    assert "direction Détention" in office.their_attendees
    assert not re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", office.their_attendees)


def test_some_follow_ups_are_due_this_week_and_not_done():
    due = AgendaItem.objects.filter(
        follow_up_done=False,
        follow_up_due__range=(today() - timedelta(days=6), today() + timedelta(days=6)),
        follow_up_owner__isnull=False,
    )
    assert due.count() >= 2
    assert due.filter(follow_up_due=today()).exists()
    # Follow-ups of earlier meetings were done.
    old = AgendaItem.objects.filter(meeting__date__year=2022).exclude(follow_up="")
    assert old.exists()
    assert not old.filter(follow_up_done=False, follow_up_due__lt=today() - timedelta(days=60))


def test_individual_situations_by_case_file_only():
    for meeting in AuthorityMeeting.objects.all():
        count = meeting.situations.count()
        assert 1 <= count <= 3
    assert Situation.objects.filter(meeting__status=DRAFT).exists()
    person_ids = Situation.objects.values_list("person_id", flat=True)
    assert Person.objects.filter(pk__in=person_ids).count() == len(set(person_ids))
    for situation in Situation.objects.select_related("meeting", "person__organisation"):
        spells = situation.person.spells.filter(start__lt=situation.meeting.date)
        if situation.meeting.status == HELD:
            assert spells.exists()


# --- Exchange meetings -------------------------------------------------------------------------


def test_ten_exchange_meetings_in_2022_counted_from_the_records(django_assert_num_queries):
    with django_assert_num_queries(1):
        count = exchange_meetings_in(2022)
    assert count == 10


def test_exchange_meetings_this_year_at_the_same_rhythm_up_to_today():
    days = list(
        ExchangeMeeting.objects.filter(date__year=today().year).values_list("date", flat=True)
    )
    assert all(day <= today() for day in days)
    months = {month for month in demo.EXCHANGE_MONTHS if month <= today().month}
    assert len(days) in (len(months), len(months) - 1)  # this month's may be ahead
    assert not ExchangeMeeting.objects.filter(date__month__in=[7, 8]).exists()
    assert len({(day.year, day.month) for day in days}) == len(days)


def test_exchange_meetings_have_themes_organisations_notes_and_points():
    meetings = ExchangeMeeting.objects.prefetch_related("themes", "organisations", "points")
    total = meetings.count()
    present = Counter()
    for meeting in meetings:
        assert 1 <= meeting.themes.count() <= 3
        assert meeting.notes
        shorts = {organisation.short_name for organisation in meeting.organisations.all()}
        assert {"Move", "JRS", "Caritas", "VWV"} <= shorts
        present.update(shorts)
        for point in meeting.points.all():
            assert point.theme in meeting.themes.all()
            assert timezone.localdate(point.created_at) < meeting.date
    assert total * 0.6 <= present["Myria"] < total
    assert total * 0.6 <= present["Nansen"] < total
    assert sum(meeting.points.count() for meeting in meetings) >= total / 2
    themes_2022 = Counter(
        code
        for meeting in meetings.filter(date__year=2022)
        for code in meeting.themes.values_list("code", flat=True)
    )
    # 2022's two new themes: medical care and isolation.
    assert {code for code, _n in themes_2022.most_common(2)} == {"medical-care", "isolation"}


def test_a_partner_reads_the_exchange_meetings_its_organisation_attended():
    partner = user("partner.myria@move.test")
    visible = set(ExchangeMeeting.objects.visible_to(partner))
    attended = set(ExchangeMeeting.objects.filter(organisations__short_name="Myria"))
    assert visible == attended
    assert visible != set(ExchangeMeeting.objects.all())


# --- The witness pool --------------------------------------------------------------------------


def valid_today(witness):
    return [consent for consent in witness.consents.all() if consent.valid_on(today())]


def test_about_20_fictitious_witnesses_kept_by_the_pool_volunteer():
    witnesses = list(Witness.objects.all())
    assert 18 <= len(witnesses) <= 22
    keeper = user(demo.KEEPER)
    relations = Counter(witness.relation for witness in witnesses)
    assert relations[Witness.Relation.FORMER_DETAINEE] > len(witnesses) / 2
    assert relations[Witness.Relation.RELATIVE] >= 2
    assert relations[Witness.Relation.LAWYER] >= 1
    assert relations[Witness.Relation.FORMER_VISITOR] >= 1
    for witness in witnesses:
        assert witness.keeper == keeper
        assert re.fullmatch(r"W-20\d\d-\d{4}", witness.code)
        number = re.fullmatch(r"Témoin démo (\d\d)", witness.name).group(1)
        assert witness.contact == f"+32 470 00 00 {number}, temoin{number}@example.org"
        assert set(witness.languages.split()) <= {"fr", "nl", "en"}
        assert witness.code[2:6] == str(witness.consents.order_by("given_on")[0].given_on.year)
    assert len({witness.languages for witness in witnesses}) >= 4
    assert Witness.objects.filter(person__isnull=False).exists()


def test_consents_most_valid_some_expired_one_withdrawn_one_expiring_soon():
    witnesses = list(Witness.objects.prefetch_related("consents"))
    withdrawn = [w for w in witnesses if w.withdrawn_on]
    assert len(withdrawn) == 1
    assert all(c.withdrawn_on == withdrawn[0].withdrawn_on for c in withdrawn[0].consents.all())
    assert not Consent.objects.exclude(witness=withdrawn[0]).filter(withdrawn_on__isnull=False)
    active = [w for w in witnesses if not w.withdrawn_on]
    valid = [w for w in active if valid_today(w)]
    expired = [w for w in active if not valid_today(w)]
    assert len(valid) >= 12
    assert 2 <= len(expired) <= 5
    soon = today() + timedelta(days=30)
    expiring = [w for w in valid if max(c.expires_on for c in valid_today(w)) <= soon]
    assert len(expiring) == 1
    assert expiring[0].consents.get(expires_on__lte=soon).renewal_reminded_on is None
    given = {c.given_on.year for c in Consent.objects.all()}
    assert {2022, 2023, 2024, 2025} <= given


def test_every_consent_runs_two_years_and_records_how_it_was_given(media):
    consents = list(Consent.objects.all())
    hows = Counter(consent.how for consent in consents)
    assert hows[Consent.How.SIGNED_FORM] and hows[Consent.How.ORAL]
    for consent in consents:
        assert consent.expires_on == add_months(consent.given_on, 24)
        assert consent.given_on <= today()
        assert consent.scope_list
        if consent.how == Consent.How.SIGNED_FORM:
            assert consent.form_file.startswith("advocacy/consents/")
            assert not consent.statement
            path = Path(media) / "private" / consent.form_file
            assert len(PdfReader(path).pages) == 1
        else:
            assert consent.statement and not consent.form_file
    assert len({consent.anonymity for consent in consents}) == 3
    assert len({consent.scopes for consent in consents}) >= 8


def test_testimonies_are_approved_within_the_consent_and_name_nobody():
    names = known_names()
    testimonies = list(Testimony.objects.select_related("witness"))
    assert len(testimonies) >= Witness.objects.count()
    assert not Witness.objects.filter(testimonies__isnull=True).exists()
    assert {t.language for t in testimonies} == {"fr", "nl"}
    for testimony in testimonies:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", testimony.text.strip()) if s]
        assert 3 <= len(sentences) <= 6, testimony.title
        assert testimony.recorded_on <= testimony.approved_on < today()
        consents = testimony.witness.consents.all()
        covering = [c for c in consents if c.valid_on(testimony.recorded_on)]
        assert covering, testimony.title
        assert testimony.scope_list
        assert set(testimony.scope_list) <= {s for c in covering for s in c.scope_list}
        assert pii.scan(testimony.text, known_names=names) == [], testimony.text
        assert pii.scan(testimony.title, known_names=names) == [], testimony.title


def test_every_use_was_allowed_by_the_consent_on_its_day():
    from advocacy.services import refusal

    uses = list(Use.objects.select_related("testimony__witness"))
    assert 25 <= len(uses) <= 80
    for use in uses:
        testimony = use.testimony
        witness = testimony.witness
        assert use.used_on <= today()
        assert testimony.approved_on <= use.used_on
        assert use.scope in testimony.scope_list
        assert witness.withdrawn_on is None or use.used_on < witness.withdrawn_on
        valid = [c for c in witness.consents.all() if c.valid_on(use.used_on)]
        allowed = [c for c in valid if use.scope in c.scope_list]
        assert allowed, (witness.code, use.used_on, use.scope)
        most_open = min(ANONYMITY_ORDER[c.anonymity] for c in allowed)
        assert ANONYMITY_ORDER[use.anonymity] >= most_open
        consents = list(witness.consents.all())
        assert (
            refusal(
                testimony,
                consents,
                scope=use.scope,
                used_on=use.used_on,
                anonymity=use.anonymity,
            )
            is None
        )
        assert timezone.localdate(use.created_at) == use.used_on


def test_uses_on_the_website_in_picums_booklet_in_videos_and_in_the_press():
    uses = Use.objects.all()
    scopes = Counter(uses.values_list("scope", flat=True))
    assert scopes["website"] >= 10
    picum = uses.filter(publication__icontains="PICUM")
    assert picum.exists() and set(picum.values_list("scope", flat=True)) == {"partners"}
    assert set(picum.values_list("used_on__year", flat=True)) == {2022}
    videos = uses.filter(scope="video")
    assert videos.exists() and set(videos.values_list("used_on__year", flat=True)) == {2023}
    assert uses.filter(scope="press").exists()
    assert set(uses.values_list("recorded_by__email", flat=True)) == {demo.ADVOCACY}


def test_the_withdrawn_witness_uses_are_to_take_down_and_no_other():
    withdrawn = Witness.objects.get(withdrawn_on__isnull=False)
    assert today() - timedelta(days=60) <= withdrawn.withdrawn_on < today()
    theirs = Use.objects.filter(testimony__witness=withdrawn)
    assert theirs.exists()
    assert set(theirs.values_list("status", flat=True)) == {Use.Status.TO_TAKE_DOWN}
    others = Use.objects.exclude(testimony__witness=withdrawn)
    assert set(others.values_list("status", flat=True)) == {Use.Status.ONLINE}


def test_the_next_codes_follow_the_demos():
    point = PointOfAttention.objects.create(
        title="Nouveau point", theme=PointOfAttention.objects.first().theme
    )
    year = today().year
    used = PointOfAttention.objects.filter(code__startswith=f"PA-{year}-").exclude(pk=point.pk)
    assert point.code == f"PA-{year}-{used.count() + 1:04d}"
    witness = Witness.objects.create(relation=Witness.Relation.RELATIVE)
    used = Witness.objects.filter(code__startswith=f"W-{year}-").exclude(pk=witness.pk)
    assert witness.code == f"W-{year}-{used.count() + 1:04d}"


def test_some_former_detainees_are_the_people_of_a_case_file_released_before():
    linked = Witness.objects.filter(person__isnull=False).select_related("person")
    assert linked.count() >= 2
    for witness in linked:
        assert witness.relation == Witness.Relation.FORMER_DETAINEE
        first = witness.consents.order_by("given_on")[0].given_on
        assert not witness.person.spells.filter(end__isnull=True).exists()
        assert not witness.person.spells.filter(end__gte=first).exists()
