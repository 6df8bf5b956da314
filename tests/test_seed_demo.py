"""`manage.py seed_demo` keeps the demo data contract of DESIGN.md §8."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from move.accounts.demo import PERSONAS, VISITORS
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from move.centres.models import Centre, CentreYear

# DESIGN.md §8, word for word.
DEMO_EMAILS = {
    "coordinator@move.test",
    "lawyer@move.test",
    "visitor.jrs@move.test",
    "visitor.caritas@move.test",
    "visitor.vwv@move.test",
    "advocacy@move.test",
    "witness@move.test",
    "partner.myria@move.test",
    "partner.nansen@move.test",
}
ALL_EMAILS = DEMO_EMAILS | {email for email, *_rest in VISITORS}
ORGANISATIONS = {"Move", "Caritas", "CIRÉ", "JRS", "VWV", "Point d'Appui", "Myria", "Nansen"}
ADULT_CENTRE_TOWNS = {"Steenokkerzeel", "Brugge", "Merksplas", "Vottem", "Holsbeek"}
ADULT_CENTRES = ["127bis", "Caricole", "Bruges", "Merksplas", "Vottem", "Holsbeek"]

pytestmark = pytest.mark.django_db


def everything():
    """What the command may create, counted."""
    from detainees.models import Accompaniment, Person, PersonGroupObjectPermission
    from visits.models import Observation, ReportShare, Visit, VisitReport

    models = (Organisation, Group, User, Membership, Centre, CentreYear, Visit, VisitReport)
    models += (Observation, ReportShare, Person, Accompaniment, PersonGroupObjectPermission)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo seeded once for the tests that only read it (≈ 2 s a seeding on
    PostgreSQL), rolled back after the module. The tests that seed it themselves come
    first in this file, before this fixture is set up."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, settings):
    settings.DEBUG = True  # the idempotence tests run the command again


def adult_centres():
    return Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE)


def detained_in_adult_centres(year):
    rows = CentreYear.objects.filter(centre__kind=Centre.Kind.ADULT_CENTRE, year=year)
    return rows.aggregate(total=Sum("people_detained"))["total"]


# --- Refusal ------------------------------------------------------------------------------


def test_the_demo_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    before = everything()
    with pytest.raises(CommandError, match="refuses to run when MOVE_DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert everything() == before
    assert not User.objects.filter(email__in=DEMO_EMAILS).exists()


def test_the_demo_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert set(User.objects.values_list("email", flat=True)) == ALL_EMAILS
    assert "Demo data ready." in out.getvalue()


def test_the_demo_says_which_accounts_it_made(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "8 organisations, 12 centres, 23 accounts" in text
    for email in ALL_EMAILS:
        assert email in text


def test_the_demo_password_is_read_from_the_settings(settings):
    settings.DEBUG = True
    settings.MOVE_DEMO_PASSWORD = "another-demo-password"
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="coordinator@move.test")
    assert user.check_password("another-demo-password")
    assert not user.check_password("demo-move-2026")


# --- Organisations and people -------------------------------------------------------------


def test_the_demo_creates_the_eight_organisations(seeded):
    assert set(Organisation.objects.values_list("short_name", flat=True)) == ORGANISATIONS
    assert Organisation.objects.get(short_name="Point d'Appui").member_of.short_name == "CIRÉ"
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER)
    assert set(partners.values_list("short_name", flat=True)) == {"Myria", "Nansen"}


def test_the_demo_organisations_have_french_and_dutch_names(seeded):
    assert not Organisation.objects.filter(Q(name_fr="") | Q(name_nl="")).exists()


def test_the_demo_creates_one_account_per_persona_with_the_documented_emails(seeded):
    assert set(User.objects.values_list("email", flat=True)) == ALL_EMAILS
    assert {email for email, *_rest in PERSONAS} == DEMO_EMAILS


def test_the_demo_has_the_17_visitors_of_the_activity_report_over_the_four_organisations(
    seeded,
):
    """Counted from the memberships; the three visitor personas are among them."""
    visitors = Membership.objects.filter(role=Role.VISITOR)
    assert visitors.values("user").distinct().count() == 17
    assert {"visitor.jrs@move.test", "visitor.caritas@move.test", "visitor.vwv@move.test"} <= set(
        visitors.values_list("user__email", flat=True)
    )
    per_organisation = {}
    for organisation in visitors.values_list("organisation__short_name", flat=True):
        # Point d'Appui is a member of CIRÉ: its visitors are CIRÉ's in the report.
        key = "CIRÉ" if organisation == "Point d'Appui" else organisation
        per_organisation[key] = per_organisation.get(key, 0) + 1
    assert set(per_organisation) == {"JRS", "Caritas", "CIRÉ", "VWV"}
    assert min(per_organisation.values()) >= 3
    languages = set(
        User.objects.filter(memberships__in=visitors).values_list("language", flat=True)
    )
    assert languages == {"fr", "nl"}


@pytest.mark.parametrize(
    ("email", "organisation", "role"),
    [(email, organisation, role) for email, _f, _l, _lang, organisation, role in PERSONAS],
)
def test_each_persona_has_its_role_in_its_organisation(email, organisation, role, seeded):
    user = User.objects.get(email=email)
    assert list(user.memberships.values_list("organisation__short_name", "role")) == [
        (organisation, role)
    ]
    assert user.groups.filter(organisation__short_name=organisation).exists()
    assert list(user.groups.all()) == [Organisation.objects.get(short_name=organisation).group]


def test_every_persona_role_is_present(seeded):
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_the_demo_password_opens_every_account(seeded, settings):
    for user in User.objects.all():
        assert user.check_password(settings.MOVE_DEMO_PASSWORD), user.email
        assert user.is_active and not user.is_superuser


# --- Centres and figures ------------------------------------------------------------------


def test_the_demo_creates_the_six_adult_centres(seeded):
    centres = adult_centres()
    assert centres.count() == 6
    names = " ".join(centres.values_list("name_fr", flat=True))
    for name in ADULT_CENTRES:
        assert name in names
    assert set(centres.values_list("town", flat=True)) == ADULT_CENTRE_TOWNS
    assert centres.get(code="127bis").town == "Steenokkerzeel"


def test_the_demo_creates_family_units_and_return_houses(seeded):
    assert Centre.objects.filter(kind=Centre.Kind.FAMILY_UNIT).exists()
    assert Centre.objects.filter(kind=Centre.Kind.RETURN_HOUSE).count() >= 2


def test_every_demo_centre_has_french_and_dutch_names(seeded):
    assert not Centre.objects.filter(Q(name_fr="") | Q(name_nl="")).exists()


@pytest.mark.parametrize(("year", "total"), [(2022, 4285), (2023, 4915)])
def test_the_figures_of_the_six_adult_centres_add_up_to_the_official_total(year, total, seeded):
    assert detained_in_adult_centres(year) == total
    rows = CentreYear.objects.filter(year=year, centre__in=adult_centres())
    assert rows.count() == 6
    assert not rows.filter(people_detained__isnull=True).exists()


def test_every_demo_record_passes_the_validation_of_its_model(seeded):
    """SQLite does not enforce field lengths; PostgreSQL does, and so does full_clean."""
    for model in (Organisation, Centre, CentreYear, Membership):
        for record in model.objects.all():
            record.full_clean()


def test_every_demo_figure_has_its_source(seeded):
    assert CentreYear.objects.exists()
    assert not CentreYear.objects.filter(
        Q(people_detained__isnull=False, people_detained_source="")
        | Q(capacity__isnull=False, capacity_source="")
    ).exists()


# --- Idempotence --------------------------------------------------------------------------


def test_running_the_demo_twice_changes_nothing(seeded):
    before = everything()
    rows = sorted(CentreYear.objects.values_list(), key=repr)
    passwords = dict(User.objects.values_list("email", "password"))
    call_command("seed_demo", stdout=StringIO())
    assert everything() == before
    assert sorted(CentreYear.objects.values_list(), key=repr) == rows
    assert dict(User.objects.values_list("email", "password")) == passwords
    assert detained_in_adult_centres(2022) == 4285


def test_running_the_demo_twice_makes_no_duplicate_memberships(seeded):
    call_command("seed_demo", stdout=StringIO())
    assert Membership.objects.count() == len(PERSONAS) + len(VISITORS)
    for user in User.objects.all():
        assert user.memberships.count() == 1
        assert user.groups.count() == 1


# --- The demo lives today (issue 9 §6) ----------------------------------------------------

PERSONA_VISITORS = ["visitor.jrs@move.test", "visitor.caritas@move.test", "visitor.vwv@move.test"]


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def test_every_adult_centre_is_visited_almost_every_week_of_this_year(seeded):
    from visits import coverage

    today = timezone.localdate()
    start = max(date(today.year, 1, 1), date(2024, 1, 1))
    weeks = coverage.weeks_from(start, (this_monday() - coverage.monday_of(start)).days // 7, today)
    rows = [row for row in coverage.grid(weeks, today) if row.centre.kind == "adult_centre"]
    cells = [cell for row in rows for cell in row.cells]
    if cells:  # not in the first days of January
        assert 0.85 <= cells.count("done") / len(cells) < 1.0


def test_the_current_week_of_the_coverage_grid_is_mostly_green(seeded):
    from visits import coverage

    today = timezone.localdate()
    weeks = coverage.weeks_from(coverage.default_start(today), coverage.WINDOW_WEEKS, today)
    now = next(n for n, week in enumerate(weeks) if week.current)
    column = [row.cells[now] for row in coverage.grid(weeks, today)]
    assert len(column) == 12
    assert column.count("done") >= 10
    adult = [
        row.cells[now] for row in coverage.grid(weeks, today) if row.centre.kind == "adult_centre"
    ]
    assert adult == ["done"] * 6


def test_visits_are_planned_for_each_of_the_next_four_weeks(seeded):
    from visits.models import Visit

    today = timezone.localdate()
    for ahead in range(1, 5):
        monday = this_monday() + timedelta(weeks=ahead)
        planned = Visit.objects.filter(date__range=(monday, monday + timedelta(days=6)))
        assert planned.count() >= 3, ahead
        assert set(planned.values_list("status", flat=True)) == {"planned"}
        assert not planned.filter(visitors=None).exists()
    assert not Visit.objects.filter(date__gt=today, status="done").exists()
    assert not Visit.objects.filter(date__lt=today, status="planned").exists()


@pytest.mark.parametrize("email", PERSONA_VISITORS)
def test_each_persona_visitor_has_a_week_of_real_use(email, seeded):
    """Visits done this week or last, one planned soon, a draft in progress."""
    from visits.models import VisitReport

    user = User.objects.get(email=email)
    today = timezone.localdate()
    assert user.visits.filter(date__range=(this_monday() - timedelta(weeks=1), today)).exists()
    assert user.visits.filter(date__gt=today, status="planned").exists()
    drafts = VisitReport.objects.filter(authors=user, status="draft")
    assert drafts.filter(visit_date__gte=today - timedelta(days=7)).exists()


def test_the_reports_of_this_year_are_written_submitted_and_shared(seeded):
    from visits.models import ReportShare, VisitReport

    today = timezone.localdate()
    this_year = VisitReport.objects.filter(visit_date__year=today.year)
    weeks = today.isocalendar().week
    assert this_year.filter(status__in=["submitted", "shared"]).count() >= 4 * weeks
    assert 3 <= VisitReport.objects.filter(status="draft").count() <= 12
    assert not VisitReport.objects.filter(
        status="draft", visit_date__lt=today - timedelta(8)
    ).exists()
    recent = ReportShare.objects.filter(report__visit_date__gte=today - timedelta(weeks=3))
    assert {"Myria", "Nansen"} <= set(recent.values_list("organisation__short_name", flat=True))
    for share in ReportShare.objects.select_related("report").order_by("pk")[:50]:
        assert share.report.status == "shared" and share.shared_by_id
        assert share.report.authors.filter(pk=share.shared_by_id).exists()
    assert not ReportShare.objects.exclude(report__status="shared").exists()


def test_the_first_screens_of_a_visitor_are_full(seeded, client):
    from django.urls import reverse

    from tests.conftest import sign_in
    from tests.factories import with_totp

    visitor = with_totp(User.objects.get(email="visitor.caritas@move.test"))
    sign_in(client, visitor)
    visits = client.get(reverse("visits:visit-list"))
    assert visits.status_code == 200
    assert visits.content.decode().count("<tr") >= 30  # four weeks back, four ahead
    coverage = client.get(reverse("visits:coverage"))
    assert coverage.status_code == 200
    assert coverage.content.decode().count('class="cell done') >= 80
