"""Demo help requests: the questions put to the coalition's lawyer (DESIGN.md §8).

In 2022 the lawyer answered about 170 requests, 2 to 6 a week: most asked by the
visitors in the application, the others by e-mail, phone or in person from detained
people, their relatives, partners and lawyers, which she recorded herself. Most had a
first answer within two working days; a share is linked to a case file of the asker's
organisation. The current year lives at the same density up to today: the requests of
the last days are still open, several with a legal deadline running this week, and one
urgent, counted in hours, at the top of the queue.

Everything is drawn with a fixed seed (the live part from the date of seeding) and
written with bulk inserts. The texts are made up and name nobody: a person is referred to
by the code of their case file only. The figures come out of the records
(`requests_in`), never from the constants below.
"""

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation

from legal import deadlines, search, services
from legal.models import Deadline, DeadlineRule, HelpRequest, Message, Topic

SEED = 10
YEAR = 2022
REQUESTS_IN_YEAR = 170
# Requests a week: 2 to 6, about 3.3 on average (170 in 52 weeks).
PER_WEEK = ((2, 30), (3, 32), (4, 20), (5, 12), (6, 6))
FEWEST, MOST = 2, 6

Channel = HelpRequest.Channel
Kind = HelpRequest.RequesterKind
Status = HelpRequest.Status

# Most requests come from the visitors in the application; the lawyer records the others.
CHANNELS = ((Channel.APP, 55), (Channel.EMAIL, 24), (Channel.PHONE, 15), (Channel.IN_PERSON, 6))
# Who asks by each of the other channels: detained people call from the centre,
# relatives call or write, partners and lawyers write.
KINDS = {
    Channel.EMAIL: (
        (Kind.PARTNER, 24),
        (Kind.RELATIVE, 22),
        (Kind.LAWYER, 20),
        (Kind.DETAINEE, 12),
        (Kind.OTHER, 12),
        (Kind.VISITOR, 10),
    ),
    Channel.PHONE: (
        (Kind.DETAINEE, 65),
        (Kind.RELATIVE, 22),
        (Kind.VISITOR, 5),
        (Kind.LAWYER, 5),
        (Kind.OTHER, 3),
    ),
    Channel.IN_PERSON: (
        (Kind.RELATIVE, 40),
        (Kind.DETAINEE, 35),
        (Kind.OTHER, 15),
        (Kind.PARTNER, 10),
    ),
}
# The demo's own visitors ask more than the others: their screens show their requests.
PERSONA_WEIGHT = 3
TOPICS = {
    "detention": 18,
    "removal": 14,
    "legal-aid": 12,
    "asylum": 10,
    "dublin": 8,
    "medical": 8,
    "family": 6,
    "entry-ban": 5,
    "arrest": 5,
    "return": 5,
    "isolation": 4,
    "other": 5,
}
# The limits that run on a request of each topic (codes of migration 0002).
DEADLINE_RULES = {
    "removal": ("extreme-urgency-later", "extreme-urgency"),
    "asylum": ("cce-appeal-detained",),
    "dublin": ("cce-appeal-detained", "extreme-urgency"),
    "entry-ban": ("cce-appeal-detained", "cce-appeal"),
    "detention": ("council-chamber-release", "indictment-chamber-appeal"),
    "family": ("cce-appeal",),
}
# Share of the requests of those topics that have a deadline.
WITH_DEADLINE = 0.4
# Pending requests of the last days given a deadline that ends within the week: up to
# DUE_THIS_WEEK, and never fewer than DUE_THIS_WEEK_AT_LEAST.
DUE_THIS_WEEK, DUE_THIS_WEEK_AT_LEAST = 4, 2
URGENT_RULE = "indictment-chamber-appeal"
# A request is asked up to so many days after the decision was notified (those given a
# deadline this week: up to 10 days, so that a 10-day limit can end within the week).
NOTIFIED_BEFORE, NOTIFIED_BEFORE_FORCED = 4, 10
# Share of the requests linked to a case file: asked from the application, by a caller.
LINKED_APP, LINKED_CALLER = 0.45, 0.25
# A case file is asked about within this many days of its creation.
LINK_DAYS = 120
# Share of the callers whose contact the lawyer noted.
WITH_CONTACT = 0.6
# First answer: after so many working days (0: the same day), weighted; beyond 2 is late.
ANSWER_AFTER = ((0, 42), (1, 34), (2, 12), (3, 5), (4, 4), (6, 3))
SHARED_EVERY = 10  # live requests of the application shared with the asker's organisation

# --- The words ----------------------------------------------------------------------------

