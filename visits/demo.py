"""Demo data of the visits app: the themes of the observations, as the coalition names
them in its reports, and two years of weekly visits."""

import random
from datetime import date, datetime, time, timedelta

from auditlog.context import disable_auditlog
from django.utils import timezone

from visits.models import Theme

# code, French, Dutch
THEMES = [
    ("medical-care", "Soins médicaux", "Medische zorg", "Medical care"),
    ("mental-health", "Santé mentale", "Geestelijke gezondheid", "Mental health"),
    ("isolation", "Régime d'isolement", "Isolatieregime", "Isolation regime"),
    ("legal-aid", "Aide juridique", "Juridische bijstand", "Legal aid"),
    ("families-children", "Familles et enfants", "Gezinnen en kinderen", "Families and children"),
    ("use-of-force", "Usage de la force", "Gebruik van geweld", "Use of force"),
    ("removal-attempts", "Tentatives d'éloignement", "Verwijderingspogingen", "Removal attempts"),
    ("living-conditions", "Conditions de vie", "Leefomstandigheden", "Living conditions"),
    (
        "outside-contact",
        "Contacts avec l'extérieur",
        "Contact met de buitenwereld",
        "Outside contact",
    ),
    ("other", "Autre", "Andere", "Other"),
]


def seed_themes() -> None:
    for position, (code, name_fr, name_nl, name_en) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            code=code,
            defaults={
                "name_fr": name_fr,
                "name_nl": name_nl,
                "name_en": name_en,
                "position": position,
            },
        )


# Demo visits: almost every adult centre almost every week of 2022 and 2023, by the
# demo visitors, drawn with a fixed seed so that every run gives the same records.
DEMO_YEARS = (2022, 2023)
WEEKS_VISITED = 0.93


def seed_visits() -> None:
    from move.accounts.models import User
    from move.accounts.permissions import Role

    visitors = list(
        User.objects.filter(memberships__role=Role.VISITOR).distinct().order_by("email")
    )
    if not visitors:
        return
    _seed_year_visits(visitors)
    seed_live_visits(timezone.localdate(), visitors)


def _seed_year_visits(visitors) -> None:
    from move.centres.models import Centre
    from visits.models import Visit
    from visits.services import weeks_in

    if Visit.objects.filter(date__year__in=DEMO_YEARS).exists():
        return  # already seeded: the demo stays as it is
    chance = random.Random(2022)
    centres = list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code"))
    visits, pairs = [], []
    for year in DEMO_YEARS:
        for week in range(1, weeks_in(year) + 1):
            for centre in centres:
                if chance.random() > WEEKS_VISITED:
                    continue
                day = date.fromisocalendar(year, week, chance.randint(1, 5))
                visits.append(Visit(centre=centre, date=day, status=Visit.Status.DONE))
                pairs.append(chance.sample(visitors, k=min(len(visitors), chance.randint(1, 2))))
    _save_visits(visits, pairs)


def _save_visits(visits, pairs) -> None:
    from visits.models import Visit

    Visit.objects.bulk_create(visits)
    Through = Visit.visitors.through
    Through.objects.bulk_create(
        Through(visit_id=visit.pk, user_id=person.pk)
        for visit, people in zip(visits, pairs, strict=True)
        for person in people
    )


# The demo lives today (DESIGN.md §8): the current year up to today at the density of
# 2022-2023, and the visits planned for the next weeks. Drawn with a fixed seed from
# the date of seeding, so that the demo loaded on a given day is always the same.
LIVE_SEED = 2026
WEEKS_AHEAD = 4
# At least this many weeks behind today, so that a demo loaded in January still has a
# past (weeks of the previous year then join the live window).
WEEKS_BEHIND = 8
PLANNED_CHANCE = {1: 0.85, 2: 0.75, 3: 0.6, 4: 0.5}  # weeks ahead → chance a visit is planned
# The persona visitors (DESIGN.md §8) take part in the visits of the weeks around today,
# so that their first screen shows their own visits, drafts and plans.
PERSONA_VISITORS = ("visitor.caritas@move.test", "visitor.jrs@move.test", "visitor.vwv@move.test")
PERSONA_WEEKS = (-2, -1, 0, 1, 2)


def live_window(today: date) -> tuple[date, date]:
    """The first and the last day of the live demo: the current year (at least
    WEEKS_BEHIND weeks) up to WEEKS_AHEAD weeks after today; never inside the years of
    the activity reports, which keep their own records."""
    start = min(date(today.year, 1, 1), today - timedelta(weeks=WEEKS_BEHIND))
    return max(start, date(max(DEMO_YEARS) + 1, 1, 1)), today + timedelta(weeks=WEEKS_AHEAD)


