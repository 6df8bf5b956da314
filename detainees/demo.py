"""Demo people: the case files behind the 2022 activity report (DESIGN.md §8).

In 2022 the visitors accompanied 628 people in the six adult centres and 37 families in
the family units and return houses; in 2023, 794 people and 41 families. The people are
spread over the adult centres in proportion to the official number detained there, met
one to three times during one detention spell, by the organisation of a visitor of the
visit where they were first met. Everything is drawn with a fixed seed and written with
bulk inserts: the same records on every machine, in well under a second.

The yearly figures come out of the records (`people_accompanied`, `families_accompanied`),
never from the constants below.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from detainees import clock, meeting_days
from detainees.models import (
    Accompaniment,
    DetentionSpell,
    Family,
    Identity,
    Person,
    Vulnerability,
)
from move.centres.models import Centre, CentreYear
from move.privacy import crypto

PEOPLE = {2022: 628, 2023: 794}
FAMILIES = {2022: 37, 2023: 41}
YEARS = tuple(PEOPLE)
FAMILY_KINDS = (Centre.Kind.FAMILY_UNIT, Centre.Kind.RETURN_HOUSE)
SEED = 4

# Share of the people met once, twice, three times.
MEETINGS = ((1, 50), (2, 30), (3, 20))
# A meeting is followed up within this many days, during the same spell and year.
FOLLOW_UP_DAYS = 90
# Share of people moved to another adult centre after their last meeting.
TRANSFERRED = 0.05

# Nationality: weight among the people met in adult centres, languages, names.
NATIONALITIES = {
    "MA": (14, ["ar", "fr"], "maghreb"),
    "DZ": (12, ["ar", "fr"], "maghreb"),
    "TN": (5, ["ar", "fr"], "maghreb"),
    "AL": (9, ["sq"], "albania"),
    "RO": (6, ["ro"], "romania"),
    "MD": (2, ["ro", "ru"], "romania"),
    "GE": (6, ["ka", "ru"], "georgia"),
    "GN": (5, ["fr", "ff"], "west_africa"),
    "SN": (3, ["fr", "wo"], "west_africa"),
    "CM": (3, ["fr", "en"], "central_africa"),
    "CD": (3, ["fr", "ln"], "central_africa"),
    "ER": (4, ["ti"], "horn"),
    "SO": (1, ["so"], "horn"),
    "AF": (4, ["fa", "ps"], "afghanistan"),
    "PK": (2, ["ur", "en"], "south_asia"),
    "IN": (2, ["hi", "en"], "south_asia"),
    "BR": (4, ["pt"], "brazil"),
    "CO": (1, ["es"], "colombia"),
    "UA": (1, ["uk", "ru"], "ukraine"),
    "IQ": (2, ["ar"], "middle_east"),
    "TR": (1, ["tr"], "turkey"),
}
# Families held with their children come from fewer places.
FAMILY_NATIONALITIES = {
    "AF": 4,
    "IQ": 3,
    "SY": 2,
    "AM": 3,
    "GE": 3,
    "RU": 3,
    "AL": 4,
    "BR": 3,
    "ER": 2,
    "SO": 1,
    "MA": 2,
}
FAMILY_ONLY = {"SY": (["ar"], "middle_east"), "AM": (["ru"], "armenia"), "RU": (["ru"], "chechnya")}

# Region: male given names, female given names, surnames. Made-up combinations of
# common names; none is also a common French or Dutch word (the PII scanner looks for
# them in reports, see tests/detainees/test_demo.py).
NAMES = {
    "maghreb": (
        "Mohamed Youssef Karim Hamza Bilal Rachid Anouar Mehdi Nabil Ayoub Soufiane Ilyas",
        "Fatima Khadija Nadia Samira Houda Salma",
        "El-Amrani Benali Bouzid Haddad Cherkaoui Belkacem Mansouri Ziani Ouali Tahiri Lahlou",
    ),
    "albania": (
        "Arben Ermal Besnik Gentian Kledi Dritan Fatmir",
        "Elira Anisa Blerta",
        "Hoxha Shehu Dervishi Krasniqi Gjoka Murati Bajrami",
    ),
    "romania": (
        "Andrei Florin Marius Gheorghe Vasile Cristian",
        "Ioana Elena Mihaela",
        "Popescu Ionescu Dumitru Munteanu Ciobanu Moldovan",
    ),
    "georgia": (
        "Giorgi Davit Levan Irakli Nika Zurab",
        "Nino Tamar Mariam",
        "Beridze Kapanadze Gelashvili Lomidze Tsiklauri Maisuradze",
    ),
    "west_africa": (
        "Mamadou Alpha Ibrahima Ousmane Souleymane Abdoulaye Moussa",
        "Aissatou Mariama Fatoumata Kadiatou",
        "Diallo Barry Camara Ndiaye Diop Sylla Keita Conde",
    ),
    "central_africa": (
        "Serge Patrick Blaise Christian Herve Cedric",
        "Chantal Aline Esther Mireille",
        "Mbala Kabongo Ilunga Tshibangu Mukendi Ngono Fotso Tchoupo",
    ),
    "horn": (
        "Yonas Dawit Tesfay Mehari Filmon Abdirahman",
        "Senait Selam Hodan Lidya",
        "Tesfamariam Ghebremedhin Habte Berhane Kidane Warsame",
    ),
    "afghanistan": (
        "Ahmad Khalid Farid Najib Hamid Zabihullah",
        "Zahra Maryam Fereshta",
        "Ahmadzai Popal Hakimi Rahimi Noorzai Sultani",
    ),
    "south_asia": (
        "Imran Arjun Rahul Harpreet Gurpreet Faisal",
        "Ayesha Priya",
        "Hussain Singh Sharma Iqbal Malik Chaudhry",
    ),
    "brazil": (
        "Lucas Thiago Rafael Gabriel Felipe João",
        "Juliana Fernanda Camila",
        "Oliveira Souza Pereira Rodrigues Almeida Ferreira",
    ),
    "colombia": (
        "Andrés Camilo Julián",
        "Valentina Daniela",
        "Gómez Martínez Restrepo Cárdenas",
    ),
    "ukraine": (
        "Oleksandr Dmytro Serhii Andrii",
        "Olena Iryna",
        "Shevchenko Kovalenko Bondarenko Tkachenko Melnyk",
    ),
    "middle_east": (
        "Hussein Mustafa Ahmed Omar Yasser",
        "Zainab Rania Lina",
        "Al-Obaidi Al-Jubouri Kadhim Al-Saadi Haddadin",
    ),
    "turkey": ("Mehmet Emre Burak", "Ayşe Elif", "Yılmaz Demirci Şahin Çelik"),
    "armenia": (
        "Armen Tigran Hayk Gor",
        "Anahit Lilit Gayane",
        "Grigoryan Petrosyan Harutyunyan Sargsyan",
    ),
    "chechnya": (
        "Ruslan Aslan Magomed Adam",
        "Zarema Madina Khava",
        "Umarov Isaev Magomedov Dadaev",
    ),
}

GROUNDS = (
    (DetentionSpell.Ground.IRREGULAR_STAY, 70),
    (DetentionSpell.Ground.DUBLIN, 12),
    (DetentionSpell.Ground.BORDER, 8),
    (DetentionSpell.Ground.PUBLIC_ORDER, 10),
)
OUTCOMES = {
    DetentionSpell.Ground.DUBLIN: (("transferred_abroad", 70), ("released", 30)),
    "default": (("removed", 45), ("released", 42), ("other", 5), ("transferred_abroad", 8)),
    "family": (("removed", 45), ("released", 45), ("other", 10)),
}
FAMILY_TOPICS = ["families-children", "legal-aid", "medical-care", "outside-contact"]

# Actions and next steps, written in the language of the visitor who met the person.
ACTIONS = {
    "fr": [
        "Expliqué la procédure de recours.",
        "Pris contact avec l'avocat pro deo.",
        "Demande de rendez-vous médical transmise à la direction.",
        "Carte téléphonique donnée.",
        "Informé des possibilités de retour volontaire.",
        "Relu ensemble les documents de la procédure d'asile.",
    ],
    "nl": [
        "De beroepsprocedure uitgelegd.",
        "Contact opgenomen met de pro-Deoadvocaat.",
        "Vraag om een medische afspraak doorgegeven aan de directie.",
        "Telefoonkaart gegeven.",
        "Geïnformeerd over vrijwillige terugkeer.",
        "De documenten van de asielprocedure samen doorgenomen.",
    ],
}
NEXT_STEPS = {
    "fr": [
        "Revoir la personne à la prochaine visite.",
        "Appeler l'avocat avant l'audience.",
        "Vérifier la réponse du médecin.",
    ],
    "nl": [
        "De persoon bij het volgende bezoek terugzien.",
        "De advocaat bellen voor de zitting.",
        "Het antwoord van de arts nagaan.",
    ],
}
RELATIVES = {
    "fr": ["Frère à Anvers.", "Cousine à Liège.", "Épouse à Bruxelles.", "Oncle à Charleroi."],
    "nl": ["Broer in Antwerpen.", "Nicht in Luik.", "Echtgenote in Brussel.", "Oom in Gent."],
}


# --- The figures ------------------------------------------------------------------------


def people_accompanied(year: int, kinds=(Centre.Kind.ADULT_CENTRE,)) -> int:
    """Distinct people met during a visit of a centre of these kinds in the year."""
    return (
        Person.objects.filter(
            accompaniments__visit__date__year=year,
            accompaniments__visit__centre__kind__in=kinds,
        )
        .distinct()
        .count()
    )


def families_accompanied(year: int) -> int:
    """Distinct families one of whose members was met in a family unit or a return house
    in the year."""
    return (
        Family.objects.filter(
            members__accompaniments__visit__date__year=year,
            members__accompaniments__visit__centre__kind__in=FAMILY_KINDS,
        )
        .distinct()
        .count()
    )


def apportioned_people(year: int, centres: list[Centre], people: int | None = None) -> list[int]:
    """The year's people (or `people`) per adult centre, in proportion to the official
    number detained there that year (equal shares where a figure is missing)."""
    from move.centres.demo import apportion

    detained = dict(
        CentreYear.objects.filter(year=year, centre__in=centres).values_list(
            "centre_id", "people_detained"
        )
    )
    weights = [detained.get(centre.pk) or 0 for centre in centres]
    if not all(weights):
        weights = [1] * len(centres)
    return apportion(PEOPLE[year] if people is None else people, weights)


# --- Seeding ----------------------------------------------------------------------------


def seed_people() -> None:
    """Called by `manage.py seed_demo` after the visits; does nothing the second time."""
    _seed_year_people()
    seed_live_people(timezone.localdate())


def _seed_year_people() -> None:
    if Person.objects.filter(code__startswith=f"P-{YEARS[0]}-").exists():
        return  # already seeded: the demo stays as it is
    adult = list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code"))
    families = list(Centre.objects.filter(kind__in=FAMILY_KINDS).order_by("code"))
    if not adult or not families:
        return
    demo = _Demo(random.Random(SEED))
    demo.add_family_visits(families)
    demo.load_visits()
    if not demo.visits:
        return  # the visits app brought no visits: nobody was met
    for year in YEARS:
        for centre, count in zip(adult, apportioned_people(year, adult), strict=True):
            for _n in range(count):
                demo.plan_person(year, centre, adult)
        for _n in range(FAMILIES[year]):
            demo.plan_family(year, demo.chance.choices(families, _family_weights(families))[0])
    demo.save(YEARS)


# The live year (visits/demo.py: `live_window`): people met at the density of 2023, in
# proportion to each adult centre's 2023 figure; some of the files followed now are
# shared with another organisation of the coalition.
LIVE_DENSITY_YEAR = 2023


def seed_live_people(today: date) -> None:
    from visits.demo import live_window

    start, _end = live_window(today)
    if Accompaniment.objects.filter(visit__date__range=(start, today - timedelta(7))).exists():
        return  # already seeded: the demo stays as it is
    adult = list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code"))
    families = list(Centre.objects.filter(kind__in=FAMILY_KINDS).order_by("code"))
    if not adult or not families:
        return
    demo = _Demo(random.Random(f"{SEED}-{today.isoformat()}"), today=today)
    demo.load_visits(date__range=(start, today))
    years = sorted({year for _centre, year in demo.visits})
    if not years:
        return
    for year in years:
        first, last = max(start, date(year, 1, 1)), min(today, date(year, 12, 31))
        share = ((last - first).days + 1) / 365
        people = round(PEOPLE[LIVE_DENSITY_YEAR] * share)
        for centre, count in zip(
            adult, apportioned_people(LIVE_DENSITY_YEAR, adult, people), strict=True
        ):
            for _n in range(count):
                demo.plan_person(year, centre, adult)
        for _n in range(round(FAMILIES[LIVE_DENSITY_YEAR] * share)):
            demo.plan_family(year, demo.chance.choices(families, _family_weights(families))[0])
    demo.save(years)
    _share_files_followed_now(start)


# Case files followed now that a persona visitor's organisation shares with the next
# one's (JRS → Caritas → VWV → JRS): the first with its identity, the second without.
SHARES = (("visitor.jrs@move.test", "Caritas"), ("visitor.caritas@move.test", "VWV"))
SHARES += (("visitor.vwv@move.test", "JRS"),)


def _share_files_followed_now(start: date) -> None:
    from detainees import services
    from move.accounts.models import Organisation, User

    for email, target in SHARES:
        user = User.objects.filter(email=email).first()
        organisation = Organisation.objects.filter(short_name=target).first()
        if user is None or organisation is None:
            continue
        owner = user.memberships.order_by("pk").values_list("organisation", flat=True).first()
        followed = (
            Person.objects.filter(
                organisation=owner,
                family=None,
                spells__end__isnull=True,
                accompaniments__visit__date__gte=start,
            )
            .distinct()
            .order_by("code")[:2]
        )
        for number, person in enumerate(followed):
            services.share_person(user, person, organisation, number == 0, page="seed_demo")


def _family_weights(centres) -> list[int]:
    """The family units hold most families; each return house a few."""
    return [4 if centre.kind == Centre.Kind.FAMILY_UNIT else 1 for centre in centres]


@dataclass
class _Visit:
    pk: int
    centre_id: int
    date: date
    visitors: list[int] = field(default_factory=list)  # user pks


@dataclass
class _Planned:
    """One person to create, with what happened to them."""

    person: Person
    age: int  # at the first meeting
    names: tuple[str, str]  # given names, surname
    first: date | None = None
    meetings: list[tuple[_Visit, int]] = field(default_factory=list)  # (visit, met by)
    spells: list[DetentionSpell] = field(default_factory=list)


class _Demo:
    def __init__(self, chance: random.Random, today: date | None = None):
        from move.accounts.models import Membership, User
        from move.accounts.permissions import Role
        from visits.models import Theme

        self.chance = chance
        self.today = today or timezone.localdate()
        self.organisation = {}  # visitor's user pk → organisation pk
        for user_pk, organisation_pk in (
            Membership.objects.filter(role=Role.VISITOR)
            .order_by("pk")
            .values_list("user_id", "organisation_id")
        ):
            self.organisation.setdefault(user_pk, organisation_pk)
        self.visitors = sorted(self.organisation)
        self.language = dict(
            User.objects.filter(pk__in=self.visitors).values_list("pk", "language")
        )
        self.themes = dict(Theme.objects.values_list("code", "pk"))
        self.planned: list[_Planned] = []
        self.families: list[tuple[Family, date]] = []

    # Visits ----------------------------------------------------------------------------

    def add_family_visits(self, centres) -> None:
        """The visits app plans the adult centres only: families are visited every other
        week in the family units, about once a month in each return house."""
        from visits.models import Visit
        from visits.services import weeks_in

        already = Visit.objects.filter(date__year__in=YEARS, centre__in=centres)
        if already.exists() or not self.visitors:
            return
        visits, pairs = [], []
        for year in YEARS:
            for week in range(1, weeks_in(year) + 1):
                for number, centre in enumerate(centres):
                    every = 2 if centre.kind == Centre.Kind.FAMILY_UNIT else 4
                    if (week + number) % every or self.chance.random() > 0.9:
                        continue
                    day = date.fromisocalendar(year, week, self.chance.randint(1, 5))
                    visits.append(Visit(centre=centre, date=day, status=Visit.Status.DONE))
                    pairs.append(self.chance.sample(self.visitors, k=self.chance.choice([1, 1, 2])))
        Visit.objects.bulk_create(visits)
        Through = Visit.visitors.through
        Through.objects.bulk_create(
            Through(visit_id=visit.pk, user_id=user)
            for visit, users in zip(visits, pairs, strict=True)
            for user in users
        )

    def load_visits(self, **which) -> None:
        """The done visits of the demo years (or of `which`), by centre and year."""
        from visits.models import Visit

        done = Visit.objects.filter(**(which or {"date__year__in": YEARS}))
        done = done.filter(status=Visit.Status.DONE)
        self.visits: dict[tuple[int, int], list[_Visit]] = {}  # (centre, year) → by date
        by_pk = {}
        for pk, centre_id, day in done.order_by("date", "pk").values_list(
            "pk", "centre_id", "date"
        ):
            by_pk[pk] = visit = _Visit(pk, centre_id, day)
            self.visits.setdefault((centre_id, day.year), []).append(visit)
        Through = Visit.visitors.through
        for visit_id, user_id in (
            Through.objects.filter(visit__in=done).order_by("pk").values_list("visit_id", "user_id")
        ):
            if visit_id in by_pk and user_id in self.organisation:
                by_pk[visit_id].visitors.append(user_id)

    # People ----------------------------------------------------------------------------

    def plan_person(self, year: int, centre: Centre, adult_centres) -> None:
        chance = self.chance
        first, met_by = self._first_meeting(centre, year)
        if first is None:
            return
        organisation = self.organisation[met_by]
        ground = _weighted(chance, GROUNDS)
        if centre.code == "caricole" and chance.random() < 0.5:
            ground = DetentionSpell.Ground.BORDER
        back = 20 if ground == DetentionSpell.Ground.DUBLIN else 45
        start = first.date - timedelta(days=chance.randint(2, back))
        limit = clock.maxima(ground, start)[-1][0] - timedelta(days=1)
        wanted = _weighted(chance, MEETINGS) - 1
        meetings = [(first, met_by), *self._follow_ups(first, organisation, limit, wanted)]
        last = meetings[-1][0].date
        end = min(last + timedelta(days=chance.randint(1, 45)), limit)
        sex = self._sex(centre)
        planned = self._person(organisation, met_by, sex, chance.choices(*_adult_nationalities()))
        person = planned.person
        spells = [self._spell(person, centre, start, end, ground, OUTCOMES.get(ground))]
        if chance.random() < TRANSFERRED and spells[0].end and spells[0].end < limit:
            spells.append(self._transfer(person, spells[0], adult_centres, sex, limit))
        person.status = _status(spells[-1])
        planned.first, planned.meetings, planned.spells = first.date, meetings, spells
        self.planned.append(planned)

    def plan_family(self, year: int, centre: Centre) -> None:
        chance = self.chance
        first, met_by = self._first_meeting(centre, year)
        if first is None:
            return
        organisation = self.organisation[met_by]
        start = first.date - timedelta(days=chance.randint(1, 20))
        limit = start + timedelta(days=60)
        wanted = chance.choice([0, 0, 1, 2])
        meetings = [(first, met_by), *self._follow_ups(first, organisation, limit, wanted)]
        end = min(meetings[-1][0].date + timedelta(days=chance.randint(2, 20)), limit)
        adults = 2 if chance.random() < 0.75 else 1
        family = Family(
            organisation_id=organisation,
            adults=adults,
            children_ages=sorted(chance.randint(0, 17) for _n in range(chance.randint(1, 4))),
        )
        self.families.append((family, first.date))
        nationality = _weighted(chance, tuple(FAMILY_NATIONALITIES.items()))
        surname = None
        outcome = OUTCOMES["family"]
        for sex in ("f", "m")[:adults]:
            planned = self._person(
                organisation,
                met_by,
                sex,
                [nationality],
                surname=surname,
                oldest_child=family.children_ages[-1],
            )
            person, surname = planned.person, planned.names[1]
            person.family = family
            spell = self._spell(person, centre, start, end, "irregular_stay", outcome)
            outcome = ((spell.outcome, 1),)  # the family leaves together
            person.status = _status(spell)
            planned.first, planned.meetings, planned.spells = first.date, meetings, [spell]
            self.planned.append(planned)

    def _first_meeting(self, centre, year) -> tuple[_Visit | None, int | None]:
        visits = [v for v in self.visits.get((centre.pk, year), []) if v.visitors]
        if not visits:
            return None, None
        visit = self.chance.choice(visits)
        return visit, self.chance.choice(visit.visitors)

    def _follow_ups(self, first: _Visit, organisation, limit: date, wanted: int):
        """Later visits of the same centre, in the same year, by the same organisation."""
        until = min(limit - timedelta(days=1), first.date + timedelta(days=FOLLOW_UP_DAYS))
        candidates = []
        for visit in self.visits[(first.centre_id, first.date.year)]:
            ours = [user for user in visit.visitors if self.organisation[user] == organisation]
            if first.date < visit.date <= until and ours:
                candidates.append((visit, ours[0]))
        chosen = self.chance.sample(candidates, k=min(wanted, len(candidates)))
        return sorted(chosen, key=lambda pair: pair[0].date)

    def _sex(self, centre) -> str:
        if centre.code == "holsbeek":  # the women's centre
            return "f"
        share = {"bruges": 0.2, "127bis": 0.12, "caricole": 0.12}.get(centre.code, 0.0)
        return "f" if self.chance.random() < share else "m"

    def _person(
        self, organisation, met_by, sex, nationality, surname=None, oldest_child=None
    ) -> _Planned:
        chance = self.chance
        country = nationality[0]
        languages, region = _languages_and_region(country)
        vulnerabilities = _vulnerabilities(chance, sex, in_family=oldest_child is not None)
        age = 17 if "claimed_minor" in vulnerabilities else int(chance.triangular(18, 60, 27))
        if oldest_child is not None:
            age = max(age, oldest_child + chance.randint(18, 30))
        males, females, surnames = NAMES[region]
        given = chance.choice((females if sex == "f" else males).split())
        person = Person(
            organisation_id=organisation,
            created_by_id=met_by,
            sex=sex,
            nationality=country,
            languages=list(languages),
            vulnerabilities=vulnerabilities,
            cannot_be_removed=chance.random() < 0.03,
        )
        return _Planned(person, age, (given, surname or chance.choice(surnames.split())))

    def _language(self, user) -> str:
        """Free text is written in its author's language (French or Dutch here)."""
        language = self.language.get(user)
        return language if language in ACTIONS else "fr"

    def _spell(self, person, centre, start, end, ground, outcomes) -> DetentionSpell:
        ongoing = end > self.today
        return DetentionSpell(
            person=person,
            centre=centre,
            start=start,
            end=None if ongoing else end,
            ground=ground,
            outcome="" if ongoing else _weighted(self.chance, outcomes or OUTCOMES["default"]),
        )

    def _transfer(self, person, spell, adult_centres, sex, limit) -> DetentionSpell:
        """Moved to another adult centre under the same order, after the last meeting,
        and out before the order's legal maximum."""
        elsewhere = [
            centre
            for centre in adult_centres
            if centre.pk != spell.centre_id and (centre.code == "holsbeek") == (sex == "f")
        ] or [centre for centre in adult_centres if centre.pk != spell.centre_id]
        following = self._spell(
            person,
            self.chance.choice(elsewhere),
            spell.end,
            min(spell.end + timedelta(days=self.chance.randint(5, 40)), limit),
            spell.ground,
            OUTCOMES.get(spell.ground),
        )
        following.new_order = False
        spell.outcome = DetentionSpell.Outcome.TRANSFERRED
        return following

    # Writing ---------------------------------------------------------------------------

    def save(self, years) -> None:
        counters = self._number_codes(years)
        Family.objects.bulk_create(family for family, _first in self.families)
        Person.objects.bulk_create(planned.person for planned in self.planned)
        Identity.objects.bulk_create(self._identity(planned) for planned in self.planned)
        DetentionSpell.objects.bulk_create(
            spell for planned in self.planned for spell in planned.spells
        )
        meetings, topics = [], []
        for planned in self.planned:
            for visit, met_by in planned.meetings:
                meetings.append(self._accompaniment(planned.person, visit, met_by))
                topics.append(self._topics(planned.person))
        Accompaniment.objects.bulk_create(meetings)
        Topics = Accompaniment.topics.through
        Topics.objects.bulk_create(
            Topics(accompaniment_id=meeting.pk, theme_id=theme)
            for meeting, themes in zip(meetings, topics, strict=True)
            for theme in themes
        )
        _dated_when_met(years)
        _advance_sequences(counters)

    def _number_codes(self, years) -> dict[str, int]:
        """P-<year>-NNNN and F-<year>-NNNN in the order of the first meetings, after the
        codes already given out that year."""
        self.planned.sort(key=lambda planned: planned.first)  # stable: families stay together
        counters = _codes_given(years)
        for planned in self.planned:
            planned.person.code = _next(counters, "P", planned.first.year)
            planned.person.birth_year = planned.first.year - planned.age
        self.families.sort(key=lambda pair: pair[1])
        for family, first in self.families:
            family.code = _next(counters, "F", first.year)
        return counters

    def _identity(self, planned) -> Identity:
        chance, person = self.chance, planned.person
        given, surname = planned.names
        language = self._language(person.created_by_id)
        unknown_day = chance.random() < 0.3  # papers lost: 1 January of the year said
        born = date(person.birth_year, 1, 1) if unknown_day else _some_day(chance, person)
        number = chance.randint(5_000_000, 9_999_999)
        contacts = chance.choice(RELATIVES[language]) if chance.random() < 0.4 else ""
        identity = Identity(
            person=person,
            surname=surname,
            given_names=given,
            date_of_birth=born.isoformat(),
            office_number=f"{number // 1_000_000}.{number // 1000 % 1000:03d}.{number % 1000:03d}",
            contacts=contacts,
        )
        identity.name_index = crypto.blind_index(identity.full_name())
        return identity

    def _accompaniment(self, person, visit, met_by) -> Accompaniment:
        chance = self.chance
        language = self._language(met_by)
        follow_up = chance.random() < 0.5
        return Accompaniment(
            person=person,
            visit_id=visit.pk,
            met_by_id=met_by,
            actions=chance.choice(ACTIONS[language]),
            next_step=chance.choice(NEXT_STEPS[language]) if follow_up else "",
            next_step_on=visit.date + timedelta(days=7) if follow_up else None,
        )

    def _topics(self, person) -> list[int]:
        """One or two themes; families talk of their children, the law, care, contacts."""
        codes = FAMILY_TOPICS if person.family is not None else list(self.themes)
        if not self.themes:
            return []
        chosen = self.chance.sample(codes, k=self.chance.choice([1, 1, 2]))
        return [self.themes[code] for code in chosen if code in self.themes]