# Per topic and language: (subject, question, answer). Made up; they name nobody.
TEXTS = {
    "detention": {
        "fr": [
            (
                "Durée de la détention",
                "La détention dure depuis plus de deux mois sans nouvelle décision. Une requête "
                "de mise en liberté à la chambre du conseil a-t-elle des chances, et qui doit "
                "l'introduire ?",
                "L'avocat peut introduire la requête chaque mois tant que la détention dure. Vu "
                "la durée et l'absence de démarches d'éloignement, elle a des chances : je "
                "contacte l'avocat pour qu'il l'introduise cette semaine.",
            ),
            (
                "Prolongation de la détention",
                "L'Office des étrangers a prolongé la détention de deux mois. Cette prolongation "
                "peut-elle être contestée ?",
                "Oui : la prolongation doit être motivée par des démarches concrètes en vue de "
                "l'éloignement. L'avocat peut saisir la chambre du conseil ; je lui transmets "
                "les éléments.",
            ),
        ],
        "nl": [
            (
                "Duur van de detentie",
                "De detentie duurt al meer dan twee maanden zonder nieuwe beslissing. Heeft een "
                "verzoekschrift tot invrijheidstelling bij de raadkamer kans op slagen, en wie "
                "dient het in?",
                "De advocaat kan het verzoekschrift elke maand indienen zolang de detentie duurt. "
                "Gezien de duur en het uitblijven van stappen tot verwijdering heeft het kans op "
                "slagen: ik vraag de advocaat het deze week in te dienen.",
            ),
            (
                "Verlenging van de detentie",
                "De Dienst Vreemdelingenzaken heeft de detentie met twee maanden verlengd. Kan "
                "die verlenging betwist worden?",
                "Ja: de verlenging moet gemotiveerd zijn door concrete stappen met het oog op de "
                "verwijdering. De advocaat kan naar de raadkamer stappen; ik bezorg hem de "
                "gegevens.",
            ),
        ],
    },
    "removal": {
        "fr": [
            (
                "Vol annoncé",
                "Un vol a été annoncé pour les prochains jours alors qu'un recours est pendant. "
                "Que peut-on faire en urgence ?",
                "Un recours en extrême urgence au Conseil du contentieux des étrangers peut "
                "suspendre l'éloignement : 10 jours pour une première mesure, 5 jours pour une "
                "mesure ultérieure. Je préviens l'avocat aujourd'hui.",
            ),
            (
                "Contrainte pendant une tentative d'éloignement",
                "La personne dit avoir été menottée pendant toute une tentative d'éloignement. "
                "Est-ce permis et où porter plainte ?",
                "La contrainte doit être nécessaire et proportionnée. Une plainte peut être "
                "adressée à l'Inspection générale ; je vous envoie le modèle de plainte.",
            ),
        ],
        "nl": [
            (
                "Vlucht aangekondigd",
                "Er is een vlucht aangekondigd voor de komende dagen terwijl een beroep hangende "
                "is. Wat kunnen we dringend doen?",
                "Een vordering bij uiterst dringende noodzakelijkheid bij de Raad voor "
                "Vreemdelingenbetwistingen kan de verwijdering schorsen: 10 dagen voor een eerste "
                "maatregel, 5 dagen voor een latere. Ik verwittig de advocaat vandaag.",
            ),
            (
                "Dwang tijdens een verwijderingspoging",
                "De persoon zegt tijdens een verwijderingspoging de hele tijd geboeid te zijn "
                "geweest. Mag dat en waar kan men klacht indienen?",
                "Dwang moet noodzakelijk en evenredig zijn. Een klacht kan bij de Algemene "
                "Inspectie ingediend worden; ik stuur u het model van klacht.",
            ),
        ],
    },
    "asylum": {
        "fr": [
            (
                "Demande d'asile en centre fermé",
                "La personne veut demander l'asile depuis le centre. Comment se passe la "
                "procédure et quels sont les délais ?",
                "La demande est introduite auprès de la direction du centre et traitée en "
                "procédure accélérée. En cas de refus, le recours doit être introduit dans les "
                "10 jours : il faut un avocat dès maintenant.",
            ),
            (
                "Refus de la demande d'asile",
                "La demande d'asile a été refusée. Quel est le délai pour le recours ?",
                "En détention, le recours doit être introduit dans les 10 jours de la "
                "notification. Je vérifie avec l'avocat qu'il est introduit à temps.",
            ),
        ],
        "nl": [
            (
                "Asielaanvraag in een gesloten centrum",
                "De persoon wil vanuit het centrum asiel aanvragen. Hoe verloopt de procedure en "
                "wat zijn de termijnen?",
                "De aanvraag wordt bij de directie van het centrum ingediend en versneld "
                "behandeld. Bij een weigering moet het beroep binnen 10 dagen ingediend worden: "
                "er is nu al een advocaat nodig.",
            ),
            (
                "Weigering van de asielaanvraag",
                "De asielaanvraag werd geweigerd. Wat is de termijn voor het beroep?",
                "In detentie moet het beroep binnen 10 dagen na de kennisgeving ingediend "
                "worden. Ik ga met de advocaat na of het tijdig ingediend wordt.",
            ),
        ],
    },
    "dublin": {
        "fr": [
            (
                "Transfert Dublin annoncé",
                "Un transfert vers un autre État membre est annoncé. Peut-on contester la "
                "décision Dublin ?",
                "Oui, par un recours dans les 10 jours en détention, avec une demande de "
                "suspension en extrême urgence si le transfert est imminent. Les défaillances de "
                "l'accueil dans l'État concerné sont à documenter.",
            ),
            (
                "Délai de transfert dépassé",
                "Le délai de six mois pour le transfert semble dépassé. La Belgique devient-elle "
                "responsable ?",
                "Si le délai a expiré sans prolongation, la Belgique devient responsable de la "
                "demande. Je vérifie les dates avec l'avocat avant d'écrire à l'Office des "
                "étrangers.",
            ),
        ],
        "nl": [
            (
                "Dublinoverdracht aangekondigd",
                "Er is een overdracht naar een andere lidstaat aangekondigd. Kan de "
                "Dublinbeslissing betwist worden?",
                "Ja, met een beroep binnen 10 dagen in detentie, met een vordering bij uiterst "
                "dringende noodzakelijkheid als de overdracht nakend is. De tekortkomingen van "
                "de opvang in die staat moeten gedocumenteerd worden.",
            ),
            (
                "Overdrachtstermijn verstreken",
                "De termijn van zes maanden voor de overdracht lijkt verstreken. Wordt België "
                "dan verantwoordelijk?",
                "Als de termijn zonder verlenging verstreken is, wordt België verantwoordelijk "
                "voor de aanvraag. Ik controleer de data met de advocaat voor we de Dienst "
                "Vreemdelingenzaken aanschrijven.",
            ),
        ],
    },
    "family": {
        "fr": [
            (
                "Famille avec enfants en unité familiale",
                "Une famille avec deux enfants a été placée en unité familiale. Quels droits "
                "pour l'école et quels recours ?",
                "Les enfants gardent le droit d'aller à l'école et leur détention doit rester "
                "une mesure de dernier ressort. Un recours est possible ; je mets la famille en "
                "contact avec un avocat spécialisé.",
            ),
            (
                "Famille séparée par la détention",
                "Le père est détenu, la mère et les enfants sont restés à la maison. La vie "
                "familiale peut-elle être invoquée ?",
                "Le droit à la vie familiale (article 8 de la Convention européenne des droits "
                "de l'homme) peut être invoqué dans le recours contre l'ordre de quitter le "
                "territoire. Je vous envoie les arrêts récents sur ce point.",
            ),
        ],
        "nl": [
            (
                "Gezin met kinderen in een gezinsunit",
                "Een gezin met twee kinderen werd in een gezinsunit geplaatst. Welke rechten "
                "hebben de kinderen op school en welke beroepen zijn er?",
                "De kinderen behouden hun recht op onderwijs en hun detentie moet een laatste "
                "middel blijven. Beroep is mogelijk; ik breng het gezin in contact met een "
                "gespecialiseerde advocaat.",
            ),
            (
                "Gezin gescheiden door de detentie",
                "De vader zit vast, de moeder en de kinderen zijn thuis gebleven. Kan het "
                "gezinsleven ingeroepen worden?",
                "Het recht op gezinsleven (artikel 8 van het Europees Verdrag voor de Rechten "
                "van de Mens) kan ingeroepen worden in het beroep tegen het bevel om het "
                "grondgebied te verlaten. Ik stuur u de recente arresten hierover.",
            ),
        ],
    },
    "medical": {
        "fr": [
            (
                "Accès au médecin",
                "La personne demande à voir un médecin depuis une semaine, sans réponse. Quels "
                "sont ses droits ?",
                "Toute personne détenue a droit aux soins ; la demande doit être transmise au "
                "service médical du centre. Si rien ne bouge, une plainte peut être introduite "
                "auprès de la commission des plaintes.",
            ),
            (
                "Traitement interrompu",
                "Un traitement commencé avant l'arrestation a été interrompu. Un éloignement "
                "est-il possible dans cet état ?",
                "Un état de santé grave peut faire obstacle à l'éloignement : il faut un "
                "certificat médical détaillé. Je demande un rapport au service médical et "
                "j'informe l'avocat.",
            ),
        ],
        "nl": [
            (
                "Toegang tot een arts",
                "De persoon vraagt al een week om een arts te zien, zonder antwoord. Wat zijn "
                "de rechten?",
                "Elke vastgehouden persoon heeft recht op zorg; de vraag moet aan de medische "
                "dienst van het centrum bezorgd worden. Als er niets gebeurt, kan een klacht bij "
                "de klachtencommissie ingediend worden.",
            ),
            (
                "Behandeling onderbroken",
                "Een behandeling die voor de arrestatie begon, werd onderbroken. Is een "
                "verwijdering in die toestand mogelijk?",
                "Een ernstige gezondheidstoestand kan een verwijdering in de weg staan: er is "
                "een gedetailleerd medisch attest nodig. Ik vraag de medische dienst om een "
                "verslag en verwittig de advocaat.",
            ),
        ],
    },
    "isolation": {
        "fr": [
            (
                "Placement en isolement",
                "La personne est en cellule d'isolement depuis trois jours sans décision écrite. "
                "Est-ce régulier ?",
                "Le placement en isolement exige une décision écrite et motivée, limitée dans "
                "le temps. Une plainte à la commission des plaintes est possible ; je vous "
                "envoie le formulaire.",
            ),
        ],
        "nl": [
            (
                "Plaatsing in isolatie",
                "De persoon zit al drie dagen in een isolatiecel zonder schriftelijke "
                "beslissing. Is dat regelmatig?",
                "Een plaatsing in isolatie vereist een schriftelijke en gemotiveerde beslissing, "
                "beperkt in de tijd. Een klacht bij de klachtencommissie is mogelijk; ik stuur "
                "u het formulier.",
            ),
        ],
    },
    "entry-ban": {
        "fr": [
            (
                "Interdiction d'entrée",
                "Une interdiction d'entrée de trois ans a été notifiée avec l'ordre de quitter "
                "le territoire. Peut-on la contester ?",
                "Oui, par un recours en annulation dans les 30 jours (10 jours en détention). "
                "La durée doit être motivée au regard de la situation de la personne.",
            ),
        ],
        "nl": [
            (
                "Inreisverbod",
                "Samen met het bevel om het grondgebied te verlaten werd een inreisverbod van "
                "drie jaar betekend. Kan het betwist worden?",
                "Ja, met een beroep tot nietigverklaring binnen 30 dagen (10 dagen in "
                "detentie). De duur moet gemotiveerd worden in het licht van de situatie van de "
                "persoon.",
            ),
        ],
    },
    "arrest": {
        "fr": [
            (
                "Arrestation lors d'un contrôle",
                "La personne a été arrêtée lors d'un contrôle d'identité puis transférée au "
                "centre. La procédure a-t-elle été respectée ?",
                "L'arrestation administrative est limitée à 24 heures avant la décision de "
                "détention. Je demande à l'avocat de vérifier le procès-verbal et les heures "
                "indiquées.",
            ),
        ],
        "nl": [
            (
                "Arrestatie bij een controle",
                "De persoon werd bij een identiteitscontrole gearresteerd en daarna naar het "
                "centrum overgebracht. Werd de procedure gerespecteerd?",
                "De administratieve aanhouding is beperkt tot 24 uur voor de beslissing tot "
                "vasthouding. Ik vraag de advocaat het proces-verbaal en de vermelde uren na te "
                "gaan.",
            ),
        ],
    },
    "legal-aid": {
        "fr": [
            (
                "Pas de contact avec l'avocat",
                "L'avocat pro deo désigné n'a pas encore pris contact. Comment le joindre ou en "
                "changer ?",
                "Le bureau d'aide juridique peut désigner un autre avocat. Je vous envoie la "
                "liste des avocats qui pratiquent le droit de la détention et je préviens le "
                "bureau.",
            ),
            (
                "Désigner un avocat",
                "La personne n'a pas d'avocat. Comment en désigner un depuis le centre ?",
                "Le service social du centre peut demander un avocat pro deo. Je propose un "
                "avocat de notre liste et je lui transmets la demande.",
            ),
        ],
        "nl": [
            (
                "Geen contact met de advocaat",
                "De toegewezen pro-Deoadvocaat heeft nog geen contact opgenomen. Hoe kan men hem "
                "bereiken of van advocaat veranderen?",
                "Het bureau voor juridische bijstand kan een andere advocaat aanstellen. Ik "
                "stuur u de lijst van advocaten die detentierecht beoefenen en verwittig het "
                "bureau.",
            ),
            (
                "Een advocaat aanstellen",
                "De persoon heeft geen advocaat. Hoe wordt er vanuit het centrum een aangesteld?",
                "De sociale dienst van het centrum kan een pro-Deoadvocaat vragen. Ik stel een "
                "advocaat van onze lijst voor en bezorg hem de vraag.",
            ),
        ],
    },
    "return": {
        "fr": [
            (
                "Retour volontaire depuis le centre",
                "La personne envisage un retour volontaire. Est-ce encore possible depuis le "
                "centre ?",
                "Oui, le retour volontaire reste possible depuis le centre, par l'accompagnateur "
                "du centre. Je vous envoie les informations sur l'aide à la réintégration.",
            ),
        ],
        "nl": [
            (
                "Vrijwillige terugkeer vanuit het centrum",
                "De persoon overweegt een vrijwillige terugkeer. Kan dat nog vanuit het centrum?",
                "Ja, vrijwillige terugkeer blijft mogelijk vanuit het centrum, via de begeleider "
                "van het centrum. Ik stuur u de informatie over re-integratiesteun.",
            ),
        ],
    },
    "other": {
        "fr": [
            (
                "Documents restés au commissariat",
                "Les documents d'identité de la personne sont restés au commissariat. Comment "
                "les récupérer ?",
                "Les documents saisis doivent rejoindre le dossier administratif. L'avocat peut "
                "en demander copie à l'Office des étrangers ; je lui transmets la demande.",
            ),
        ],
        "nl": [
            (
                "Documenten op het politiekantoor gebleven",
                "De identiteitsdocumenten van de persoon zijn op het politiekantoor gebleven. "
                "Hoe kunnen ze teruggekregen worden?",
                "In beslag genomen documenten horen bij het administratief dossier. De advocaat "
                "kan er een kopie van vragen bij de Dienst Vreemdelingenzaken; ik bezorg hem de "
                "vraag.",
            ),
        ],
    },
}
# How the question starts: the case file's code, or who asked, without a name.
ABOUT = {"fr": "Concerne {code}.", "nl": "Betreft {code}."}
ASKED_BY = {
    "fr": {
        Kind.VISITOR: "Question après une visite.",
        Kind.DETAINEE: "Appel d'une personne détenue.",
        Kind.RELATIVE: "Un proche d'une personne détenue nous contacte.",
        Kind.PARTNER: "Question d'une organisation partenaire.",
        Kind.LAWYER: "Question d'un avocat.",
        Kind.OTHER: "Question reçue à la permanence.",
    },
    "nl": {
        Kind.VISITOR: "Vraag na een bezoek.",
        Kind.DETAINEE: "Oproep van een vastgehouden persoon.",
        Kind.RELATIVE: "Een familielid van een vastgehouden persoon neemt contact op.",
        Kind.PARTNER: "Vraag van een partnerorganisatie.",
        Kind.LAWYER: "Vraag van een advocaat.",
        Kind.OTHER: "Vraag ontvangen op de permanentie.",
    },
}
NOTES = {
    "fr": [
        "Vérifier la jurisprudence récente du Conseil sur ce point.",
        "Appelé l'avocat : il reprend le dossier.",
        "À discuter à la réunion d'équipe de lundi.",
        "Copie de la décision demandée au service social du centre.",
    ],
    "nl": [
        "Recente rechtspraak van de Raad hierover nakijken.",
        "De advocaat gebeld: hij neemt het dossier over.",
        "Te bespreken op het teamoverleg van maandag.",
        "Kopie van de beslissing gevraagd aan de sociale dienst van het centrum.",
    ],
}
WAITING = {
    "fr": "Demandé la décision et sa date de notification ; en attente de la réponse.",
    "nl": "Beslissing en datum van kennisgeving gevraagd; wachten op antwoord.",
}
INFORMATION = {
    "fr": [
        "La décision a été notifiée ; une copie suit par le service social du centre.",
        "L'avocat désigné n'a toujours pas répondu.",
        "Un vol serait prévu dans les prochains jours.",
        "Le service social du centre confirme la date de notification.",
    ],
    "nl": [
        "De beslissing werd betekend; een kopie volgt via de sociale dienst van het centrum.",
        "De toegewezen advocaat heeft nog steeds niet geantwoord.",
        "Er zou de komende dagen een vlucht gepland zijn.",
        "De sociale dienst van het centrum bevestigt de datum van kennisgeving.",
    ],
}
FOLLOW_UP = {
    "fr": [
        "Suite : l'avocat a introduit le recours dans le délai.",
        "Suite : la personne a été libérée ; je clôture la demande.",
    ],
    "nl": [
        "Vervolg: de advocaat heeft het beroep binnen de termijn ingediend.",
        "Vervolg: de persoon werd vrijgelaten; ik sluit de vraag af.",
    ],
}
URGENT = {
    "fr": (
        "Appel contre l'ordonnance de la chambre du conseil",
        "La chambre du conseil a refusé la mise en liberté ; l'ordonnance vient d'être "
        "notifiée. L'appel doit-il être fait dans les 24 heures, et qui prévient l'avocat ?",
    ),
    "nl": (
        "Hoger beroep tegen de beschikking van de raadkamer",
        "De raadkamer heeft de invrijheidstelling geweigerd; de beschikking werd net betekend. "
        "Moet het hoger beroep binnen 24 uur ingesteld worden, en wie verwittigt de advocaat?",
    ),
}
# An outside caller's contact: clearly made up (example.org is reserved for examples).
CONTACT = {"fr": "Contact fictif {n}", "nl": "Fictief contact {n}"}
URGENT_ASKER = "visitor.caritas@move.test"