def is_seeded_live(today: date) -> bool:
    """Whether the live visits are there: planned ones after today, or done ones more
    than a week old (the people held now are met two days before, see detainees)."""
    from visits.models import Visit

    start, end = live_window(today)
    return Visit.objects.filter(date__range=(start, today - timedelta(days=7))).exists() or (
        Visit.objects.filter(date__gt=today, date__lte=end).exists()
    )


def seed_live_visits(today: date, visitors) -> None:
    """Every centre almost every week (each adult centre this week), done until today,
    planned after."""
    from move.centres.models import Centre
    from visits.models import Visit

    if is_seeded_live(today):
        return
    chance = random.Random(f"{LIVE_SEED}-{today.isoformat()}")
    start, end = live_window(today)
    adult = list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code"))
    family = list(
        Centre.objects.filter(kind__in=[Centre.Kind.FAMILY_UNIT, Centre.Kind.RETURN_HOUSE])
        .filter(active=True)
        .order_by("kind", "code")
    )
    personas = {user.email: user for user in visitors if user.email in PERSONA_VISITORS}
    this_monday = today - timedelta(days=today.weekday())
    visits, pairs = [], []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        offset = (monday - this_monday).days // 7
        week: list[tuple[Visit, list]] = []
        for centre in adult + family:
            if not _visited(chance, centre, monday, offset):
                continue
            last = min(monday + timedelta(days=4), today) if offset == 0 else monday + timedelta(4)
            day = monday + timedelta(days=chance.randint(0, (last - monday).days))
            if day < start or day > end:
                continue
            done = day <= today
            people = chance.sample(visitors, k=chance.choice([1, 2, 2]))
            visit = Visit(
                centre=centre,
                date=day,
                status=Visit.Status.DONE if done else Visit.Status.PLANNED,
                planned_by=None if done else people[0],
            )
            week.append((visit, people))
        if offset in PERSONA_WEEKS:
            _with_personas(week, personas, offset)
        for visit, people in week:
            visits.append(visit)
            pairs.append(people)
        monday += timedelta(weeks=1)
    _save_visits(visits, pairs)


RETURN_HOUSES_VISITED = 0.8


def _visited(chance, centre, monday: date, offset: int) -> bool:
    """Adult centres and the family unit almost every week (every one this week), the
    return houses most weeks; fewer visits planned the further ahead."""
    draw = chance.random()
    if offset > 0:
        return draw < PLANNED_CHANCE.get(offset, 0.5)
    if centre.kind == centre.Kind.RETURN_HOUSE:
        return draw < RETURN_HOUSES_VISITED
    return offset == 0 or draw < WEEKS_VISITED


def _with_personas(week, personas, offset: int) -> None:
    """Each persona visitor goes to one adult centre of the week (a different one each
    week), with a colleague already there."""
    adult = [(visit, people) for visit, people in week if visit.centre.kind == "adult_centre"]
    for index, email in enumerate(PERSONA_VISITORS):
        if email not in personas or not adult:
            continue
        visit, people = adult[(index * 2 + offset) % len(adult)]
        if personas[email] not in people:
            people[:] = [personas[email], *people[:1]]
        if visit.status == visit.Status.PLANNED:
            visit.planned_by = personas[email]


# Demo reports: about 300 of the 2022 visits have a report, written in its author's
# language, with observations across the themes; a few are shared with the partners.
REPORTS_2022 = 300
SHARED_EVERY = 12
PHRASES = {
    "fr": {
        "conditions": [
            "Le centre était calme ; la salle des visites était ouverte à l'heure prévue.",
            "Beaucoup de nouvelles arrivées cette semaine, le personnel semblait débordé.",
            "Les visites ont commencé avec une heure de retard à cause d'un transfert.",
        ],
        "atmosphere": [
            "Ambiance tendue après une tentative d'éloignement dans la nuit.",
            "Ambiance plutôt sereine, plusieurs personnes attendaient notre passage.",
            "Inquiétude générale au sujet des délais de recours.",
        ],
        "observations": [
            "Une personne n'a pas vu de médecin malgré plusieurs demandes.",
            "Le régime d'isolement a été prolongé sans explication écrite.",
            "L'avocat pro deo n'avait pas encore pris contact.",
            "Une famille avec deux enfants a été placée en unité familiale.",
            "Une personne dit avoir été menottée pendant tout le transfert.",
            "Les contacts téléphoniques avec l'extérieur restent très limités.",
        ],
    },
    "nl": {
        "conditions": [
            "Het centrum was rustig; de bezoekzaal ging op tijd open.",
            "Veel nieuwe aankomsten deze week, het personeel leek overbelast.",
            "De bezoeken begonnen een uur later door een overbrenging.",
        ],
        "atmosphere": [
            "Gespannen sfeer na een verwijderingspoging tijdens de nacht.",
            "Eerder rustige sfeer, meerdere mensen wachtten op ons bezoek.",
            "Algemene ongerustheid over de beroepstermijnen.",
        ],
        "observations": [
            "Iemand heeft ondanks herhaalde vragen nog geen arts gezien.",
            "Het isolatieregime werd verlengd zonder schriftelijke uitleg.",
            "De pro-Deoadvocaat had nog geen contact opgenomen.",
            "Een gezin met twee kinderen werd in een gezinsunit geplaatst.",
            "Iemand zegt tijdens de hele overbrenging geboeid te zijn geweest.",
            "Telefonisch contact met de buitenwereld blijft erg beperkt.",
        ],
    },
}