def _codes_given(years) -> dict[str, int]:
    """The last number given out per prefix and year (codes are never given twice)."""
    from detainees.models import CodeSequence

    counters: dict[str, int] = {}
    for model, prefix in ((Person, "P"), (Family, "F")):
        for year in years:
            key = f"{prefix}-{year}"
            codes = model.objects.filter(code__startswith=f"{key}-").values_list("code", flat=True)
            counters[key] = max((int(code.rsplit("-", 1)[1]) for code in codes), default=0)
    for prefix, year, last in CodeSequence.objects.filter(year__in=years).values_list(
        "prefix", "year", "last"
    ):
        key = f"{prefix}-{year}"
        counters[key] = max(counters.get(key, 0), last)
    return counters


def _advance_sequences(counters: dict[str, int]) -> None:
    """The next code created in the application comes after the demo's."""
    from django.db.models.functions import Greatest

    from detainees.models import CodeSequence

    for key, last in counters.items():
        prefix, year = key.split("-")
        CodeSequence.objects.filter(prefix=prefix, year=int(year)).update(
            last=Greatest("last", Value(last))
        )


def _dated_when_met(years) -> None:
    """A case file and a meeting are recorded on the evening of the visit, not on the day
    the demo was loaded (bulk_create stamps `created_at` with now)."""
    from visits.models import Visit

    evening = Value(timedelta(hours=18))
    _analyze(Accompaniment, Visit, Person, Family)

    def on_the_evening_of(visit_date):
        return Cast(visit_date, DateTimeField()) + evening

    Accompaniment.objects.filter(visit__date__year__in=years).update(
        created_at=on_the_evening_of(
            Subquery(Visit.objects.filter(pk=OuterRef("visit_id")).values("date")[:1])
        )
    )
    first = (
        Accompaniment.objects.filter(person=OuterRef("pk"))
        .order_by("visit__date")
        .values("visit__date")[:1]
    )
    when = on_the_evening_of(Subquery(first))
    Person.objects.filter(_demo_codes("P", years)).update(created_at=when, updated_at=when)
    # bulk_create sends no signal: the meeting days of the people met these years.
    meeting_days.refresh(
        Accompaniment.objects.filter(visit__date__year__in=years).values("person_id")
    )
    Family.objects.filter(_demo_codes("F", years)).update(
        created_at=Subquery(
            Person.objects.filter(family=OuterRef("pk"))
            .order_by("created_at")
            .values("created_at")[:1]
        )
    )


