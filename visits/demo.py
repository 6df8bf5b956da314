"""Demo data of the visits app: the themes of the observations, as the coalition names
them in its reports, and two years of weekly visits."""

import random
from datetime import date

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