def seed_reports() -> None:
    from visits import search
    from visits.models import VisitReport

    _seed_2022_reports()
    today = timezone.localdate()
    start, _end = live_window(today)
    if not VisitReport.objects.filter(visit_date__gte=start).exists():
        seed_live_reports(today)
    # The observations were bulk-created (no signal): their words join the search now.
    search.update_search_vectors(VisitReport.objects.filter(search_vector=None))


def _seed_2022_reports() -> None:
    from move.accounts.models import Organisation
    from visits.models import Visit, VisitReport

    if VisitReport.objects.filter(visit_date__year__in=DEMO_YEARS).exists():
        return
    chance = random.Random(2023)
    visits = list(
        Visit.objects.filter(date__year=2022, status=Visit.Status.DONE)
        .prefetch_related("visitors__memberships")
        .order_by("date", "centre__code")
    )
    themes = list(Theme.objects.order_by("position"))
    partners = list(Organisation.objects.filter(kind=Organisation.Kind.PARTNER))
    # The demo reports arrive submitted: their history of corrections starts empty.
    with disable_auditlog():
        _write_reports(chance, visits, themes, partners)


def _write_reports(chance, visits, themes, partners) -> None:
    from visits.models import VisitReport

    reports, authors, observations = [], [], []
    for visit in chance.sample(visits, k=min(REPORTS_2022, len(visits))):
        author = chance.choice(list(visit.visitors.all()))
        language = author.language if author.language in PHRASES else "fr"
        words = PHRASES[language]
        met = chance.randint(1, 8)
        reports.append(
            VisitReport(
                visit=visit,
                visit_date=visit.date,
                centre_id=visit.centre_id,
                organisation_id=min(author.memberships.all(), key=lambda m: m.pk).organisation_id,
                language=language,
                status=VisitReport.Status.SUBMITTED,
                submitted_at=timezone.make_aware(datetime.combine(visit.date, time(18))),
                general_conditions=chance.choice(words["conditions"]),
                atmosphere=chance.choice(words["atmosphere"]),
                people_met=met,
                people_new=chance.randint(0, met),
                families=chance.choice([0, 0, 0, 1]),
                minors_claimed=chance.choice([0, 0, 0, 0, 1]),
            )
        )
        authors.append(author)
        observations.append(
            _observations(chance, themes, words, visit.centre_id, chance.randint(1, 3))
        )
    _save_reports(reports, authors, observations)
    for number, (report, author) in enumerate(zip(reports, authors, strict=True)):
        if number % SHARED_EVERY == 0:
            _share(report, partners, by=author)


def _save_reports(reports, authors, observations) -> None:
    """The reports, their authors and their observations, in a few bulk inserts."""
    from visits.models import Observation, VisitReport

    VisitReport.objects.bulk_create(reports)
    Authors = VisitReport.authors.through
    Authors.objects.bulk_create(
        Authors(visitreport_id=report.pk, user_id=author.pk)
        for report, author in zip(reports, authors, strict=True)
    )
    for report, items in zip(reports, observations, strict=True):
        for item in items:
            item.report = report
    Observation.objects.bulk_create(item for items in observations for item in items)


# The live year's reports: every visit of an adult centre has its report a few days
# later; the visits of the last days have drafts in progress (always those of the
# persona visitors) or no report yet; some reports are shared with the partners.
DRAFT_DAYS = 3
LIVE_SHARED_EVERY = 8
DRAFT_PHRASES = {
    "fr": "Notes prises pendant la visite, à compléter : ",
    "nl": "Notities tijdens het bezoek, nog aan te vullen: ",
}


def seed_live_reports(today: date) -> None:
    from move.centres.models import Centre
    from visits.models import Visit

    start, _end = live_window(today)
    visits = list(
        Visit.objects.filter(
            date__range=(start, today),
            status=Visit.Status.DONE,
            centre__kind=Centre.Kind.ADULT_CENTRE,
        )
        .prefetch_related("visitors__memberships")
        .order_by("date", "centre__code", "pk")
    )
    if not visits:
        return
    with disable_auditlog():
        _write_live_reports(random.Random(f"{LIVE_SEED}-reports-{today}"), today, visits)