def _analyze(*models) -> None:
    """Statistics of tables just filled by bulk inserts, on PostgreSQL. Without them the
    planner took the new tables for empty and read every meeting once per person in the
    updates below: minutes instead of a second, depending on whether autovacuum had come
    by (seen in a CI run)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in models))


def _demo_codes(prefix: str, years) -> Q:
    condition = Q(pk__in=[])
    for year in years:
        condition |= Q(code__startswith=f"{prefix}-{year}-")
    return condition


def _next(counters: dict[str, int], prefix: str, year: int) -> str:
    key = f"{prefix}-{year}"
    counters[key] = counters.get(key, 0) + 1
    return f"{key}-{counters[key]:04d}"


def _weighted(chance, pairs):
    values, weights = zip(*pairs, strict=True)
    return chance.choices(values, weights)[0]


def _adult_nationalities():
    codes = list(NATIONALITIES)
    return codes, [NATIONALITIES[code][0] for code in codes]


def _languages_and_region(country: str) -> tuple[list[str], str]:
    if country in NATIONALITIES:
        return NATIONALITIES[country][1:]
    return FAMILY_ONLY[country]


def _vulnerabilities(chance, sex, in_family=False) -> list[str]:
    if chance.random() < 0.75:
        return []
    options = [Vulnerability.MEDICAL, Vulnerability.PSYCHOLOGICAL, Vulnerability.TRAFFICKING]
    options += (
        [Vulnerability.OTHER] if in_family else [Vulnerability.CLAIMED_MINOR, Vulnerability.OTHER]
    )
    if sex == "f":
        options.append(Vulnerability.PREGNANCY)
    return sorted(str(option) for option in chance.sample(options, k=chance.choice([1, 1, 2])))


def _status(spell) -> str:
    from detainees.services import STATUS_AFTER

    return STATUS_AFTER.get(spell.outcome, Person.Status.DETAINED)


def _some_day(chance, person) -> date:
    return date(person.birth_year, chance.randint(1, 12), chance.randint(1, 28))


# --- People held now --------------------------------------------------------------------

# Days since the detention order of the people each demo visitor follows now, so that
# `make demo` shows the clock at work: early days, the warning before two months, and a
# detention past four months (next limit: five).
HELD_NOW_DAYS = (9, 50, 130)
HELD_NOW = [
    # given names, surname, sex, year of birth, nationality
    ("Yassine", "Amrani", "m", 1994, "MA"),
    ("Nino", "Beridze", "f", 1988, "GE"),
    ("Ibrahima", "Sow", "m", 2001, "GN"),
    ("Ardit", "Hoxha", "m", 1990, "AL"),
    ("Grace", "Mbala", "f", 1985, "CD"),
    ("Karim", "Haddad", "m", 1979, "DZ"),
    ("Olena", "Tkachenko", "f", 1996, "UA"),
    ("Samir", "Rahimi", "m", 1999, "AF"),
    ("Mariam", "Tesfay", "f", 1993, "ER"),
]


HELD_NOW_ACTIONS = "Contact pris avec l'avocat·e."


def seed_held_now() -> None:
    """A few people detained today, met two days ago; does nothing the second time."""
    from detainees import services
    from move.accounts.models import Membership
    from move.accounts.permissions import Role
    from visits.demo import PERSONA_VISITORS
    from visits.models import Theme, Visit

    if Accompaniment.objects.filter(actions=HELD_NOW_ACTIONS).exists():
        return
    today = timezone.localdate()
    centres = list(Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE).order_by("code"))
    if not centres:
        return
    visitors = Membership.objects.filter(
        role=Role.VISITOR, user__email__in=PERSONA_VISITORS
    ).select_related("user", "organisation")
    themes = list(Theme.objects.order_by("position")[:2])
    people = iter(HELD_NOW)
    for index, membership in enumerate(visitors.order_by("user__email")):
        visit = Visit.objects.create(
            centre=centres[index % len(centres)],
            date=today - timedelta(days=2),
            status=Visit.Status.DONE,
        )
        visit.visitors.add(membership.user)
        # Recorded the evening of the visit, as the other demo files.
        evening = timezone.make_aware(datetime.combine(visit.date, time(18)))
        for days in HELD_NOW_DAYS:
            given, surname, sex, born, country = next(people, HELD_NOW[0])
            number = 7_000_000 + 1_000 * (born % 1000) + days
            person = services.create_person(
                membership.user,
                Person(
                    organisation=membership.organisation,
                    sex=sex,
                    birth_year=born,
                    nationality=country,
                    languages=["fr"],
                ),
                identity={
                    "given_names": given,
                    "surname": surname,
                    "date_of_birth": date(born, 1 + days % 12, 1 + days % 28).isoformat(),
                    "office_number": f"{number // 1_000_000}.{number // 1000 % 1000:03d}."
                    f"{number % 1000:03d}",
                },
                spell={"centre": visit.centre, "start": today - timedelta(days=days)},
                page="seed_demo",
            )
            services.record_accompaniment(
                membership.user,
                person,
                Accompaniment(
                    visit=visit,
                    actions=HELD_NOW_ACTIONS,
                    next_step="Revoir la personne la semaine prochaine.",
                ),
                topics=themes,
            )
            Person.objects.filter(pk=person.pk).update(created_at=evening, updated_at=evening)
            person.accompaniments.update(created_at=evening)
