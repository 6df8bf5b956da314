"""The demo's people keep the figures of DESIGN.md §8, computed from the records.

The demo is loaded once for the module (it takes a second) and rolled back at its end;
each test runs in a savepoint inside it."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from auditlog.context import disable_auditlog
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from detainees.demo import (
    FAMILY_KINDS,
    NAMES,
    apportioned_people,
    families_accompanied,
    people_accompanied,
)
from detainees.models import Accompaniment, DetentionSpell, Family, Identity, Person
from detainees.services import STATUS_AFTER, visits_of_organisation
from move.accounts.models import Membership
from move.centres.demo import apportion
from move.centres.models import Centre, CentreYear
from move.privacy import crypto, pii
from visits.demo import PHRASES
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def everything():
    """What the people's demo creates, row by row."""
    return {
        "people": sorted(Person.objects.values_list("code", "organisation_id", "birth_year")),
        "families": sorted(Family.objects.values_list("code", "adults", "children_ages")),
        "identities": Identity.objects.count(),
        "spells": sorted(DetentionSpell.objects.values_list("person__code", "centre_id", "start")),
        "meetings": sorted(Accompaniment.objects.values_list("person__code", "visit_id")),
        "topics": Accompaniment.topics.through.objects.count(),
        "visits": Visit.objects.count(),
    }


def adult_centres():
    return list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code"))


# --- The figures --------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "people", "families"), [(2022, 628, 37), (2023, 794, 41)])
def test_the_year_has_the_people_and_families_of_the_activity_report(year, people, families):
    assert people_accompanied(year) == people
    assert families_accompanied(year) == families


def test_the_figures_are_one_query_over_the_records(django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        assert people_accompanied(2022) == 628
    sql = captured.captured_queries[0]["sql"]
    assert "COUNT" in sql.upper() and "detainees_accompaniment" in sql
    assert "628" not in sql


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_people_of_each_adult_centre_follow_its_official_figure(year):
    """Largest remainder over the official number detained in each centre that year."""
    centres = adult_centres()
    official = [
        CentreYear.objects.get(centre=centre, year=year).people_detained for centre in centres
    ]
    met = [
        Person.objects.filter(
            accompaniments__visit__date__year=year, accompaniments__visit__centre=centre
        )
        .distinct()
        .count()
        for centre in centres
    ]
    assert met == apportion(people_accompanied(year), official)
    assert met == apportioned_people(year, centres)
    assert sum(met) == people_accompanied(year)


def test_nobody_is_met_in_two_adult_centres_or_in_both_years():
    """Each person counts once: the per-centre and the yearly figures add up."""
    spread = Person.objects.annotate(
        centres=Count("accompaniments__visit__centre", distinct=True),
        years=Count("accompaniments__visit__date__year", distinct=True),
    )
    assert not spread.filter(Q(centres__gt=1) | Q(years__gt=1)).exists()
    assert people_accompanied(2022, kinds=FAMILY_KINDS) > families_accompanied(2022)


def test_family_units_and_return_houses_are_visited_and_families_met_in_both():
    for kind in FAMILY_KINDS:
        visits = Visit.objects.filter(centre__kind=kind, date__year=2022, status="done")
        assert visits.count() >= 10
        assert not visits.filter(visitors=None).exists()
        assert Family.objects.filter(members__accompaniments__visit__centre__kind=kind).exists()


# --- Case files ---------------------------------------------------------------------------


def test_every_person_has_a_spell_and_meets_the_visitors_one_to_three_times():
    assert Person.objects.exists()
    assert not Person.objects.filter(spells=None).exists()
    meetings = Person.objects.annotate(n=Count("accompaniments")).values_list("n", flat=True)
    assert set(meetings) == {1, 2, 3}


def test_every_meeting_falls_within_a_spell_of_the_person_in_that_centre():
    held = DetentionSpell.objects.filter(
        person=OuterRef("person"),
        centre=OuterRef("visit__centre"),
        start__lte=OuterRef("visit__date"),
    ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef("visit__date")))
    assert Accompaniment.objects.exists()
    assert not Accompaniment.objects.exclude(Exists(held)).exists()


def test_spells_neither_overlap_nor_outlast_the_legal_maximum_nor_end_without_an_outcome():
    from detainees.clock import maxima

    by_person = {}
    for spell in DetentionSpell.objects.order_by("person", "start"):
        by_person.setdefault(spell.person_id, []).append(spell)
        assert spell.centre.was_open_on(spell.start)
        assert bool(spell.end) == bool(spell.outcome), spell
    for spells in by_person.values():
        for before, after in zip(spells, spells[1:], strict=False):
            assert before.end <= after.start
            assert before.outcome == "transferred" and not after.new_order
        first = spells[0]
        assert spells[-1].end is None or spells[-1].end < maxima(first.ground, first.start)[-1][0]
    assert any(len(spells) == 2 for spells in by_person.values())  # a few transfers


