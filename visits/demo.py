"""Demo data of the visits app: the themes of the observations, as the coalition names
them in its reports, and two years of weekly visits."""

import random
from datetime import date, datetime, time

from auditlog.context import disable_auditlog
from django.utils import timezone

from visits.models import Theme

# code, French, Dutch
THEMES = [
    ("medical-care", "Soins médicaux", "Medische zorg"),
    ("mental-health", "Santé mentale", "Geestelijke gezondheid"),
    ("isolation", "Régime d'isolement", "Isolatieregime"),
    ("legal-aid", "Aide juridique", "Juridische bijstand"),
    ("families-children", "Familles et enfants", "Gezinnen en kinderen"),
    ("use-of-force", "Usage de la force", "Gebruik van geweld"),
    ("removal-attempts", "Tentatives d'éloignement", "Verwijderingspogingen"),
    ("living-conditions", "Conditions de vie", "Leefomstandigheden"),
    ("outside-contact", "Contacts avec l'extérieur", "Contact met de buitenwereld"),
    ("other", "Autre", "Andere"),
]


def seed_themes() -> None:
    for position, (code, name_fr, name_nl) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            code=code, defaults={"name_fr": name_fr, "name_nl": name_nl, "position": position}
        )


# Demo visits: almost every adult centre almost every week of 2022 and 2023, by the
# demo visitors, drawn with a fixed seed so that every run gives the same records.
DEMO_YEARS = (2022, 2023)
WEEKS_VISITED = 0.93


def seed_visits() -> None:
    from move.accounts.models import User
    from move.accounts.permissions import Role
    from move.centres.models import Centre
    from visits.models import Visit
    from visits.services import weeks_in

    if Visit.objects.filter(date__year__in=DEMO_YEARS).exists():
        return  # already seeded: the demo stays as it is
    chance = random.Random(2022)
    visitors = list(
        User.objects.filter(memberships__role=Role.VISITOR).distinct().order_by("email")
    )
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
    Visit.objects.bulk_create(visits)
    Through = Visit.visitors.through
    Through.objects.bulk_create(
        Through(visit_id=visit.pk, user_id=person.pk)
        for visit, people in zip(visits, pairs, strict=True)
        for person in people
    )


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
    from move.accounts.models import Organisation
    from visits import search
    from visits.models import Visit, VisitReport

    if VisitReport.objects.exists():
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
    # The observations were bulk-created (no signal): their words join the search now.
    search.update_search_vectors(VisitReport.objects.all())


def _write_reports(chance, visits, themes, partners) -> None:
    from move.accounts import permissions
    from visits.models import Observation, VisitReport

    for number, visit in enumerate(chance.sample(visits, k=min(REPORTS_2022, len(visits)))):
        author = chance.choice(list(visit.visitors.all()))
        language = author.language if author.language in PHRASES else "fr"
        words = PHRASES[language]
        met = chance.randint(1, 8)
        report = VisitReport.objects.create(
            visit=visit,
            organisation=min(author.memberships.all(), key=lambda m: m.pk).organisation,
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
        report.authors.add(author)
        Observation.objects.bulk_create(
            Observation(
                report=report,
                theme=chance.choice(themes),
                centre=visit.centre,
                text=chance.choice(words["observations"]),
                severity=chance.choice(["low", "medium", "medium", "high"]),
                raise_with_authorities=chance.random() < 0.2,
                position=position,
            )
            for position in range(chance.randint(1, 3))
        )
        if number % SHARED_EVERY == 0:
            for organisation in partners:
                permissions.share(report, organisation, "view_visitreport")
            VisitReport.objects.filter(pk=report.pk).update(status=VisitReport.Status.SHARED)