def _write_live_reports(chance, today: date, visits) -> None:
    from django.db.models import DateTimeField, F, Value
    from django.db.models.functions import Cast

    from move.accounts.models import Organisation
    from visits.models import VisitReport

    themes = list(Theme.objects.order_by("position"))
    partners = list(Organisation.objects.filter(kind=Organisation.Kind.PARTNER).order_by("pk"))
    # Each persona visitor is writing the report of their latest visit of the week.
    latest = {}
    for visit in visits:
        if (today - visit.date).days <= 7:
            for user in visit.visitors.all():
                if user.email in PERSONA_VISITORS:
                    latest[user.email] = (visit, user)
    drafting = {visit.pk: user for visit, user in latest.values()}
    reports, authors, observations = [], [], []
    for visit in visits:
        people = sorted(visit.visitors.all(), key=lambda user: user.email)
        recent = (today - visit.date).days <= DRAFT_DAYS or visit.pk in drafting
        if not people or (recent and visit.pk not in drafting and chance.random() < 0.5):
            continue  # the report is not started yet
        author = drafting.get(visit.pk) or chance.choice(people)
        language = author.language if author.language in PHRASES else "fr"
        words = PHRASES[language]
        membership = min(author.memberships.all(), key=lambda m: m.pk)
        met = chance.randint(1, 8)
        evening = timezone.make_aware(datetime.combine(visit.date, time(18)))
        report = VisitReport(
            visit=visit,
            visit_date=visit.date,
            centre_id=visit.centre_id,
            organisation_id=membership.organisation_id,
            language=language,
            last_saved_by=author,
            people_met=met,
            people_new=chance.randint(0, met),
            families=chance.choice([0, 0, 0, 1]),
            minors_claimed=chance.choice([0, 0, 0, 0, 1]),
        )
        if recent:
            report.status = VisitReport.Status.DRAFT
            report.general_conditions = DRAFT_PHRASES[language] + chance.choice(words["conditions"])
            count = chance.choice([0, 1])
        else:
            report.status = VisitReport.Status.SUBMITTED
            report.submitted_at = evening + timedelta(days=chance.choice([0, 1, 1, 2]))
            report.general_conditions = chance.choice(words["conditions"])
            report.atmosphere = chance.choice(words["atmosphere"])
            count = chance.randint(1, 3)
        reports.append(report)
        authors.append(author)
        observations.append(_observations(chance, themes, words, visit.centre_id, count))
    _save_reports(reports, authors, observations)
    # Written on the evening of the visit, submitted then (bulk_create stamps now).
    written = VisitReport.objects.filter(pk__in=[report.pk for report in reports])
    written.update(created_at=Cast("visit_date", DateTimeField()) + Value(timedelta(hours=18)))
    written.exclude(submitted_at=None).update(updated_at=F("submitted_at"))
    submitted = [
        (report, author)
        for report, author in zip(reports, authors, strict=True)
        if report.status == VisitReport.Status.SUBMITTED
    ]
    for number, (report, author) in enumerate(submitted):
        if number % LIVE_SHARED_EVERY == 0:
            shared_with = partners if number % (2 * LIVE_SHARED_EVERY) == 0 else partners[:1]
            _share(report, shared_with, by=author)


def _share(report, partners, *, by) -> None:
    """Shared with the partners by one of its authors the day after it was submitted,
    as visits.reports.share records it (without its checks: the demo's words are
    known to be free of personal data, see tests/detainees/test_demo.py)."""
    from move.accounts import permissions
    from visits.models import ReportShare, VisitReport

    records = []
    for organisation in partners:
        permissions.share(report, organisation, "view_visitreport")
        records.append(ReportShare(report=report, organisation=organisation, shared_by=by))
    ReportShare.objects.bulk_create(records)
    ReportShare.objects.filter(report=report).update(
        shared_at=report.submitted_at + timedelta(days=1)
    )
    VisitReport.objects.filter(pk=report.pk).update(status=VisitReport.Status.SHARED)


def _observations(chance, themes, words, centre_id, count) -> list:
    """`count` observations of a demo report, drawn from `chance` (the caller's seed)."""
    from visits.models import Observation

    return [
        Observation(
            theme=chance.choice(themes),
            centre_id=centre_id,
            text=chance.choice(words["observations"]),
            severity=chance.choice(["low", "medium", "medium", "high"]),
            raise_with_authorities=chance.random() < 0.2,
            position=position,
        )
        for position in range(count)
    ]