def test_the_status_of_each_person_follows_the_outcome_of_their_last_spell():
    for person in Person.objects.prefetch_related("spells"):
        last = list(person.spells.all())[-1]
        assert person.status == STATUS_AFTER.get(last.outcome, Person.Status.DETAINED)


def test_each_meeting_was_at_a_done_visit_of_the_owning_organisation_by_one_of_its_visitors():
    for organisation_id in (
        Person.objects.order_by().values_list("organisation", flat=True).distinct()
    ):
        theirs = Accompaniment.objects.filter(person__organisation=organisation_id)
        ours = visits_of_organisation(organisation_id).filter(status="done").values("pk")
        assert theirs.exists()
        assert not theirs.exclude(visit__in=ours).exists()
    took_part = set(Visit.visitors.through.objects.values_list("visit_id", "user_id"))
    visitor_of = set(Membership.objects.filter(role="visitor").values_list("user", "organisation"))
    for visit, met_by, organisation in Accompaniment.objects.values_list(
        "visit", "met_by", "person__organisation"
    ):
        assert (visit, met_by) in took_part and (met_by, organisation) in visitor_of


def test_the_people_are_spread_over_the_visiting_organisations():
    owners = set(Person.objects.values_list("organisation__short_name", flat=True))
    assert owners == {"JRS", "Caritas", "VWV", "CIRÉ", "Point d'Appui"}


def test_codes_carry_the_year_of_the_first_meeting_and_are_numbered_without_gaps():
    codes = {}
    for person in Person.objects.prefetch_related("accompaniments__visit"):
        first = min(a.visit.date for a in person.accompaniments.all())
        assert re.fullmatch(rf"P-{first.year}-\d{{4}}", person.code)
        assert person.created_at.date() == first
        codes.setdefault(first.year, []).append(person.code)
    assert {2022, 2023, timezone.localdate().year} <= set(codes)
    for year, found in codes.items():
        assert sorted(found) == [f"P-{year}-{n:04d}" for n in range(1, len(found) + 1)]
    assert Family.objects.filter(code__regex=r"^F-202[23]-\d{4}$").count() == 37 + 41


def test_people_have_plausible_sexes_ages_nationalities_and_languages():
    people = Person.objects.all()
    assert not people.filter(Q(nationality="") | Q(birth_year__isnull=True)).exists()
    assert not people.exclude(sex__in=["f", "m"]).exists()
    holsbeek = people.filter(spells__centre__code="holsbeek").distinct()
    assert holsbeek.exists() and not holsbeek.exclude(sex="f").exists()
    vulnerable = [v for vs in people.values_list("vulnerabilities", flat=True) for v in vs]
    assert {"medical", "psychological", "claimed_minor", "pregnancy"} <= set(vulnerable)
    assert len(set(people.values_list("nationality", flat=True))) >= 15
    met = people.annotate(first=Min("accompaniments__visit__date"))
    for number, person in enumerate(met):
        assert 16 <= person.first.year - person.birth_year <= 80
        assert person.languages
        if number % 10 == 0:
            person.full_clean(validate_unique=False, validate_constraints=False)


def test_the_meetings_have_topics_actions_and_next_steps():
    assert not Accompaniment.objects.filter(topics=None).exists()
    assert not Accompaniment.objects.filter(actions="").exists()
    assert Accompaniment.objects.exclude(next_step="").filter(next_step_on__isnull=False).exists()
    families = Accompaniment.objects.filter(person__family__isnull=False)
    assert not families.exclude(
        topics__code__in=["families-children", "legal-aid", "medical-care", "outside-contact"]
    ).exists()


# --- Families -----------------------------------------------------------------------------


def test_each_family_has_its_adults_as_members_held_in_a_family_centre_with_children():
    for family in Family.objects.prefetch_related("members__spells__centre"):
        members = list(family.members.all())
        assert len(members) == family.adults in (1, 2)
        assert family.children_ages and all(0 <= age <= 17 for age in family.children_ages)
        for member in members:
            assert member.organisation_id == family.organisation_id
            assert {spell.centre.kind for spell in member.spells.all()} <= set(FAMILY_KINDS)
            met_in = int(family.code.split("-")[1])  # the year of the first meeting
            assert member.birth_year <= met_in - 18 - max(family.children_ages)
        assert len({member.nationality for member in members}) == 1


def test_families_are_not_counted_among_the_people_of_the_adult_centres():
    in_families = Person.objects.filter(family__isnull=False)
    assert in_families.exists()
    assert not in_families.filter(
        accompaniments__visit__centre__kind=Centre.Kind.ADULT_CENTRE
    ).exists()


# --- Identities ---------------------------------------------------------------------------