def requests_in(year: int) -> int:
    """The help requests asked in the year (the activity report's figure)."""
    return HelpRequest.objects.filter(created_at__year=year).count()


# --- Seeding ------------------------------------------------------------------------------


def seed_help_requests() -> None:
    """Called by `manage.py seed_demo` after the case files; does nothing the second time."""
    with disable_auditlog():
        _seed_year()
        seed_live_requests(timezone.localdate())


def _seed_year() -> None:
    from visits.services import weeks_in

    if HelpRequest.objects.filter(code__startswith=f"H-{YEAR}-").exists():
        return  # already seeded: the demo stays as it is
    desk = _Desk.load(random.Random(SEED), timezone.localdate())
    if desk is None:
        return
    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    counts = weekly_counts(desk.chance, weeks_in(YEAR), REQUESTS_IN_YEAR)
    for week, count in enumerate(counts, start=1):
        desk.plan_week(date.fromisocalendar(YEAR, week, 1), count, first, last)
    desk.save()


def weekly_counts(chance, weeks: int, total: int) -> list[int]:
    """Requests in each week, 2 to 6, drawn then evened out to `total` in all."""
    counts = [_weighted(chance, PER_WEEK) for _week in range(weeks)]
    while sum(counts) != total:
        step = 1 if sum(counts) < total else -1
        week = chance.randrange(weeks)
        if FEWEST <= counts[week] + step <= MOST:
            counts[week] += step
    return counts