def test_every_person_has_an_encrypted_identity_with_its_name_index():
    assert Identity.objects.count() == Person.objects.count()
    for identity in Identity.objects.all():
        assert identity.given_names and identity.surname and identity.office_number
        assert identity.name_index == crypto.blind_index(identity.full_name())
        # ISO, as the identity form's date input reads and sends it.
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", identity.date_of_birth)
    identity = Identity.objects.select_related("person").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT surname, given_names FROM detainees_identity WHERE id = %s", [identity.pk]
        )
        raw = cursor.fetchone()
    assert identity.surname not in raw[0] and identity.given_names not in raw[1]


def test_no_demo_name_is_flagged_in_the_words_of_the_demo_reports():
    """The names are made-up combinations of common names that no French or Dutch
    report uses as ordinary words: the scanner would flag every report otherwise."""
    names = []
    for males, females, surnames in NAMES.values():
        given, family = (males + " " + females).split(), surnames.split()
        # Every given name and every surname at least once: the scanner looks for each.
        names += [f"{given[n % len(given)]} {family[n % len(family)]}" for n in range(20)]
    for language, kinds in PHRASES.items():
        for phrases in kinds.values():
            for phrase in phrases:
                assert pii.scan(phrase, known_names=names, language=language) == [], phrase


# --- Idempotence and determinism ----------------------------------------------------------


def test_running_the_demo_again_changes_nothing():
    before = everything()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert everything() == before
    assert people_accompanied(2022) == 628


def test_the_demo_draws_the_same_people_every_time():
    def drawn():
        # The 2022 and 2023 people (those held now are dated from today).
        of_years = Q(person__code__startswith="P-2022-") | Q(person__code__startswith="P-2023-")
        return sorted(
            Person.objects.filter(code__regex=r"^P-202[23]-").values_list(
                "code", "sex", "birth_year", "nationality", "organisation__short_name", "status"
            )
        ), sorted(
            Accompaniment.objects.filter(of_years).values_list(
                "person__code", "visit__centre__code", "visit__date"
            )
        )

    before = drawn()
    with disable_auditlog():
        Person.objects.all().delete()
        Family.objects.all().delete()
        Visit.objects.filter(centre__kind__in=FAMILY_KINDS).delete()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert drawn() == before


# --- The benchmark ------------------------------------------------------------------------


def test_the_benchmark_refuses_sqlite_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    before = Person.objects.count()
    with pytest.raises(CommandError, match="PostgreSQL's generate_series.*SQLite is not"):
        call_command("bench_people", "--accompaniments", "1000", stdout=StringIO())
    assert Person.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark needs PostgreSQL")
def test_the_benchmark_measures_every_page_and_leaves_nothing_behind():
    before = everything()
    out = StringIO()
    call_command("bench_people", "--accompaniments", "750", "--runs", "1", stdout=out)
    text = out.getvalue()
    assert "Built 151 people, 800 accompaniments" in text
    for line in ("visitor      list ", "coordinator  detail, 50 meetings"):
        assert line in text
    assert "Rolled back" in text
    assert everything() == before


# --- The demo lives today ---------------------------------------------------------------


def test_the_current_year_has_people_met_at_the_density_of_2023():
    today = timezone.localdate()
    first = max(date(today.year, 1, 1), today - timedelta(weeks=8))
    first = min(first, date(today.year, 1, 1))
    expected = 794 * ((today - first).days + 1) / 365
    met = Person.objects.filter(accompaniments__visit__date__range=(first, today)).distinct()
    assert abs(met.count() - expected) <= 0.1 * expected + 15
    families = Family.objects.filter(members__accompaniments__visit__date__range=(first, today))
    assert families.distinct().count() >= round(41 * ((today - first).days + 1) / 365) - 1


def test_people_are_held_today_and_were_met_this_week_and_the_last():
    today = timezone.localdate()
    held = Person.objects.filter(spells__end__isnull=True).distinct()
    assert held.count() >= 30
    recent = held.filter(accompaniments__visit__date__gte=today - timedelta(days=14))
    assert recent.distinct().count() >= 10
    # Nobody is held beyond the legal maximum of their order.
    from detainees.clock import maxima

    for spell in DetentionSpell.objects.filter(end__isnull=True).order_by("pk")[:200]:
        assert maxima(spell.ground, spell.start)[-1][0] > today - timedelta(days=1)


def test_files_followed_now_are_shared_between_organisations_of_the_coalition():
    from detainees.models import PersonGroupObjectPermission

    shares = PersonGroupObjectPermission.objects.filter(permission__codename="view_person")
    pairs = set(
        shares.values_list(
            "content_object__organisation__short_name", "group__organisation__short_name"
        )
    )
    assert pairs == {("JRS", "Caritas"), ("Caritas", "VWV"), ("VWV", "JRS")}
    assert (
        PersonGroupObjectPermission.objects.filter(permission__codename="view_identity").count()
        == 3
    )
    assert (
        not shares.filter(content_object__spells__end__isnull=False)
        .exclude(content_object__spells__end__isnull=True)
        .exists()
    )