def seed_live_requests(today: date) -> None:
    """The live window of the visits (visits.demo.live_window) up to today, at the same
    density; the requests of the last days are open, some with deadlines this week."""
    from visits.demo import live_window

    start, _end = live_window(today)
    past = (start, today - timedelta(days=7))
    if HelpRequest.objects.filter(created_at__date__range=past).exists():
        return  # already seeded: the demo stays as it is
    desk = _Desk.load(random.Random(f"{SEED}-{today.isoformat()}"), today)
    if desk is None:
        return
    this_monday = today - timedelta(days=today.weekday())
    monday = start - timedelta(days=start.weekday())
    while monday <= this_monday:
        count = _weighted(desk.chance, PER_WEEK)
        if monday < start:  # a week cut by the start of the window
            count = round(count * (7 - (start - monday).days) / 7)
        if monday == this_monday:
            count = max(count - 1, FEWEST)  # and the urgent one, below
        desk.plan_week(monday, count, start, today)
        monday += timedelta(weeks=1)
    desk.plan_urgent()
    desk.give_deadlines_this_week()
    desk.save(shared_every=SHARED_EVERY)


@dataclass
class _Planned:
    """One request to create, with its thread and its deadlines."""

    request: HelpRequest
    # (kind, author pk, moment, what to say: question, answer, note, waiting, information…)
    thread: list[tuple[str, int | None, datetime, str]] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    forced_rules: tuple[str, ...] = ()


@dataclass
class _File:
    """A case file that a request may be about."""

    pk: int
    code: str
    organisation: int
    created: datetime
    spells: list[tuple[int, date, date | None]] = field(default_factory=list)

    def centre_on(self, day: date) -> int | None:
        """The centre where the person was held that day, or the last one before."""
        held = [spell for spell in self.spells if spell[1] <= day]
        for centre, _begin, end in held:
            if end is None or day < end:
                return centre
        return max(held, key=lambda spell: spell[1])[0] if held else None

    def held_on(self, day: date) -> bool:
        return any(begin <= day and (end is None or day < end) for _c, begin, end in self.spells)


class _Desk:
    """What the demo draws its requests from, and the requests drawn."""

    def __init__(self, chance, today, lawyer, visitors, topics, rules, files, centres):
        self.chance = chance
        self.today = today
        self.now = timezone.now()
        self.lawyer = lawyer
        self.visitors = visitors  # (user, organisation pk, weight)
        self.topics = topics  # code → Topic
        self.rules = rules  # code → DeadlineRule
        self.files = files  # sorted by creation
        self.created = [file.created for file in files]
        self.centres = centres
        self.planned: list[_Planned] = []

    @classmethod
    def load(cls, chance, today):
        from move.accounts.models import Membership, User
        from move.accounts.permissions import Role
        from move.centres.models import Centre
        from visits.demo import PERSONA_VISITORS

        lawyer = User.objects.filter(email="lawyer@move.test").first()
        topics = {topic.code: topic for topic in Topic.objects.all()}
        if lawyer is None or not set(TOPICS) <= set(topics):
            return None
        organisation = {}
        for user_pk, organisation_pk in (
            Membership.objects.filter(role=Role.VISITOR)
            .order_by("organisation_id")
            .values_list("user_id", "organisation_id")
        ):
            organisation.setdefault(user_pk, organisation_pk)
        visitors = [
            (user, organisation[user.pk], PERSONA_WEIGHT if user.email in PERSONA_VISITORS else 1)
            for user in User.objects.filter(pk__in=list(organisation)).order_by("email")
        ]
        rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
        centres = list(
            Centre.objects.filter(kind=Centre.Kind.ADULT_CENTRE)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        return cls(chance, today, lawyer, visitors, topics, rules, _case_files(), centres)

    # Drawing ----------------------------------------------------------------------------

    def plan_week(self, monday: date, count: int, first: date, last: date) -> None:
        """`count` requests on days of the week between `first` and `last`, working days
        when there are some."""
        days = [monday + timedelta(days=n) for n in range(7)]
        days = [day for day in days if first <= day <= last]
        working = [day for day in days if day.weekday() < 5] or days
        for day in sorted(self.chance.choice(working) for _n in range(count)):
            moment = _at(day, self.chance.randint(8 * 60, 19 * 60))
            while moment > self.now:  # later today: asked the evening before, then
                moment -= timedelta(days=1)
            self.plan(moment)

    def plan(self, moment: datetime, **fixed) -> _Planned:
        chance = self.chance
        channel = fixed.get("channel") or _weighted(chance, CHANNELS)
        request = HelpRequest(
            channel=channel,
            created_at=moment,
            first_answer_due=services.first_answer_due(moment),
            topic=self.topics[fixed.get("topic") or _weighted(chance, TOPICS.items())],
            urgency=fixed.get("urgency", HelpRequest.Urgency.NORMAL),
        )
        if channel == Channel.APP:
            user, organisation, _weight = fixed.get("asker") or _weighted(
                chance, ((visitor, visitor[2]) for visitor in self.visitors)
            )
            request.requester_kind, request.requester = Kind.VISITOR, user
            request.organisation_id = organisation
            request.language = user.language if user.language in ASKED_BY else "fr"
            file = self._file(moment, organisation, LINKED_APP)
        else:
            request.requester_kind = _weighted(chance, KINDS[channel])
            request.language = chance.choice(["fr", "fr", "fr", "nl", "nl"])
            linkable = request.requester_kind in (Kind.DETAINEE, Kind.RELATIVE, Kind.VISITOR)
            file = self._file(moment, None, LINKED_CALLER if linkable else 0)
            if request.requester_kind != Kind.VISITOR and chance.random() < WITH_CONTACT:
                self._contact(request)
        request.person_id = file.pk if file else None
        day = timezone.localdate(moment)
        if file:
            request.centre_id = file.centre_on(day)
        elif request.requester_kind in (Kind.DETAINEE, Kind.VISITOR) and self.centres:
            request.centre_id = chance.choice(self.centres)
        planned = _Planned(request)
        author = request.requester.pk if request.requester else self.lawyer.pk
        planned.thread.append((Message.Kind.QUESTION, author, moment, "question"))
        self._fate(planned, fixed.get("stage") or self._stage((self.today - day).days))
        self.planned.append(planned)
        return planned

    def _file(self, moment: datetime, organisation: int | None, share: float) -> "_File | None":
        """A case file of the organisation (any, when None) created in the months before,
        held that day if possible; for a share of the requests only."""
        if self.chance.random() >= share:
            return None
        begin = bisect_left(self.created, moment - timedelta(days=LINK_DAYS))
        end = bisect_right(self.created, moment)
        candidates = [
            file
            for file in self.files[begin:end]
            if organisation is None or file.organisation == organisation
        ]
        held = [file for file in candidates if file.held_on(timezone.localdate(moment))]
        return self.chance.choice(held or candidates) if candidates else None

    def _contact(self, request: HelpRequest) -> None:
        number = self.chance.randint(1, 999)
        request.contact_name = CONTACT[request.language].format(n=number)
        if request.channel == Channel.EMAIL:
            request.contact_email = f"contact.{number}@example.org"
        else:
            request.contact_phone = f"+32 000 00 {number // 100:02d} {number % 100:02d}"

    def _stage(self, age: int) -> str:
        """What became of a request asked `age` days ago."""
        if age <= 2:
            stages = (("pending", 80), ("answered", 20))
        elif age <= 14:
            stages = (("answered", 40), ("closed", 25), ("pending", 15), ("waiting", 12))
            stages += (("more", 8),)
        elif age <= 45:
            stages = (("closed", 65), ("answered", 27), ("waiting", 4), ("more", 4))
        elif age <= 90:
            stages = (("closed", 92), ("answered", 8))
        else:
            stages = (("closed", 1),)
        return _weighted(self.chance, stages)

    def _fate(self, planned: _Planned, stage: str) -> None:
        """The thread and the status of a request at `stage`: still pending (new or in
        progress), waiting for information, answered, answered then told more (back in
        progress), closed."""
        chance, request = self.chance, planned.request
        asked, lawyer = request.created_at, self.lawyer.pk
        asker = request.requester.pk if request.requester else lawyer
        answered = self._answer_moment(asked)
        if stage in ("answered", "more", "closed") and answered > self.now:
            stage = "pending"
        if chance.random() < 0.15 and stage != "pending":
            told = asked + timedelta(hours=chance.randint(2, 20))
            if told < min(answered, self.now):
                planned.thread.append((Message.Kind.INFORMATION, asker, told, "information"))
        if chance.random() < 0.3 and stage != "pending":
            noted = asked + timedelta(minutes=chance.randint(15, 300))
            if noted < min(answered, self.now):
                planned.thread.append((Message.Kind.NOTE, lawyer, noted, "note"))
        request.assignee = self.lawyer
        if stage == "pending":
            if request.channel == Channel.APP and chance.random() < 0.6:
                request.status, request.assignee = Status.NEW, None
            else:
                request.status = Status.IN_PROGRESS
            return
        if stage == "waiting":
            asked_for = min(asked + timedelta(hours=chance.randint(1, 30)), self.now)
            planned.thread.append((Message.Kind.NOTE, lawyer, asked_for, "waiting"))
            request.status = Status.WAITING
            return
        planned.thread.append((Message.Kind.ANSWER, lawyer, answered, "answer"))
        request.first_answered_at = answered
        request.status = Status.ANSWERED
        if stage == "more":
            told = answered + timedelta(hours=chance.randint(3, 72))
            if told < self.now:
                planned.thread.append((Message.Kind.INFORMATION, asker, told, "information"))
                request.status = Status.IN_PROGRESS
        elif stage == "closed":
            self._close(planned, answered)

    def _close(self, planned: _Planned, answered: datetime) -> None:
        chance, request = self.chance, planned.request
        last = answered
        if chance.random() < 0.12:
            last = answered + timedelta(days=chance.randint(1, 6))
            if last < self.now:
                planned.thread.append((Message.Kind.ANSWER, self.lawyer.pk, last, "follow-up"))
            else:
                last = answered
        closed = last + timedelta(days=chance.randint(0, 10), hours=chance.randint(1, 5))
        if closed >= self.now:
            return  # answered, not closed yet
        request.status, request.closed_at = Status.CLOSED, closed
        months = settings.MOVE_RETENTION_HELP_CONTACT_MONTHS
        erased = _months_after(timezone.localdate(closed), months) + timedelta(days=1)
        if request.has_contact and erased <= self.today:
            # The retention job erased the caller's contact long ago.
            request.contact_name = request.contact_phone = request.contact_email = ""
            request.contact_erased_on = erased

    def _answer_moment(self, asked: datetime) -> datetime:
        """The first answer: the same day within hours, or on a later working day."""
        after = _weighted(self.chance, ANSWER_AFTER)
        if after == 0:
            return asked + timedelta(minutes=self.chance.randint(10, 240))
        day = deadlines.add_working_days(timezone.localdate(asked), after)
        return _at(day, self.chance.randint(9 * 60, 18 * 60))

    def plan_urgent(self) -> None:
        """A request asked in the application an hour and a half ago, about a person held
        now, whose appeal must be lodged within 24 hours of a decision notified half an
        hour before: it stands out at the top of the lawyer's queue."""
        asker = next((v for v in self.visitors if v[0].email == URGENT_ASKER), None)
        if asker is None or URGENT_RULE not in self.rules:
            return
        notified = timezone.localtime(self.now - timedelta(hours=2))
        notified = notified.replace(minute=notified.minute // 5 * 5, second=0, microsecond=0)
        asked = notified + timedelta(minutes=30)
        planned = self.plan(
            asked,
            channel=Channel.APP,
            asker=asker,
            topic="detention",
            urgency=HelpRequest.Urgency.URGENT,
            stage="pending",
        )
        request = planned.request
        held = [
            file
            for file in self.files
            if file.organisation == asker[1] and file.held_on(self.today) and file.created <= asked
        ]
        if held:
            file = held[-1]
            request.person_id, request.centre_id = file.pk, file.centre_on(self.today)
        request.status, request.assignee = Status.NEW, None
        request.subject = URGENT[request.language][0]
        planned.thread[0] = (*planned.thread[0][:3], "urgent")
        self._deadline(planned, self.rules[URGENT_RULE], notified)

    def give_deadlines_this_week(self) -> None:
        """The pending requests of the last days, newest first, are about a removal, an
        asylum or a Dublin decision whose limit ends within the week (at least
        DUE_THIS_WEEK_AT_LEAST of them: the newest are still pending if need be)."""
        recent = [
            planned
            for planned in reversed(self.planned)
            if planned.request.urgency == HelpRequest.Urgency.NORMAL
            and (self.today - timezone.localdate(planned.request.created_at)).days < 7
        ]
        pending = [p for p in recent if p.request.status in HelpRequest.PENDING_STATUSES]
        for planned in recent:
            if len(pending) >= DUE_THIS_WEEK_AT_LEAST:
                break
            if planned not in pending:
                self._still_pending(planned)
                pending.append(planned)
        for planned in pending[:DUE_THIS_WEEK]:
            code = self.chance.choice(["removal", "asylum", "dublin"])
            planned.request.topic = self.topics[code]
            planned.forced_rules = DEADLINE_RULES[code]

    def _still_pending(self, planned: _Planned) -> None:
        """Not answered yet: the question alone, in progress."""
        request = planned.request
        planned.thread = planned.thread[:1]
        request.status, request.assignee = Status.IN_PROGRESS, self.lawyer
        request.first_answered_at = request.closed_at = None

    # Deadlines --------------------------------------------------------------------------

    def add_deadlines(self, planned: _Planned) -> None:
        """A share of the requests whose topic has limits get one: still running on an
        open request when it ends today or later, done otherwise."""
        request = planned.request
        codes = planned.forced_rules or DEADLINE_RULES.get(request.topic.code, ())
        codes = [code for code in codes if code in self.rules]
        if planned.deadlines or not codes:
            return
        if not planned.forced_rules and self.chance.random() >= WITH_DEADLINE:
            return
        asked = timezone.localdate(request.created_at)
        # Most ask within days of the notification; some, this week, a week after it.
        days_before = range(NOTIFIED_BEFORE_FORCED if planned.forced_rules else NOTIFIED_BEFORE)
        choices = [
            (self.rules[code], asked - timedelta(days=back))
            for code in codes
            for back in days_before
        ]
        if request.status != Status.CLOSED:
            running = [(r, day) for r, day in choices if self._due(r, day) >= self.today]
            soon = [(r, day) for r, day in running if self._due(r, day) <= self._week_end()]
            choices = (soon if planned.forced_rules else []) or running or choices
        rule, notified_on = self.chance.choice(choices)
        moment = _at(notified_on, self.chance.randint(9 * 60, 16 * 60))
        self._deadline(planned, rule, min(moment, request.created_at))

    def _week_end(self) -> date:
        return self.today + timedelta(days=6)

    def _due(self, rule: DeadlineRule, notified_on: date) -> date:
        if rule.hours:
            return notified_on + timedelta(hours=rule.hours)
        return deadlines.due(notified_on, rule.days)

    def _deadline(self, planned: _Planned, rule: DeadlineRule, notified: datetime) -> None:
        """As services.add_deadline computes it, with its reason in the lawyer's language."""
        request = planned.request
        with translation.override(self.lawyer.language or settings.LANGUAGE_CODE):
            if rule.hours:
                result = deadlines.explain_hours(notified, rule.hours)
                due_at = result.due_at
            else:
                result = deadlines.explain(timezone.localdate(notified), rule.days)
                due_at = _at(result.due_on, 24 * 60 - 1) + timedelta(seconds=59)
        running = request.status != Status.CLOSED and due_at > self.now
        planned.deadlines.append(
            Deadline(
                rule=rule,
                notified_on=timezone.localdate(notified),
                notified_at=timezone.localtime(notified).time().replace(microsecond=0)
                if rule.hours
                else None,
                due_on=result.due_on,
                due_at=due_at,
                reason=result.reason[:300],
                done=not running,
                created_by=self.lawyer,
            )
        )
        dues = [deadline.due_at for deadline in planned.deadlines if not deadline.done]
        request.next_deadline_at = min(dues) if dues else None

    # Writing ----------------------------------------------------------------------------

    def save(self, shared_every: int = 0) -> None:
        for planned in self.planned:
            self.add_deadlines(planned)
            self._words(planned)
        self.planned.sort(key=lambda planned: planned.request.created_at)
        requests = [planned.request for planned in self.planned]
        counters = _number(requests)
        HelpRequest.objects.bulk_create(requests)
        messages, made = [], []
        for planned in self.planned:
            for kind, author, moment, text in sorted(planned.thread, key=lambda m: m[2]):
                messages.append(
                    Message(
                        request=planned.request,
                        kind=kind,
                        author_id=author,
                        text=text,
                        created_at=moment,
                    )
                )
            for deadline in planned.deadlines:
                deadline.request = planned.request
                made.append(deadline)
        Message.objects.bulk_create(messages)
        Deadline.objects.bulk_create(made)
        _advance_sequences(counters)
        saved = HelpRequest.objects.filter(pk__in=[request.pk for request in requests])
        _dated_as_written(saved)
        search.update_search_vectors(saved)
        if shared_every:
            self._share(requests, shared_every)

    def _words(self, planned: _Planned) -> None:
        """The subject and the texts of the thread, in the request's language."""
        request, chance = planned.request, self.chance
        language = request.language
        subject, question, answer = chance.choice(TEXTS[request.topic.code][language])
        if request.person_id:
            opening = ABOUT[language].format(code=self._code_of(request.person_id))
        else:
            opening = ASKED_BY[language][request.requester_kind]
        if request.urgency == HelpRequest.Urgency.URGENT:
            subject, question = URGENT[language]
        request.subject = subject
        words = {
            "question": f"{opening} {question}",
            "urgent": f"{opening} {question}",
            "answer": answer,
            "waiting": WAITING[language],
            "note": chance.choice(NOTES[language]),
            "information": chance.choice(INFORMATION[language]),
            "follow-up": chance.choice(FOLLOW_UP[language]),
        }
        planned.thread = [(kind, by, at, words[text]) for kind, by, at, text in planned.thread]

    def _code_of(self, person_pk: int) -> str:
        if not hasattr(self, "_codes"):
            self._codes = {file.pk: file.code for file in self.files}
        return self._codes[person_pk]

    def _share(self, requests, every: int) -> None:
        """Some requests of the application shared by the lawyer with the asker's
        organisation (services: the lawyer's share page does the same)."""
        from move.accounts import permissions
        from move.accounts.models import Organisation

        asked_in_app = [request for request in requests if request.organisation_id]
        organisations = Organisation.objects.in_bulk(
            {request.organisation_id for request in asked_in_app}
        )
        for request in asked_in_app[::every]:
            permissions.share(request, organisations[request.organisation_id], "view_helprequest")


# --- Helpers ------------------------------------------------------------------------------


def _case_files() -> list[_File]:
    """Every case file with its detention spells, in the order of creation."""
    from detainees.models import DetentionSpell, Person

    files = {
        pk: _File(pk, code, organisation, created)
        for pk, code, organisation, created in Person.objects.values_list(
            "pk", "code", "organisation_id", "created_at"
        )
    }
    for person, centre, begin, end in DetentionSpell.objects.values_list(
        "person_id", "centre_id", "start", "end"
    ):
        files[person].spells.append((centre, begin, end))
    return sorted(files.values(), key=lambda file: (file.created, file.pk))


def _number(requests) -> dict[str, int]:
    """H-<year>-NNNN in the order asked, after the codes already given out that year."""
    from detainees.models import CodeSequence

    years = {timezone.localtime(request.created_at).year for request in requests}
    counters: dict[str, int] = {}
    for year in years:
        codes = HelpRequest.objects.filter(code__startswith=f"H-{year}-")
        used = [int(code.rsplit("-", 1)[1]) for code in codes.values_list("code", flat=True)]
        sequence = CodeSequence.objects.filter(prefix="H", year=year).values_list("last", flat=True)
        counters[str(year)] = max([*used, *sequence], default=0)
    for request in requests:
        year = str(timezone.localtime(request.created_at).year)
        counters[year] += 1
        request.code = f"H-{year}-{counters[year]:04d}"
    return counters


def _advance_sequences(counters: dict[str, int]) -> None:
    """The next request asked in the application gets the code after the demo's."""
    from detainees.models import CodeSequence

    for year, last in counters.items():
        CodeSequence.objects.get_or_create(prefix="H", year=int(year), defaults={"last": last})
        CodeSequence.objects.filter(prefix="H", year=int(year)).update(
            last=Greatest("last", Value(last))
        )


def _dated_as_written(requests) -> None:
    """A request last changed with its last message or when it was closed, a deadline
    added when its request was read (bulk_create stamps both with now)."""
    last = (
        Message.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    requests.update(updated_at=Coalesce("closed_at", Subquery(last), "created_at"))
    asked = HelpRequest.objects.filter(pk=OuterRef("request_id")).values("created_at")[:1]
    Deadline.objects.filter(request__in=requests).update(created_at=Subquery(asked))


def _at(day: date, minutes: int) -> datetime:
    """`day` at so many minutes after midnight, Brussels time."""
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _weighted(chance, pairs):
    values, weights = zip(*pairs, strict=True)
    return chance.choices(values, weights)[0]
