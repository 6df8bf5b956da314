"""The demo's lawyers, jurisprudence, newsletters, strategic cases, trainings and
documents (issue 11, DESIGN.md §8).

About 120 lawyers who practise detention law over the Belgian bars, most in Brussels,
Antwerp and Liège, speaking the language of their bar (many both), covering the centres
near them, most subscribed to the newsletter since 2021–2022; some forty decisions of
2022–2023 summarised in French and Dutch; the four newsletters of 2022 published and
delivered to the lawyers subscribed at the time; the two strategic cases of the 2022
activity report (children held at 127bis before the ECtHR, the wrongful detention of
students); the trainings of 2022; the legal toolkit, the vade-mecums and the guide for
parliamentarians as documents with small PDFs.

Drawn with a fixed seed and written with bulk inserts; each part is skipped when it is
already there, so that a second run creates nothing. Names, firms, e-mail addresses
(example domains only) and phone numbers are made up; the decisions are fictitious
digests whose ECLIs and numbers are invented, and they name nobody. The PDFs of the
newsletters are not rendered here: the public page renders a missing one on first
request.
"""

import random
import unicodedata
from datetime import date, datetime, time, timedelta
from io import BytesIO

import phonenumbers
from auditlog.context import disable_auditlog
from django.utils import timezone

from legal import library_files
from legal.models import (
    Bar,
    Decision,
    Delivery,
    Hearing,
    Lawyer,
    LitigationCase,
    NewsItem,
    Newsletter,
    NewsletterDecision,
    Resource,
    Speciality,
    Training,
    TrainingMaterial,
)
from move.accounts.models import User
from move.centres.models import Centre
from visits.models import Theme

SEED = 11
LAWYERS = 120
PUBLISHER_EMAIL = "lawyer@move.test"

# --- The lawyers ----------------------------------------------------------------------------

# How many lawyers at each bar (adds up to LAWYERS): most where the centres and the
# courts that review detention are.
BARS = {
    "brussels-fr": 29,
    "brussels-nl": 14,
    "antwerp": 18,
    "liege-huy": 12,
    "east-flanders": 8,
    "leuven": 6,
    "turnhout": 5,
    "west-flanders": 5,
    "mechelen": 4,
    "limburg": 4,
    "namur": 4,
    "charleroi": 3,
    "mons": 2,
    "walloon-brabant": 2,
    "verviers": 1,
    "tournai": 1,
    "luxembourg": 1,
    "eupen": 1,
}
DUTCH_BARS = {
    "brussels-nl",
    "antwerp",
    "east-flanders",
    "leuven",
    "turnhout",
    "west-flanders",
    "mechelen",
    "limburg",
}
# The bar's region, and the centres its lawyers go to (codes of move/centres/demo.py).
NEAR = {
    "brussels-fr": ("brussels", ("127bis", "caricole", "127bis-familles")),
    "brussels-nl": ("brussels", ("127bis", "caricole", "127bis-familles")),
    "antwerp": ("antwerp", ("merksplas",)),
    "turnhout": ("antwerp", ("merksplas",)),
    "mechelen": ("antwerp", ("127bis", "caricole", "merksplas")),
    "leuven": ("flemish-brabant", ("holsbeek", "127bis", "caricole")),
    "limburg": ("limburg", ("holsbeek", "merksplas")),
    "east-flanders": ("east-flanders", ("bruges",)),
    "west-flanders": ("west-flanders", ("bruges",)),
    "liege-huy": ("liege", ("vottem",)),
    "verviers": ("liege", ("vottem",)),
    "eupen": ("liege", ("vottem",)),
    "namur": ("namur", ("vottem", "127bis")),
    "luxembourg": ("luxembourg", ("vottem",)),
    "charleroi": ("hainaut", ("127bis", "caricole")),
    "mons": ("hainaut", ("127bis",)),
    "tournai": ("hainaut", ("bruges", "127bis")),
    "walloon-brabant": ("walloon-brabant", ("127bis", "caricole")),
}
# A neighbouring region some lawyers also cover.
NEIGHBOUR = {
    "brussels": "flemish-brabant",
    "antwerp": "limburg",
    "flemish-brabant": "brussels",
    "limburg": "antwerp",
    "east-flanders": "west-flanders",
    "west-flanders": "east-flanders",
    "liege": "namur",
    "namur": "liege",
    "luxembourg": "namur",
    "hainaut": "walloon-brabant",
    "walloon-brabant": "brussels",
}
# Belgian area codes for the bar's town (E.164: +32, then the number without its 0).
AREA_CODES = {
    "brussels-fr": "2",
    "brussels-nl": "2",
    "antwerp": "3",
    "turnhout": "14",
    "mechelen": "15",
    "leuven": "16",
    "limburg": "11",
    "east-flanders": "9",
    "west-flanders": "50",
    "liege-huy": "4",
    "verviers": "87",
    "eupen": "87",
    "namur": "81",
    "luxembourg": "63",
    "charleroi": "71",
    "mons": "65",
    "tournai": "69",
    "walloon-brabant": "10",
}
FIRST_NAMES = {
    "nl": (
        "An",
        "Bart",
        "Dirk",
        "Els",
        "Ellen",
        "Evelien",
        "Frederik",
        "Geert",
        "Hanne",
        "Ilse",
        "Jan",
        "Jens",
        "Joke",
        "Karel",
        "Katrien",
        "Koen",
        "Lien",
        "Lotte",
        "Maarten",
        "Marijke",
        "Nele",
        "Pieter",
        "Sander",
        "Sofie",
        "Stijn",
        "Tine",
        "Tom",
        "Veerle",
        "Wim",
        "Yasmine",
        "Hamid",
        "Nadia",
    ),
    "fr": (
        "Alice",
        "Anne",
        "Antoine",
        "Aurélie",
        "Benoît",
        "Camille",
        "Caroline",
        "Charlotte",
        "Christophe",
        "Delphine",
        "Élodie",
        "Émilie",
        "François",
        "Gilles",
        "Hélène",
        "Isabelle",
        "Julie",
        "Laurent",
        "Louise",
        "Manon",
        "Mathieu",
        "Nathalie",
        "Nicolas",
        "Olivier",
        "Pauline",
        "Quentin",
        "Sarah",
        "Sophie",
        "Thomas",
        "Valérie",
        "Yasmina",
        "Karim",
        "Leïla",
        "Mehdi",
    ),
}
LAST_NAMES = {
    "nl": (
        "Peeters",
        "Janssens",
        "Maes",
        "Jacobs",
        "Mertens",
        "Willems",
        "Claes",
        "Goossens",
        "Wouters",
        "De Smet",
        "Vermeulen",
        "Van den Bossche",
        "Dubois",
        "Lambrechts",
        "Hermans",
        "Aerts",
        "Verhoeven",
        "Van Damme",
        "Desmet",
        "Segers",
        "Bogaert",
        "Declercq",
        "Van Acker",
        "Verstraete",
        "Michiels",
        "Coppens",
        "Smets",
        "Vandenberghe",
        "El Amrani",
        "Yilmaz",
    ),
    "fr": (
        "Dupont",
        "Lambert",
        "Dubois",
        "Martin",
        "Simon",
        "Laurent",
        "Leclercq",
        "Renard",
        "Lejeune",
        "Collard",
        "Thiry",
        "Mathieu",
        "Gérard",
        "Dumont",
        "Hubert",
        "Jacquet",
        "Delvaux",
        "François",
        "Lemaire",
        "Poncelet",
        "Henrard",
        "Lecomte",
        "Dethier",
        "Gillet",
        "Rousseau",
        "Wathelet",
        "Bodart",
        "Mukendi",
        "Benali",
        "Nkulu",
    ),
}
# Made-up firm names: {name} is a surname of the firm.
FIRMS = {
    "nl": ("Advocatenkantoor {name}", "{name} Advocaten", "{name} & Partners", "Balie {name}"),
    "fr": ("Cabinet {name}", "{name} & Associés", "Avocats {name}", "Étude {name}"),
}
OTHER_LANGUAGES = (("en", 40), ("ar", 6), ("es", 5), ("de", 3), ("tr", 2), ("pt", 2), ("ru", 2))
# Besides immigration detention: 1 to 3 other fields each.
OTHER_SPECIALITIES = (
    ("asylum", 30),
    ("entry-bans", 18),
    ("dublin", 15),
    ("residence", 15),
    ("family", 12),
    ("criminal", 10),
    ("youth", 6),
    ("social", 4),
)
DETENTION_SHARE = 0.8
LEGAL_AID_SHARE = 0.82
# Subscribed to the newsletter; among them, a few who unsubscribed since.
SUBSCRIBED_SHARE, UNSUBSCRIBED = 0.88, 5
CONSENT_SHARE = 0.6


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _weighted(chance, pairs):
    values, weights = zip(*pairs, strict=True)
    return chance.choices(values, weights)[0]


def _phone(chance, bar: str) -> str:
    """A Belgian number in E.164 that phonenumbers takes as valid: a mobile for most,
    the office's landline for the others."""
    while True:
        if chance.random() < 0.6:
            number = (
                f"+324{chance.choice('789')}{chance.randint(0, 9)}{chance.randint(0, 999999):06d}"
            )
        else:
            area = AREA_CODES[bar]
            rest = 7 - len(area)  # 8 digits after +32, the first of them not 0 or 1
            subscriber = f"{chance.randint(2, 9)}{chance.randint(0, 10**rest - 1):0{rest}d}"
            number = f"+32{area}{subscriber}"
        parsed = phonenumbers.parse(number, "BE")
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _languages(chance, bar: str) -> list[str]:
    own = "nl" if bar in DUTCH_BARS else "fr"
    other = "fr" if own == "nl" else "nl"
    brussels = bar.startswith("brussels")
    spoken = ["de", "fr"] if bar == "eupen" else [own]
    if chance.random() < (0.75 if brussels else 0.45):
        spoken.append(other)
    if chance.random() < 0.5:
        extra = _weighted(chance, OTHER_LANGUAGES)
        if extra not in spoken:
            spoken.append(extra)
    return spoken


def _specialities(chance) -> list[str]:
    chosen = ["detention"] if chance.random() < DETENTION_SHARE else []
    wanted = chance.randint(1, 3) if chosen else chance.randint(2, 3)
    while len(chosen) < wanted + (1 if "detention" in chosen else 0):
        code = _weighted(chance, OTHER_SPECIALITIES)
        if code not in chosen:
            chosen.append(code)
    return chosen


def _lawyer_rows(chance) -> list[dict]:
    rows, emails = [], set()
    for bar, count in BARS.items():
        language = "nl" if bar in DUTCH_BARS else "fr"
        region, centres = NEAR[bar]
        other = "fr" if language == "nl" else "nl"
        for _number in range(count):
            first = chance.choice(FIRST_NAMES[language if chance.random() < 0.85 else other])
            last = chance.choice(LAST_NAMES[language if chance.random() < 0.85 else other])
            partner = chance.choice(LAST_NAMES[language])
            named = last if chance.random() < 0.6 else partner
            firm = chance.choice(FIRMS[language]).format(name=named)
            if chance.random() >= 0.9:  # on their own
                firm = ""
            own = "advocaat" if language == "nl" else "avocat"
            domain = f"{_ascii(firm or f'{own} {last}')[:30]}.example.be"
            email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
            while email in emails:
                email = f"{_ascii(first)}.{_ascii(last)}{len(emails) % 97}@{domain}"
            emails.add(email)
            specialities = _specialities(chance)
            detention = "detention" in specialities
            regions = [region]
            if chance.random() < 0.35:
                regions.append(NEIGHBOUR[region])
            covered = list(centres) if detention else []
            if covered and len(covered) > 1 and chance.random() < 0.4:
                covered = covered[: chance.randint(1, len(covered) - 1)]
            rows.append(
                {
                    "name": f"{first} {last}",
                    "firm": firm,
                    "bar": bar,
                    "languages": _languages(chance, bar),
                    "specialities": specialities,
                    "legal_aid": chance.random() < LEGAL_AID_SHARE,
                    "centres": covered,
                    "regions": regions,
                    "email": email,
                    "phone": _phone(chance, bar),
                    "newsletter_language": language,
                }
            )
    return rows


def _subscription(chance) -> dict:
    if chance.random() >= SUBSCRIBED_SHARE:
        return {"subscribed": False}
    start = date(2021, 1, 4)
    return {
        "subscribed": True,
        "subscription_basis": (
            Lawyer.Basis.CONSENT
            if chance.random() < CONSENT_SHARE
            else Lawyer.Basis.LEGITIMATE_INTEREST
        ),
        "subscribed_on": start + timedelta(days=chance.randint(0, 720)),
    }


def seed_lawyers() -> list[Lawyer]:
    chance = random.Random(f"{SEED}-lawyers")
    rows = _lawyer_rows(chance)
    if Lawyer.objects.filter(email__in=[row["email"] for row in rows[:5]]).exists():
        return []
    bars = {bar.code: bar for bar in Bar.objects.all()}
    specialities = {speciality.code: speciality for speciality in Speciality.objects.all()}
    centres = {centre.code: centre for centre in Centre.objects.all()}
    lawyers = []
    for row in rows:
        lawyer = Lawyer(
            name=row["name"],
            firm=row["firm"],
            bar=bars[row["bar"]],
            languages=" ".join(row["languages"]),
            legal_aid=row["legal_aid"],
            regions=" ".join(row["regions"]),
            email=row["email"].lower(),
            phone=row["phone"],
            newsletter_language=row["newsletter_language"],
            **_subscription(chance),
        )
        lawyers.append(lawyer)
    subscribed = [lawyer for lawyer in lawyers if lawyer.subscribed]
    for lawyer in chance.sample(subscribed, UNSUBSCRIBED):
        lawyer.subscribed = False
        lawyer.unsubscribed_on = date(2023, 1, 9) + timedelta(days=chance.randint(0, 900))
    Lawyer.objects.bulk_create(lawyers)
    Lawyer.specialities.through.objects.bulk_create(
        Lawyer.specialities.through(lawyer_id=lawyer.pk, speciality_id=specialities[code].pk)
        for lawyer, row in zip(lawyers, rows, strict=True)
        for code in row["specialities"]
        if code in specialities
    )
    Lawyer.centres.through.objects.bulk_create(
        Lawyer.centres.through(lawyer_id=lawyer.pk, centre_id=centres[code].pk)
        for lawyer, row in zip(lawyers, rows, strict=True)
        for code in row["centres"]
        if code in centres
    )
    return lawyers


# --- The decisions ----------------------------------------------------------------------------

# (day, court, district, outcome, themes, ECLI, reference, public,
#  title fr, summary fr, title nl, summary nl). Fictitious digests: the ECLIs and numbers
# are invented; nobody is named.
DECISIONS = [
    (
        date(2022, 1, 13),
        "council_chamber",
        "Bruxelles / Brussel",
        "favourable",
        ("removal-attempts",),
        "ECLI:BE:PIBRL:2022:ORD.20220113.4",
        "Ord. 2022/0113",
        True,
        "Libération faute de démarches concrètes d'éloignement",
        "La chambre du conseil de Bruxelles ordonne la remise en liberté : après deux mois "
        "de détention, l'administration ne démontre aucune démarche concrète auprès des "
        "autorités du pays d'origine. La détention ne peut être maintenue que si "
        "l'éloignement est poursuivi avec la diligence requise.",
        "Invrijheidstelling bij gebrek aan concrete verwijderingsstappen",
        "De raadkamer van Brussel beveelt de invrijheidstelling: na twee maanden detentie "
        "toont de administratie geen enkele concrete stap bij de autoriteiten van het land "
        "van herkomst aan. De detentie kan enkel worden gehandhaafd als de verwijdering met "
        "de vereiste zorgvuldigheid wordt voortgezet.",
    ),
    (
        date(2022, 1, 27),
        "cce",
        "",
        "favourable",
        ("families-children", "removal-attempts"),
        "ECLI:BE:RVV:2022:ARR.266418",
        "n° 266 418",
        True,
        "Extrême urgence : éloignement d'un père séparé de ses enfants mineurs",
        "Le Conseil suspend l'exécution de l'ordre de quitter le territoire avec maintien en "
        "vue d'éloignement. La décision n'examine pas la vie familiale avec des enfants "
        "mineurs scolarisés en Belgique, alors que ces éléments étaient connus de "
        "l'administration (article 8 CEDH et article 74/13 de la loi du 15 décembre 1980).",
        "Uiterst dringende noodzakelijkheid: verwijdering van een vader, gescheiden van zijn "
        "minderjarige kinderen",
        "De Raad schorst de tenuitvoerlegging van het bevel om het grondgebied te verlaten "
        "met vasthouding met het oog op verwijdering. De beslissing onderzoekt het "
        "gezinsleven met in België schoolgaande minderjarige kinderen niet, hoewel die "
        "elementen de administratie bekend waren (artikel 8 EVRM en artikel 74/13 van de "
        "wet van 15 december 1980).",
    ),
    (
        date(2022, 2, 8),
        "indictment_chamber",
        "Liège / Luik",
        "unfavourable",
        ("other",),
        "ECLI:BE:CALIE:2022:ARR.20220208.7",
        "Arrêt 2022/412",
        True,
        "Contrôle de légalité : pas d'examen de l'opportunité de la détention",
        "La chambre des mises en accusation de Liège réforme l'ordonnance de libération : le "
        "juge contrôle la légalité de la mesure, et non son opportunité. Le caractère "
        "disproportionné allégué, au regard de la durée du séjour en Belgique, ne peut "
        "fonder la remise en liberté.",
        "Wettigheidstoezicht: geen toetsing van de opportuniteit van de detentie",
        "De kamer van inbeschuldigingstelling van Luik hervormt de beschikking tot "
        "invrijheidstelling: de rechter toetst de wettigheid van de maatregel, niet de "
        "opportuniteit ervan. De aangevoerde onevenredigheid, gelet op de duur van het "
        "verblijf in België, kan de invrijheidstelling niet schragen.",
    ),
    (
        date(2022, 2, 22),
        "cassation",
        "",
        "favourable",
        ("legal-aid",),
        "ECLI:BE:CASS:2022:ARR.20220222.2F.11",
        "P.22.0187.F",
        True,
        "Cassation : obligation de répondre au moyen tiré des mesures moins coercitives",
        "La Cour casse l'arrêt de la chambre des mises en accusation qui ne répondait pas au "
        "moyen selon lequel la décision de maintien n'examinait pas les mesures moins "
        "coercitives prévues par l'article 7 de la loi du 15 décembre 1980. L'affaire est "
        "renvoyée à la chambre autrement composée.",
        "Cassatie: verplichting te antwoorden op het middel over minder dwingende maatregelen",
        "Het Hof vernietigt het arrest van de kamer van inbeschuldigingstelling dat niet "
        "antwoordde op het middel dat de vasthoudingsbeslissing de minder dwingende "
        "maatregelen van artikel 7 van de wet van 15 december 1980 niet onderzocht. De zaak "
        "wordt verwezen naar de anders samengestelde kamer.",
    ),
    (
        date(2022, 3, 10),
        "cce",
        "",
        "favourable",
        ("medical-care", "removal-attempts"),
        "ECLI:BE:RVV:2022:ARR.269032",
        "n° 269 032",
        True,
        "Éloignement d'une personne gravement malade : examen médical insuffisant",
        "Le Conseil suspend l'éloignement : l'administration s'est fondée sur un avis "
        "médical sommaire sans tenir compte des certificats attestant un traitement "
        "indisponible dans le pays de destination. Le risque de traitement contraire à "
        "l'article 3 CEDH n'a pas été examiné avec rigueur.",
        "Verwijdering van een ernstig zieke persoon: onvoldoende medisch onderzoek",
        "De Raad schorst de verwijdering: de administratie steunde op een summier medisch "
        "advies zonder rekening te houden met de attesten over een behandeling die in het "
        "land van bestemming niet beschikbaar is. Het risico op een behandeling in strijd met "
        "artikel 3 EVRM werd niet zorgvuldig onderzocht.",
    ),
    (
        date(2022, 3, 24),
        "ecthr",
        "",
        "favourable",
        ("other",),
        "ECLI:CE:ECHR:2022:0324JUD005871219",
        "Req./verz. 58712/19",
        True,
        "Cour EDH : détention prolongée à la frontière, violation de l'article 5 § 1",
        "La Cour conclut à la violation de l'article 5 § 1 CEDH : la détention d'une "
        "demandeuse d'asile dans un centre de transit s'est prolongée au-delà du temps "
        "raisonnablement nécessaire à l'examen de sa demande, sans que les autorités "
        "justifient cette durée.",
        "EHRM: langdurige detentie aan de grens, schending van artikel 5 § 1",
        "Het Hof stelt een schending vast van artikel 5 § 1 EVRM: de detentie van een "
        "asielzoekster in een transitcentrum duurde langer dan redelijkerwijs nodig voor het "
        "onderzoek van haar verzoek, zonder dat de autoriteiten die duur verantwoordden.",
    ),
    (
        date(2022, 3, 30),
        "council_chamber",
        "Leuven / Louvain",
        "favourable",
        ("isolation",),
        "ECLI:BE:RBLEU:2022:BES.20220330.2",
        "Besch. 2022/330",
        False,
        "Isolement prolongé au centre de Holsbeek et légalité de la détention",
        "La chambre du conseil de Louvain relève que le placement en isolement pendant "
        "plusieurs jours n'a pas été notifié par écrit. Elle rappelle que les conditions de "
        "détention ne relèvent en principe pas de son contrôle, mais ordonne la libération "
        "pour un autre motif : la prolongation n'était pas motivée.",
        "Langdurige afzondering in het centrum van Holsbeek en wettigheid van de detentie",
        "De raadkamer van Leuven stelt vast dat de plaatsing in afzondering gedurende "
        "meerdere dagen niet schriftelijk werd betekend. Ze herinnert eraan dat de "
        "detentieomstandigheden in beginsel niet onder haar toezicht vallen, maar beveelt de "
        "invrijheidstelling om een andere reden: de verlenging was niet gemotiveerd.",
    ),
    (
        date(2022, 4, 12),
        "council_chamber",
        "Bruxelles / Brussel",
        "favourable",
        ("families-children",),
        "ECLI:BE:PIBRL:2022:ORD.20220412.9",
        "Ord. 2022/0412",
        True,
        "Famille détenue en unité familiale : intérêt supérieur de l'enfant",
        "La chambre du conseil de Bruxelles ordonne la libération d'une famille avec trois "
        "enfants maintenue dans les unités familiales du 127bis : la décision ne démontre "
        "pas que l'intérêt supérieur des enfants a été pris en compte, ni pourquoi une "
        "alternative à la détention n'était pas possible.",
        "Gezin vastgehouden in een gezinsunit: hoger belang van het kind",
        "De raadkamer van Brussel beveelt de invrijheidstelling van een gezin met drie "
        "kinderen dat in de gezinsunits van 127bis werd vastgehouden: de beslissing toont niet "
        "aan dat met het hoger belang van de kinderen rekening werd gehouden, noch waarom een "
        "alternatief voor detentie niet mogelijk was.",
    ),
    (
        date(2022, 4, 28),
        "cce",
        "",
        "favourable",
        ("removal-attempts",),
        "ECLI:BE:RVV:2022:ARR.271234",
        "n° 271 234",
        True,
        "Transfert Dublin : défaillances dans l'accueil",
        "Le Conseil suspend en extrême urgence le transfert vers l'État membre responsable : "
        "les rapports récents font état de défaillances dans l'accueil des demandeurs "
        "d'asile renvoyés, que l'administration n'a pas examinées au regard de l'article 3 "
        "CEDH et de l'article 4 de la Charte.",
        "Dublinoverdracht: tekortkomingen in de opvang",
        "De Raad schorst bij uiterst dringende noodzakelijkheid de overdracht naar de "
        "verantwoordelijke lidstaat: recente rapporten wijzen op tekortkomingen in de "
        "opvang van teruggestuurde asielzoekers, die de administratie niet onderzocht in het "
        "licht van artikel 3 EVRM en artikel 4 van het Handvest.",
    ),
    (
        date(2022, 5, 10),
        "indictment_chamber",
        "Bruxelles / Brussel",
        "favourable",
        ("legal-aid",),
        "ECLI:BE:CABRL:2022:ARR.20220510.14",
        "Arrêt 2022/1377",
        True,
        "Audience sans que l'avocat ait pu consulter le dossier",
        "La chambre des mises en accusation de Bruxelles ordonne la remise en liberté : "
        "l'affaire a été traitée devant la chambre du conseil sans que l'avocat, désigné la "
        "veille, ait pu consulter le dossier administratif. Les droits de la défense ont été "
        "méconnus.",
        "Zitting zonder dat de advocaat het dossier kon inzien",
        "De kamer van inbeschuldigingstelling van Brussel beveelt de invrijheidstelling: de "
        "zaak werd voor de raadkamer behandeld zonder dat de de dag voordien aangestelde "
        "advocaat het administratief dossier had kunnen inzien. De rechten van verdediging "
        "werden miskend.",
    ),
    (
        date(2022, 5, 24),
        "council_of_state",
        "",
        "partly",
        ("isolation",),
        "ECLI:BE:RVSCE:2022:ARR.253871",
        "n° 253.871",
        True,
        "Conseil d'État : encadrement du régime d'isolement dans les centres",
        "Le Conseil d'État annule partiellement une instruction relative au régime "
        "d'isolement : la durée maximale et les garanties (information écrite, droit d'être "
        "entendu, visite médicale) doivent être fixées par arrêté royal et non par une "
        "simple instruction interne.",
        "Raad van State: omkadering van het isolatieregime in de centra",
        "De Raad van State vernietigt gedeeltelijk een instructie over het isolatieregime: "
        "de maximumduur en de waarborgen (schriftelijke informatie, recht om gehoord te "
        "worden, medisch bezoek) moeten bij koninklijk besluit worden vastgelegd en niet bij "
        "een loutere interne instructie.",
    ),
    (
        date(2022, 6, 7),
        "cjeu",
        "",
        "favourable",
        ("other",),
        "ECLI:EU:C:2022:451",
        "C-611/21",
        True,
        "CJUE : fin de la rétention sans perspective raisonnable d'éloignement",
        "Répondant à une question préjudicielle, la Cour rappelle que, selon l'article 15, "
        "paragraphe 4, de la directive retour, la rétention cesse d'être justifiée lorsqu'il "
        "n'existe plus de perspective raisonnable d'éloignement, et que le juge national doit "
        "pouvoir ordonner la libération immédiate.",
        "HvJ: einde van de bewaring zonder redelijk vooruitzicht op verwijdering",
        "In antwoord op een prejudiciële vraag herinnert het Hof eraan dat de bewaring "
        "volgens artikel 15, lid 4, van de terugkeerrichtlijn niet langer gerechtvaardigd is "
        "wanneer er geen redelijk vooruitzicht op verwijdering meer bestaat, en dat de "
        "nationale rechter de onmiddellijke invrijheidstelling moet kunnen bevelen.",
    ),
    (
        date(2022, 6, 21),
        "council_chamber",
        "Turnhout",
        "favourable",
        ("mental-health",),
        "ECLI:BE:RBTUR:2022:BES.20220621.3",
        "Besch. 2022/621",
        True,
        "Troubles psychiatriques et maintien au centre de Merksplas",
        "La chambre du conseil de Turnhout ordonne la libération : l'administration "
        "connaissait les troubles psychiatriques graves attestés par le médecin du centre et "
        "n'a pas examiné si la détention restait compatible avec l'état de santé de "
        "l'intéressé.",
        "Psychiatrische problemen en vasthouding in het centrum van Merksplas",
        "De raadkamer van Turnhout beveelt de invrijheidstelling: de administratie kende de "
        "ernstige psychiatrische problemen die de arts van het centrum had vastgesteld en "
        "onderzocht niet of de detentie nog verenigbaar was met de gezondheidstoestand van de "
        "betrokkene.",
    ),
    (
        date(2022, 6, 29),
        "cce",
        "",
        "unfavourable",
        ("other",),
        "ECLI:BE:RVV:2022:ARR.274410",
        "n° 274 410",
        False,
        "Interdiction d'entrée de huit ans : motivation suffisante",
        "Le Conseil rejette le recours contre une interdiction d'entrée de huit ans fondée "
        "sur l'ordre public : la décision expose les faits retenus et leur actualité, et "
        "tient compte de la vie familiale alléguée.",
        "Inreisverbod van acht jaar: afdoende motivering",
        "De Raad verwerpt het beroep tegen een inreisverbod van acht jaar op grond van de "
        "openbare orde: de beslissing zet de in aanmerking genomen feiten en hun actualiteit "
        "uiteen en houdt rekening met het aangevoerde gezinsleven.",
    ),
    (
        date(2022, 7, 7),
        "cce",
        "",
        "favourable",
        ("other",),
        "ECLI:BE:RVV:2022:ARR.275102",
        "n° 275 102",
        True,
        "Interdiction d'entrée : la durée doit être motivée individuellement",
        "Le Conseil annule une interdiction d'entrée de trois ans : la décision se borne à "
        "une formule générale et ne dit pas pourquoi la durée maximale a été retenue au "
        "regard de la situation particulière de la personne (article 74/11 de la loi du 15 "
        "décembre 1980).",
        "Inreisverbod: de duur moet individueel gemotiveerd zijn",
        "De Raad vernietigt een inreisverbod van drie jaar: de beslissing beperkt zich tot "
        "een algemene formule en zegt niet waarom de maximumduur werd gekozen in het licht "
        "van de bijzondere situatie van de persoon (artikel 74/11 van de wet van 15 december "
        "1980).",
    ),
    (
        date(2022, 7, 19),
        "council_chamber",
        "Brugge / Bruges",
        "favourable",
        ("removal-attempts",),
        "ECLI:BE:RBBRU:2022:BES.20220719.5",
        "Besch. 2022/719",
        True,
        "Nouveau titre de détention après un refus d'embarquer : détournement de procédure",
        "La chambre du conseil de Bruges constate que trois titres de détention successifs "
        "ont été pris après des tentatives d'éloignement, sans élément nouveau. Le délai "
        "maximal de détention ne peut être contourné de la sorte : la libération est "
        "ordonnée.",
        "Nieuwe detentietitel na weigering aan boord te gaan: misbruik van procedure",
        "De raadkamer van Brugge stelt vast dat na verwijderingspogingen drie opeenvolgende "
        "detentietitels werden genomen, zonder nieuw element. De maximale detentieduur kan "
        "niet op die manier worden omzeild: de invrijheidstelling wordt bevolen.",
    ),
    (
        date(2022, 8, 11),
        "indictment_chamber",
        "Antwerpen / Anvers",
        "inadmissible",
        ("legal-aid",),
        "ECLI:BE:HBANT:2022:ARR.20220811.6",
        "KI 2022/1544",
        True,
        "Appel tardif : le délai de vingt-quatre heures",
        "La chambre des mises en accusation d'Anvers déclare l'appel irrecevable : introduit "
        "plus de vingt-quatre heures après la notification de l'ordonnance, il est tardif, "
        "même si l'intéressé n'a reçu la traduction que le lendemain.",
        "Laattijdig hoger beroep: de termijn van vierentwintig uur",
        "De kamer van inbeschuldigingstelling van Antwerpen verklaart het hoger beroep "
        "onontvankelijk: het werd meer dan vierentwintig uur na de betekening van de "
        "beschikking ingesteld en is laattijdig, ook al ontving de betrokkene de vertaling pas "
        "de dag nadien.",
    ),
    (
        date(2022, 8, 30),
        "ecthr",
        "",
        "favourable",
        ("medical-care",),
        "ECLI:CE:ECHR:2022:0830JUD001964320",
        "Req./verz. 19643/20",
        True,
        "Cour EDH : soins médicaux inadéquats en centre fermé",
        "La Cour conclut à la violation de l'article 3 CEDH : malgré des signalements "
        "répétés, une personne atteinte d'une maladie chronique n'a pas reçu en centre fermé "
        "le suivi médical et le régime alimentaire prescrits pendant plusieurs semaines.",
        "EHRM: ontoereikende medische zorg in een gesloten centrum",
        "Het Hof stelt een schending vast van artikel 3 EVRM: ondanks herhaalde meldingen "
        "kreeg een persoon met een chronische ziekte in een gesloten centrum gedurende "
        "meerdere weken niet de voorgeschreven medische opvolging en het voorgeschreven "
        "dieet.",
    ),
    (
        date(2022, 9, 13),
        "cassation",
        "",
        "unfavourable",
        ("other",),
        "ECLI:BE:CASS:2022:ARR.20220913.2N.8",
        "P.22.1102.N",
        True,
        "Cassation : le juge de la détention ne contrôle pas l'opportunité",
        "La Cour rejette le pourvoi : en vertu de l'article 72 de la loi du 15 décembre "
        "1980, les juridictions d'instruction vérifient la conformité de la mesure à la loi, "
        "sans pouvoir se prononcer sur son opportunité.",
        "Cassatie: de detentierechter toetst de opportuniteit niet",
        "Het Hof verwerpt het cassatieberoep: krachtens artikel 72 van de wet van 15 "
        "december 1980 gaan de onderzoeksgerechten na of de maatregel wettig is, zonder zich "
        "over de opportuniteit ervan te kunnen uitspreken.",
    ),
    (
        date(2022, 9, 27),
        "council_chamber",
        "Liège / Luik",
        "favourable",
        ("outside-contact", "legal-aid"),
        "ECLI:BE:PILIE:2022:ORD.20220927.2",
        "Ord. 2022/927",
        True,
        "Vottem : contact avec l'avocat empêché avant l'audience",
        "La chambre du conseil de Liège ordonne la libération : l'intéressé n'a pu joindre "
        "son avocat par téléphone pendant quatre jours avant l'audience, le centre n'ayant "
        "pas donné suite à ses demandes. Le droit à un recours effectif a été vidé de sa "
        "substance.",
        "Vottem: contact met de advocaat verhinderd vóór de zitting",
        "De raadkamer van Luik beveelt de invrijheidstelling: de betrokkene kon zijn "
        "advocaat vier dagen lang vóór de zitting niet telefonisch bereiken, omdat het "
        "centrum geen gevolg gaf aan zijn verzoeken. Het recht op een daadwerkelijk "
        "rechtsmiddel werd uitgehold.",
    ),
    (
        date(2022, 9, 29),
        "council_chamber",
        "Bruxelles / Brussel",
        "unfavourable",
        ("living-conditions",),
        "ECLI:BE:PIBRL:2022:ORD.20220929.6",
        "Ord. 2022/0929",
        False,
        "Conditions matérielles au centre Caricole : demande de libération rejetée",
        "La chambre du conseil de Bruxelles rejette la demande de libération fondée sur les "
        "conditions matérielles de détention, mais relève dans ses motifs le manque "
        "d'activités et d'accès à l'air libre signalé au centre Caricole.",
        "Materiële omstandigheden in het centrum Caricole: verzoek tot invrijheidstelling "
        "verworpen",
        "De raadkamer van Brussel verwerpt het verzoek tot invrijheidstelling op grond van de "
        "materiële detentieomstandigheden, maar wijst in haar motivering op het gebrek aan "
        "activiteiten en toegang tot de buitenlucht dat in het centrum Caricole werd gemeld.",
    ),
    (
        date(2022, 10, 6),
        "cce",
        "",
        "favourable",
        ("families-children",),
        "ECLI:BE:RVV:2022:ARR.278655",
        "n° 278 655",
        True,
        "Jeune se déclarant mineur détenu : doute sur l'âge",
        "Le Conseil suspend l'éloignement d'un jeune qui se déclarait mineur : la décision "
        "s'appuie sur un test d'âge contesté sans que le service des Tutelles ait été saisi. "
        "En cas de doute, la personne doit être traitée comme mineure et ne peut être "
        "détenue en centre fermé.",
        "Jongere die verklaart minderjarig te zijn, gedetineerd: twijfel over de leeftijd",
        "De Raad schorst de verwijdering van een jongere die verklaarde minderjarig te zijn: "
        "de beslissing steunt op een betwiste leeftijdstest zonder dat de dienst Voogdij werd "
        "gevat. Bij twijfel moet de persoon als minderjarige worden behandeld en mag hij niet "
        "in een gesloten centrum worden vastgehouden.",
    ),
    (
        date(2022, 10, 20),
        "council_chamber",
        "Bruxelles / Brussel",
        "favourable",
        ("other",),
        "ECLI:BE:PIBRL:2022:ORD.20221020.3",
        "Ord. 2022/1020",
        True,
        "Étudiants détenus malgré une demande de renouvellement pendante",
        "La chambre du conseil de Bruxelles ordonne la libération de deux étudiants arrêtés "
        "lors d'un contrôle alors qu'une demande de renouvellement de leur séjour étudiant "
        "était pendante. La détention, fondée sur une appréciation manifestement erronée du "
        "séjour, est illégale.",
        "Studenten gedetineerd ondanks een hangende verlengingsaanvraag",
        "De raadkamer van Brussel beveelt de invrijheidstelling van twee studenten die bij "
        "een controle werden opgepakt terwijl een aanvraag tot verlenging van hun "
        "studentenverblijf hangende was. De detentie, gesteund op een kennelijk onjuiste "
        "beoordeling van het verblijf, is onwettig.",
    ),
    (
        date(2022, 11, 3),
        "indictment_chamber",
        "Bruxelles / Brussel",
        "favourable",
        ("other",),
        "ECLI:BE:CABRL:2022:ARR.20221103.21",
        "Arrêt 2022/3086",
        True,
        "Étudiants détenus : la chambre des mises en accusation confirme la libération",
        "La chambre des mises en accusation de Bruxelles confirme l'ordonnance de libération "
        "des deux étudiants : l'administration ne pouvait ignorer la demande de "
        "renouvellement introduite à temps auprès de la commune.",
        "Gedetineerde studenten: de kamer van inbeschuldigingstelling bevestigt de "
        "invrijheidstelling",
        "De kamer van inbeschuldigingstelling van Brussel bevestigt de beschikking tot "
        "invrijheidstelling van de twee studenten: de administratie kon de tijdig bij de "
        "gemeente ingediende verlengingsaanvraag niet negeren.",
    ),
    (
        date(2022, 11, 8),
        "cjeu",
        "",
        "favourable",
        ("other",),
        "ECLI:EU:C:2022:912",
        "C-714/20",
        True,
        "CJUE : le juge relève d'office l'illégalité d'une rétention",
        "La Cour juge que l'autorité judiciaire qui contrôle une rétention doit relever "
        "d'office, sur la base des éléments du dossier, le non-respect d'une condition de "
        "légalité, même si la personne ne l'a pas invoqué (article 6 de la Charte et "
        "directives retour, accueil et Dublin III).",
        "HvJ: de rechter werpt de onrechtmatigheid van een bewaring ambtshalve op",
        "Het Hof oordeelt dat de rechterlijke instantie die een bewaring toetst, op basis van "
        "de stukken van het dossier ambtshalve moet vaststellen dat een "
        "rechtmatigheidsvoorwaarde niet is nageleefd, ook al heeft de betrokkene dat niet "
        "aangevoerd (artikel 6 van het Handvest en de terugkeer-, opvang- en Dublin "
        "III-richtlijnen).",
    ),
    (
        date(2022, 11, 22),
        "indictment_chamber",
        "Gent / Gand",
        "favourable",
        ("isolation",),
        "ECLI:BE:HBGNT:2022:ARR.20221122.4",
        "KI 2022/2210",
        True,
        "Isolement disciplinaire sans audition préalable",
        "La chambre des mises en accusation de Gand confirme la libération : la mise en "
        "cellule d'isolement, décidée sans que l'intéressé ait été entendu, a empêché la "
        "préparation de sa défense pendant le délai de recours.",
        "Disciplinaire afzondering zonder voorafgaand verhoor",
        "De kamer van inbeschuldigingstelling van Gent bevestigt de invrijheidstelling: de "
        "plaatsing in een isoleercel, beslist zonder dat de betrokkene werd gehoord, "
        "verhinderde de voorbereiding van zijn verdediging tijdens de beroepstermijn.",
    ),
    (
        date(2022, 12, 6),
        "council_of_state",
        "",
        "unfavourable",
        ("use-of-force", "removal-attempts"),
        "ECLI:BE:RVSCE:2022:ARR.255142",
        "n° 255.142",
        True,
        "Conseil d'État : usage de la contrainte lors des éloignements",
        "Le Conseil d'État rejette la demande de suspension d'une circulaire relative aux "
        "techniques de contrainte lors des éloignements, faute d'urgence, tout en rappelant "
        "que chaque usage de la force doit rester nécessaire, proportionné et consigné.",
        "Raad van State: dwang bij verwijderingen",
        "De Raad van State verwerpt de vordering tot schorsing van een omzendbrief over "
        "dwangtechnieken bij verwijderingen wegens gebrek aan spoedeisendheid, maar "
        "herinnert eraan dat elk gebruik van geweld noodzakelijk, evenredig en geregistreerd "
        "moet blijven.",
    ),
    (
        date(2022, 12, 15),
        "council_chamber",
        "Leuven / Louvain",
        "favourable",
        ("medical-care",),
        "ECLI:BE:RBLEU:2022:BES.20221215.1",
        "Besch. 2022/1215",
        True,
        "Femme enceinte détenue au centre de Holsbeek",
        "La chambre du conseil de Louvain ordonne la libération d'une femme enceinte de "
        "sept mois : la décision de maintien ne tient pas compte de la grossesse, pourtant "
        "signalée, ni des soins qu'elle requiert.",
        "Zwangere vrouw vastgehouden in het centrum van Holsbeek",
        "De raadkamer van Leuven beveelt de invrijheidstelling van een vrouw die zeven "
        "maanden zwanger is: de vasthoudingsbeslissing houdt geen rekening met de nochtans "
        "gemelde zwangerschap, noch met de zorg die ze vereist.",
    ),
    (
        date(2023, 1, 17),
        "cce",
        "",
        "favourable",
        ("removal-attempts",),
        "ECLI:BE:RVV:2023:ARR.282907",
        "n° 282 907",
        True,
        "Extrême urgence : recours introduit dans le délai de cinq jours",
        "Le Conseil déclare recevable la demande de suspension contre une deuxième mesure "
        "d'éloignement, introduite dans les cinq jours de sa notification, et suspend "
        "l'éloignement faute d'examen du risque invoqué dans le pays de destination.",
        "Uiterst dringende noodzakelijkheid: beroep binnen de termijn van vijf dagen",
        "De Raad verklaart de vordering tot schorsing tegen een tweede "
        "verwijderingsmaatregel, ingediend binnen vijf dagen na de betekening ervan, "
        "ontvankelijk en schorst de verwijdering bij gebrek aan onderzoek van het "
        "aangevoerde risico in het land van bestemming.",
    ),
    (
        date(2023, 2, 7),
        "council_chamber",
        "Bruxelles / Brussel",
        "favourable",
        ("other",),
        "ECLI:BE:PIBRL:2023:ORD.20230207.2",
        "Ord. 2023/0207",
        True,
        "Dépassement du délai maximal de cinq mois",
        "La chambre du conseil de Bruxelles constate que la détention a dépassé cinq mois "
        "sans décision ministérielle motivée par l'ordre public ou la sécurité nationale. La "
        "détention est illégale et la libération immédiate est ordonnée.",
        "Overschrijding van de maximumtermijn van vijf maanden",
        "De raadkamer van Brussel stelt vast dat de detentie langer dan vijf maanden duurde "
        "zonder ministeriële beslissing gemotiveerd door de openbare orde of de nationale "
        "veiligheid. De detentie is onwettig en de onmiddellijke invrijheidstelling wordt "
        "bevolen.",
    ),
    (
        date(2023, 3, 2),
        "ecthr",
        "",
        "favourable",
        ("removal-attempts",),
        "ECLI:CE:ECHR:2023:0302DEC000872123",
        "Req./verz. 8721/23",
        True,
        "Cour EDH : mesure provisoire contre un éloignement (article 39 du règlement)",
        "La Cour indique au Gouvernement belge, au titre de l'article 39 de son règlement, "
        "de ne pas éloigner le requérant pendant la durée de la procédure, au vu du risque "
        "allégué de traitements contraires à l'article 3 CEDH dans le pays de destination.",
        "EHRM: voorlopige maatregel tegen een verwijdering (artikel 39 van het reglement)",
        "Het Hof verzoekt de Belgische regering, op grond van artikel 39 van zijn reglement, "
        "de verzoeker niet te verwijderen zolang de procedure loopt, gelet op het aangevoerde "
        "risico op behandelingen in strijd met artikel 3 EVRM in het land van bestemming.",
    ),
    (
        date(2023, 3, 21),
        "cassation",
        "",
        "favourable",
        ("other",),
        "ECLI:BE:CASS:2023:ARR.20230321.2F.6",
        "P.23.0094.F",
        True,
        "Cassation : détention des étudiants, pourvoi de l'État rejeté",
        "La Cour rejette le pourvoi de l'État belge contre l'arrêt qui avait jugé illégale la "
        "détention de deux étudiants dont la demande de séjour était pendante. La décision "
        "de libération devient définitive.",
        "Cassatie: detentie van de studenten, cassatieberoep van de Staat verworpen",
        "Het Hof verwerpt het cassatieberoep van de Belgische Staat tegen het arrest dat de "
        "detentie van twee studenten met een hangende verblijfsaanvraag onwettig had "
        "verklaard. De beslissing tot invrijheidstelling wordt definitief.",
    ),
    (
        date(2023, 4, 13),
        "cce",
        "",
        "favourable",
        ("medical-care",),
        "ECLI:BE:RVV:2023:ARR.286733",
        "n° 286 733",
        True,
        "Demande 9ter pendante et éloignement",
        "Le Conseil suspend l'ordre de quitter le territoire pris alors qu'une demande "
        "d'autorisation de séjour pour raisons médicales (article 9ter) était pendante et "
        "faisait état d'un traitement vital : l'administration devait en tenir compte avant "
        "toute mesure d'éloignement.",
        "Hangende 9ter-aanvraag en verwijdering",
        "De Raad schorst het bevel om het grondgebied te verlaten dat werd genomen terwijl "
        "een aanvraag tot verblijfsmachtiging om medische redenen (artikel 9ter) hangende "
        "was en melding maakte van een levensnoodzakelijke behandeling: de administratie "
        "moest daarmee rekening houden vóór elke verwijderingsmaatregel.",
    ),
    (
        date(2023, 5, 9),
        "indictment_chamber",
        "Liège / Luik",
        "favourable",
        ("mental-health",),
        "ECLI:BE:CALIE:2023:ARR.20230509.3",
        "Arrêt 2023/688",
        True,
        "Tentative de suicide en détention : réévaluation nécessaire",
        "La chambre des mises en accusation de Liège confirme la libération : après une "
        "tentative de suicide au centre de Vottem, l'administration n'a pas réévalué la "
        "compatibilité de la détention avec l'état de santé mentale de l'intéressé, malgré "
        "l'avis du psychologue du centre.",
        "Zelfmoordpoging in detentie: nieuwe beoordeling vereist",
        "De kamer van inbeschuldigingstelling van Luik bevestigt de invrijheidstelling: na "
        "een zelfmoordpoging in het centrum van Vottem heeft de administratie niet opnieuw "
        "beoordeeld of de detentie verenigbaar was met de geestelijke gezondheid van de "
        "betrokkene, ondanks het advies van de psycholoog van het centrum.",
    ),
    (
        date(2023, 6, 15),
        "constitutional",
        "",
        "partly",
        ("legal-aid",),
        "ECLI:BE:GHCC:2023:ARR.097",
        "n° 97/2023",
        True,
        "Cour constitutionnelle : délai de décision sur la détention",
        "La Cour juge que le délai dans lequel la juridiction d'instruction statue sur la "
        "détention d'un étranger doit être comparable à celui applicable en matière de "
        "détention préventive ; la différence de traitement non justifiée viole les articles "
        "10 et 11 de la Constitution, lus avec l'article 5 § 4 CEDH.",
        "Grondwettelijk Hof: termijn van uitspraak over de detentie",
        "Het Hof oordeelt dat de termijn waarbinnen het onderzoeksgerecht uitspraak doet over "
        "de detentie van een vreemdeling vergelijkbaar moet zijn met die inzake voorlopige "
        "hechtenis; het niet verantwoorde verschil in behandeling schendt de artikelen 10 en "
        "11 van de Grondwet, gelezen met artikel 5 § 4 EVRM.",
    ),
    (
        date(2023, 7, 4),
        "council_chamber",
        "Turnhout",
        "favourable",
        ("legal-aid",),
        "ECLI:BE:RBTUR:2023:BES.20230704.2",
        "Besch. 2023/704",
        True,
        "Merksplas : notification sans interprète",
        "La chambre du conseil de Turnhout ordonne la libération : la décision de maintien a "
        "été notifiée dans une langue que l'intéressé ne comprend pas, sans interprète, de "
        "sorte que le délai de recours n'a pu utilement courir.",
        "Merksplas: betekening zonder tolk",
        "De raadkamer van Turnhout beveelt de invrijheidstelling: de vasthoudingsbeslissing "
        "werd betekend in een taal die de betrokkene niet begrijpt, zonder tolk, zodat de "
        "beroepstermijn niet nuttig kon lopen.",
    ),
    (
        date(2023, 9, 12),
        "cce",
        "",
        "unfavourable",
        ("removal-attempts",),
        "ECLI:BE:RVV:2023:ARR.294158",
        "n° 294 158",
        False,
        "Extrême urgence : imminence du péril non démontrée",
        "Le Conseil rejette la demande de suspension en extrême urgence : aucune date "
        "d'éloignement n'était fixée et l'imminence du péril n'est pas établie. Le recours "
        "ordinaire reste ouvert.",
        "Uiterst dringende noodzakelijkheid: dreigend gevaar niet aangetoond",
        "De Raad verwerpt de vordering tot schorsing bij uiterst dringende "
        "noodzakelijkheid: er was geen verwijderingsdatum vastgesteld en het dreigend gevaar "
        "is niet aangetoond. Het gewone beroep blijft open.",
    ),
    (
        date(2023, 10, 10),
        "ecthr",
        "",
        "favourable",
        ("use-of-force", "removal-attempts"),
        "ECLI:CE:ECHR:2023:1010JUD003318621",
        "Req./verz. 33186/21",
        True,
        "Cour EDH : usage de la force lors d'une tentative d'éloignement",
        "La Cour conclut à la violation de l'article 3 CEDH sous son volet procédural : les "
        "allégations de coups reçus lors d'une tentative d'éloignement n'ont pas fait "
        "l'objet d'une enquête effective, les images de la caméra du vol n'ayant pas été "
        "conservées.",
        "EHRM: gebruik van geweld bij een verwijderingspoging",
        "Het Hof stelt een schending vast van artikel 3 EVRM in zijn procedurele aspect: de "
        "beweringen over slagen tijdens een verwijderingspoging werden niet daadwerkelijk "
        "onderzocht, omdat de camerabeelden van de vlucht niet werden bewaard.",
    ),
    (
        date(2023, 11, 7),
        "council_chamber",
        "Brugge / Bruges",
        "favourable",
        ("outside-contact",),
        "ECLI:BE:RBBRU:2023:BES.20231107.4",
        "Besch. 2023/1107",
        True,
        "Bruges : visites de la famille refusées",
        "La chambre du conseil de Bruges rappelle que le droit de recevoir la visite de sa "
        "famille est garanti par l'arrêté royal du 2 août 2002 ; sans se prononcer sur les "
        "conditions de détention, elle ordonne la libération, la prolongation n'étant pas "
        "motivée par des démarches d'éloignement.",
        "Brugge: familiebezoek geweigerd",
        "De raadkamer van Brugge herinnert eraan dat het recht op familiebezoek gewaarborgd "
        "is door het koninklijk besluit van 2 augustus 2002; zonder zich over de "
        "detentieomstandigheden uit te spreken, beveelt ze de invrijheidstelling, omdat de "
        "verlenging niet gemotiveerd was door verwijderingsstappen.",
    ),
    (
        date(2023, 12, 5),
        "council_of_state",
        "",
        "referral",
        ("other",),
        "ECLI:BE:RVSCE:2023:ARR.258019",
        "n° 258.019",
        True,
        "Conseil d'État : question préjudicielle sur l'interdiction d'entrée",
        "Le Conseil d'État pose à la Cour de justice une question préjudicielle : une "
        "interdiction d'entrée peut-elle produire ses effets lorsque la personne n'a jamais "
        "quitté le territoire ? L'examen du recours en cassation administrative est suspendu "
        "dans l'attente de la réponse.",
        "Raad van State: prejudiciële vraag over het inreisverbod",
        "De Raad van State stelt het Hof van Justitie een prejudiciële vraag: kan een "
        "inreisverbod uitwerking hebben wanneer de persoon het grondgebied nooit heeft "
        "verlaten? Het onderzoek van het administratief cassatieberoep wordt opgeschort in "
        "afwachting van het antwoord.",
    ),
    (
        date(2023, 8, 22),
        "cce",
        "",
        "favourable",
        ("families-children",),
        "ECLI:BE:RVV:2023:ARR.292664",
        "n° 292 664",
        True,
        "Regroupement familial et ordre de quitter le territoire avec maintien",
        "Le Conseil annule l'ordre de quitter le territoire délivré à une personne dont la "
        "demande de regroupement familial avec son conjoint belge était en cours d'examen : "
        "l'administration ne pouvait décider l'éloignement sans statuer d'abord sur cette "
        "demande.",
        "Gezinshereniging en bevel om het grondgebied te verlaten met vasthouding",
        "De Raad vernietigt het bevel om het grondgebied te verlaten dat werd afgegeven aan "
        "een persoon wiens aanvraag tot gezinshereniging met de Belgische echtgenoot in "
        "behandeling was: de administratie kon niet tot verwijdering beslissen zonder eerst "
        "over die aanvraag te beslissen.",
    ),
]


def seed_decisions() -> dict[str, Decision]:
    """The decisions by ECLI; those already there are left as they are."""
    eclis = [row[5] for row in DECISIONS]
    if Decision.objects.filter(ecli__in=eclis).exists():
        return {decision.ecli: decision for decision in Decision.objects.filter(ecli__in=eclis)}
    themes = {theme.code: theme for theme in Theme.objects.all()}
    publisher = User.objects.filter(email=PUBLISHER_EMAIL).first()
    decisions = []
    for row in DECISIONS:
        (day, court, district, outcome, _themes, ecli, reference, public) = row[:8]
        title_fr, summary_fr, title_nl, summary_nl = row[8:]
        decisions.append(
            Decision(
                court=court,
                district=district,
                date=day,
                reference=reference,
                ecli=ecli,
                outcome=outcome,
                title=title_fr,
                title_fr=title_fr,
                title_nl=title_nl,
                summary=summary_fr,
                summary_fr=summary_fr,
                summary_nl=summary_nl,
                public=public,
                status=Decision.Status.PUBLISHED,
                published_at=_at(day + timedelta(days=9), 10),
                created_by=publisher,
            )
        )
    Decision.objects.bulk_create(decisions)
    Decision.themes.through.objects.bulk_create(
        Decision.themes.through(decision_id=decision.pk, theme_id=themes[code].pk)
        for decision, row in zip(decisions, DECISIONS, strict=True)
        for code in row[4]
        if code in themes
    )
    _search_words(decisions)
    return {decision.ecli: decision for decision in decisions}


def _search_words(decisions) -> None:
    """The decisions' search words (bulk_create sends no post_save): PostgreSQL only."""
    from legal.decision_search import update_search_vectors

    update_search_vectors(Decision.objects.filter(pk__in=[d.pk for d in decisions]))


# --- The newsletters of 2022 ------------------------------------------------------------------

# quarter: (published on, title fr, editorial fr, title nl, editorial nl, news items)
NEWSLETTERS = {
    1: (
        date(2022, 4, 14),
        "Newsletter juridique — premier trimestre 2022",
        "Ce premier numéro de l'année revient sur le contrôle de la détention par les "
        "juridictions d'instruction : diligence de l'administration dans les démarches "
        "d'éloignement, mesures moins coercitives, vie familiale. La Cour européenne des "
        "droits de l'homme rappelle aussi les limites de la détention à la frontière.",
        "Juridische nieuwsbrief — eerste kwartaal 2022",
        "Dit eerste nummer van het jaar gaat over het toezicht op de detentie door de "
        "onderzoeksgerechten: de zorgvuldigheid van de administratie bij "
        "verwijderingsstappen, minder dwingende maatregelen, gezinsleven. Het Europees Hof "
        "voor de Rechten van de Mens herinnert ook aan de grenzen van detentie aan de grens.",
        [
            (
                "Le Toolkit juridique est disponible en néerlandais",
                "La boîte à outils juridique sur la détention administrative (35 pages) est "
                "désormais disponible dans les deux langues nationales.",
                "De juridische toolkit is beschikbaar in het Nederlands",
                "De juridische toolkit over administratieve detentie (35 pagina's) is nu in "
                "beide landstalen beschikbaar.",
            ),
        ],
    ),
    2: (
        date(2022, 7, 12),
        "Newsletter juridique — deuxième trimestre 2022",
        "Les familles avec enfants restent détenues dans les unités du 127bis : la chambre "
        "du conseil de Bruxelles rappelle l'intérêt supérieur de l'enfant. Ce numéro "
        "présente aussi la réponse de la Cour de justice sur la fin de la rétention sans "
        "perspective d'éloignement et un arrêt du Conseil d'État sur le régime d'isolement.",
        "Juridische nieuwsbrief — tweede kwartaal 2022",
        "Gezinnen met kinderen worden nog steeds vastgehouden in de units van 127bis: de "
        "raadkamer van Brussel herinnert aan het hoger belang van het kind. Dit nummer "
        "bespreekt ook het antwoord van het Hof van Justitie over het einde van de bewaring "
        "zonder vooruitzicht op verwijdering en een arrest van de Raad van State over het "
        "isolatieregime.",
        [
            (
                "Formations pour les visiteurs",
                "Les formations sur le régime d'isolement et sur les soins médicaux ont "
                "réuni les visiteurs des quatre organisations.",
                "Opleidingen voor de bezoekers",
                "De opleidingen over het isolatieregime en over medische zorg brachten de "
                "bezoekers van de vier organisaties samen.",
            ),
            (
                "Intervention devant la Cour européenne",
                "Les membres de la coalition soutiennent le recours relatif à la détention "
                "d'enfants dans les unités familiales du 127bis.",
                "Interventie bij het Europees Hof",
                "De leden van de coalitie steunen het verzoekschrift over de detentie van "
                "kinderen in de gezinsunits van 127bis.",
            ),
        ],
    ),
    3: (
        date(2022, 10, 11),
        "Newsletter juridique — troisième trimestre 2022",
        "Interdictions d'entrée, titres de détention successifs après un refus "
        "d'embarquer, accès à l'avocat : ce numéro rassemble les décisions de l'été. La Cour "
        "de cassation confirme que le juge contrôle la légalité de la détention, non son "
        "opportunité.",
        "Juridische nieuwsbrief — derde kwartaal 2022",
        "Inreisverboden, opeenvolgende detentietitels na een weigering aan boord te gaan, "
        "toegang tot de advocaat: dit nummer brengt de beslissingen van de zomer samen. Het "
        "Hof van Cassatie bevestigt dat de rechter de wettigheid van de detentie toetst, niet "
        "de opportuniteit ervan.",
        [
            (
                "Une liste d'avocats mise à jour",
                "La liste des avocats qui pratiquent le droit de la détention a été mise à "
                "jour avec les barreaux proches des centres.",
                "Een bijgewerkte lijst van advocaten",
                "De lijst van advocaten die detentierecht beoefenen werd bijgewerkt met de "
                "balies in de buurt van de centra.",
            ),
        ],
    ),
    4: (
        date(2023, 1, 17),
        "Newsletter juridique — quatrième trimestre 2022",
        "La Cour de justice impose au juge de relever d'office l'illégalité d'une "
        "rétention. En Belgique, la détention de deux étudiants est jugée illégale, et la "
        "chambre du conseil de Louvain libère une femme enceinte détenue à Holsbeek. Bonne "
        "lecture et belle année.",
        "Juridische nieuwsbrief — vierde kwartaal 2022",
        "Het Hof van Justitie verplicht de rechter de onrechtmatigheid van een bewaring "
        "ambtshalve op te werpen. In België wordt de detentie van twee studenten onwettig "
        "verklaard en laat de raadkamer van Leuven een zwangere vrouw vrij die in Holsbeek "
        "werd vastgehouden. Veel leesplezier en een gelukkig nieuwjaar.",
        [
            (
                "Vade-mecum pour les avocats",
                "Avec la Ligue des droits humains, la coalition rédige deux vade-mecum pour "
                "les avocats ; une première version est attendue pour la mi-2023.",
                "Vademecum voor advocaten",
                "Samen met de Ligue des droits humains schrijft de coalitie twee vademecums "
                "voor advocaten; een eerste versie wordt midden 2023 verwacht.",
            ),
            (
                "Rapport annuel",
                "Le rapport d'activité 2022 de la coalition paraîtra au printemps.",
                "Jaarverslag",
                "Het activiteitenverslag 2022 van de coalitie verschijnt in de lente.",
            ),
        ],
    ),
}
NEWSLETTER_YEAR = 2022
FEWEST_DECISIONS, MOST_DECISIONS = 4, 6


def seed_newsletters(decisions: dict[str, Decision]) -> list[Newsletter]:
    if Newsletter.objects.filter(year=NEWSLETTER_YEAR).exists():
        return []
    chance = random.Random(f"{SEED}-newsletters")
    publisher = User.objects.filter(email=PUBLISHER_EMAIL).first()
    made = []
    for quarter, (day, title_fr, editorial_fr, title_nl, editorial_nl, _news) in sorted(
        NEWSLETTERS.items()
    ):
        made.append(
            Newsletter(
                year=NEWSLETTER_YEAR,
                quarter=quarter,
                title=title_fr,
                title_fr=title_fr,
                title_nl=title_nl,
                editorial=editorial_fr,
                editorial_fr=editorial_fr,
                editorial_nl=editorial_nl,
                status=Newsletter.Status.PUBLISHED,
                published_at=_at(day, 9),
                published_by=publisher,
            )
        )
    Newsletter.objects.bulk_create(made)
    chosen, items = [], []
    for newsletter in made:
        first = date(NEWSLETTER_YEAR, 3 * newsletter.quarter - 2, 1)
        last = date(
            NEWSLETTER_YEAR + (newsletter.quarter == 4), (3 * newsletter.quarter) % 12 + 1, 1
        )
        candidates = sorted(
            (d for d in decisions.values() if d.public and first <= d.date < last),
            key=lambda d: (d.date, d.pk),
        )
        count = min(len(candidates), chance.randint(FEWEST_DECISIONS, MOST_DECISIONS))
        picked = sorted(chance.sample(candidates, count), key=lambda d: (d.date, d.pk))
        chosen += [
            NewsletterDecision(newsletter=newsletter, decision=decision, position=position)
            for position, decision in enumerate(picked, start=1)
        ]
        for position, (t_fr, b_fr, t_nl, b_nl) in enumerate(
            NEWSLETTERS[newsletter.quarter][5], start=1
        ):
            items.append(
                NewsItem(
                    newsletter=newsletter,
                    position=position,
                    title=t_fr,
                    title_fr=t_fr,
                    title_nl=t_nl,
                    body=b_fr,
                    body_fr=b_fr,
                    body_nl=b_nl,
                )
            )
    NewsletterDecision.objects.bulk_create(chosen)
    NewsItem.objects.bulk_create(items)
    _deliveries(made, chance)
    return made


def _deliveries(newsletters, chance) -> None:
    """Each newsletter was e-mailed once to every lawyer subscribed on the day."""
    lawyers = list(
        Lawyer.objects.filter(subscribed_on__isnull=False)
        .exclude(email="")
        .values("pk", "email", "newsletter_language", "subscribed_on", "unsubscribed_on")
    )
    rows = []
    for newsletter in newsletters:
        day = timezone.localdate(newsletter.published_at)
        for lawyer in lawyers:
            gone = lawyer["unsubscribed_on"]
            if lawyer["subscribed_on"] <= day and (gone is None or gone > day):
                rows.append(
                    Delivery(
                        newsletter=newsletter,
                        lawyer_id=lawyer["pk"],
                        email=lawyer["email"],
                        language=lawyer["newsletter_language"],
                        status=Delivery.Status.SENT,
                        attempts=1,
                        sent_at=newsletter.published_at
                        + timedelta(seconds=chance.randint(20, 900)),
                    )
                )
    Delivery.objects.bulk_create(rows, batch_size=500)


# --- Strategic litigation -----------------------------------------------------------------

CHILDREN_CASE = "Détention d'enfants dans les unités familiales du 127bis (Cour EDH)"
STUDENTS_CASE = "Détention illégale de deux étudiants"


def seed_cases(decisions: dict[str, Decision], today: date) -> list[LitigationCase]:
    if LitigationCase.objects.filter(title__in=[CHILDREN_CASE, STUDENTS_CASE]).exists():
        return []
    publisher = User.objects.filter(email=PUBLISHER_EMAIL).first()
    children = LitigationCase.objects.create(
        title=CHILDREN_CASE,
        court="ecthr",
        reference="Req./verz. 41772/21",
        our_role=LitigationCase.Role.INTERVENTION,
        status=LitigationCase.Status.PENDING,
        parties="Requérants c. Belgique (requête n° 41772/21)",
        summary=(
            "Requête relative à la détention de familles avec enfants mineurs dans les "
            "unités familiales du centre 127bis, près des pistes de l'aéroport (articles 3, "
            "5 et 8 CEDH). Les membres de la coalition soutiennent le recours et ont été "
            "autorisés à intervenir comme tiers : observations écrites sur les conditions "
            "de détention et les alternatives à la détention."
        ),
        created_by=publisher,
    )
    children.decisions.set(
        [decisions[e] for e in ("ECLI:BE:PIBRL:2022:ORD.20220412.9",) if e in decisions]
    )
    students = LitigationCase.objects.create(
        title=STUDENTS_CASE,
        court="council_chamber",
        reference="Ord. 2022/1020 — P.23.0094.F",
        our_role=LitigationCase.Role.FOLLOW,
        status=LitigationCase.Status.PENDING,
        parties="Deux étudiants c. État belge",
        summary=(
            "Deux étudiants arrêtés lors d'un contrôle alors que la demande de "
            "renouvellement de leur séjour était pendante. Libération ordonnée par la "
            "chambre du conseil de Bruxelles, confirmée par la chambre des mises en "
            "accusation ; le pourvoi de l'État est rejeté par la Cour de cassation. Une "
            "action en responsabilité contre l'État suit devant le tribunal civil."
        ),
        created_by=publisher,
    )
    students.decisions.set(
        [
            decisions[e]
            for e in (
                "ECLI:BE:PIBRL:2022:ORD.20221020.3",
                "ECLI:BE:CABRL:2022:ARR.20221103.21",
                "ECLI:BE:CASS:2023:ARR.20230321.2F.6",
            )
            if e in decisions
        ]
    )
    soon = today + timedelta(days=6)
    Hearing.objects.bulk_create(
        [
            Hearing(
                case=children,
                starts_at=_at(soon, 9, 30),
                place="Strasbourg, Palais des droits de l'homme",
                note="Audience devant la Chambre ; plaidoirie des tiers intervenants.",
            ),
            Hearing(
                case=students,
                starts_at=_at(date(2022, 10, 18), 9),
                place="Palais de justice de Bruxelles, chambre du conseil",
                note="Requête de mise en liberté.",
                reminded_at=_at(date(2022, 10, 11), 8),
            ),
            Hearing(
                case=students,
                starts_at=_at(date(2022, 11, 2), 14),
                place="Palais de justice de Bruxelles, chambre des mises en accusation",
                note="Appel de l'État.",
                reminded_at=_at(date(2022, 10, 26), 8),
            ),
            Hearing(
                case=students,
                starts_at=_at(date(2023, 3, 7), 9),
                place="Cour de cassation, Bruxelles",
                reminded_at=_at(date(2023, 2, 28), 8),
            ),
            Hearing(
                case=students,
                starts_at=_at(today + timedelta(days=45), 10),
                place="Tribunal de première instance de Bruxelles",
                note="Action en responsabilité contre l'État : plaidoiries.",
            ),
        ]
    )
    return [children, students]


# --- Trainings -----------------------------------------------------------------------------

TRAINER = "Lucie Avocate (juriste de Move)"
# day, topic, audience, detail, trainer, language, attendance, notes
TRAININGS = [
    (
        date(2022, 2, 15),
        "Les interdictions d'entrée",
        "visitors",
        "",
        TRAINER,
        "fr",
        14,
        "Durée, motivation, recours au CCE ; exercices sur des décisions anonymisées.",
    ),
    (
        date(2022, 3, 22),
        "Praktische hulp voor een persoon in migratiedetentie",
        "visitors",
        "",
        TRAINER,
        "nl",
        16,
        "Wie contacteren, welke termijnen, hoe een advocaat vinden.",
    ),
    (
        date(2022, 5, 17),
        "Le régime d'isolement dans les centres fermés",
        "visitors",
        "",
        TRAINER,
        "fr",
        12,
        "Règles de l'arrêté royal du 2 août 2002, plaintes, témoignages.",
    ),
    (
        date(2022, 6, 14),
        "Medische zorg in de gesloten centra",
        "visitors",
        "",
        TRAINER,
        "nl",
        11,
        "Toegang tot de arts, medisch dossier, 9ter, vertrouwensarts.",
    ),
    (
        date(2022, 9, 20),
        "Les arrestations illégales",
        "visitors",
        "",
        TRAINER,
        "fr",
        13,
        "Arrestation administrative, contrôle d'identité, recours devant la chambre du conseil.",
    ),
    (
        date(2022, 10, 18),
        "Risques et réalité de la détention",
        "partners",
        "Croix-Rouge — travailleurs sociaux des centres ouverts",
        TRAINER,
        "fr",
        24,
        "À la demande de la Croix-Rouge : de l'arrestation à la libération ou l'éloignement.",
    ),
    (
        date(2023, 6, 13),
        "Vade-mecum : défendre une personne en centre fermé",
        "bars",
        "Barreau de Bruxelles",
        TRAINER,
        "fr",
        31,
        "Présentation de la première version.",
    ),
    (
        date(2023, 10, 12),
        "Vademecum: verdediging van een persoon in een gesloten centrum",
        "bars",
        "Balie Antwerpen",
        TRAINER,
        "nl",
        22,
        "Voorstelling van de eerste versie.",
    ),
]
UPCOMING_TRAINING = (
    "Vade-mecum : défendre une personne en centre fermé",
    "bars",
    "Barreau de Namur",
    TRAINER,
    "fr",
)
MATERIALS = {
    "Les interdictions d'entrée": "interdictions-d-entree.pdf",
    "Medische zorg in de gesloten centra": "medische-zorg.pdf",
}


def seed_trainings(today: date) -> list[Training]:
    if Training.objects.filter(topic=TRAININGS[0][1], date=TRAININGS[0][0]).exists():
        return []
    trainings = [
        Training(
            date=day,
            topic=topic,
            audience=audience,
            audience_detail=detail,
            trainer=trainer,
            language=language,
            attendance=attendance,
            notes=notes,
        )
        for day, topic, audience, detail, trainer, language, attendance, notes in TRAININGS
    ]
    topic, audience, detail, trainer, language = UPCOMING_TRAINING
    trainings.append(
        Training(
            date=today + timedelta(days=24),
            topic=topic,
            audience=audience,
            audience_detail=detail,
            trainer=trainer,
            language=language,
        )
    )
    Training.objects.bulk_create(trainings)
    materials = []
    for training in trainings:
        if training.topic in MATERIALS:
            name = MATERIALS[training.topic]
            stored = f"{library_files.TRAININGS}/demo-{name}"
            content = pdf_with_line(training.topic)
            library_files.write_bytes(stored, content)
            materials.append(
                TrainingMaterial(
                    training=training,
                    file=stored,
                    name=name,
                    content_type=library_files.PDF,
                    size=len(content),
                )
            )
    TrainingMaterial.objects.bulk_create(materials)
    return trainings


# --- Documents -----------------------------------------------------------------------------

# kind, public, slug, title fr, title nl, description fr, description nl, languages with a file
RESOURCES = [
    (
        "toolkit",
        True,
        "toolkit",
        "Boîte à outils juridique sur la détention administrative",
        "Juridische toolkit over administratieve detentie",
        "35 pages pour comprendre de manière claire et simplifiée le droit de la détention "
        "administrative en Belgique : titres de détention, durée, recours, délais.",
        "35 pagina's om het recht inzake administratieve detentie in België helder en "
        "eenvoudig te begrijpen: detentietitels, duur, rechtsmiddelen, termijnen.",
        ("fr", "nl"),
    ),
    (
        "vade_mecum",
        False,
        "vade-mecum-centres",
        "Vade-mecum : défendre une personne en centre de détention administrative",
        "Vademecum: verdediging van een persoon in een gesloten centrum",
        "Outil pratique à l'attention des avocats et juristes, rédigé avec la Ligue des "
        "droits humains (première version, 2023).",
        "Praktisch hulpmiddel voor advocaten en juristen, geschreven met de Ligue des droits "
        "humains (eerste versie, 2023).",
        ("fr", "nl"),
    ),
    (
        "vade_mecum",
        False,
        "vade-mecum-prison",
        "Vade-mecum : défendre une personne en séjour précaire en prison",
        "Vademecum: verdediging van een persoon zonder verblijfsrecht in de gevangenis",
        "Pour intervenir tôt lorsque la personne sera transférée de la prison vers un centre "
        "fermé (première version, 2023 ; la version néerlandaise est en traduction).",
        "Om vroeg tussen te komen wanneer de persoon van de gevangenis naar een gesloten "
        "centrum zal worden overgebracht (eerste versie, 2023; de Nederlandse versie wordt "
        "vertaald).",
        ("fr",),
    ),
    (
        "guide",
        True,
        "guide-parlementaires",
        "Guide pour les parlementaires qui visitent un centre fermé",
        "Gids voor parlementsleden die een gesloten centrum bezoeken",
        "Le droit de visite des parlementaires, le déroulement d'une visite et les questions "
        "à poser.",
        "Het bezoekrecht van parlementsleden, het verloop van een bezoek en de vragen die "
        "men kan stellen.",
        ("fr", "nl"),
    ),
]


def seed_resources() -> list[Resource]:
    titles = [row[3] for row in RESOURCES]
    if Resource.objects.filter(title_fr__in=titles).exists():
        return []
    resources = []
    for kind, public, slug, title_fr, title_nl, text_fr, text_nl, languages in RESOURCES:
        resource = Resource(
            kind=kind,
            public=public,
            title=title_fr,
            title_fr=title_fr,
            title_nl=title_nl,
            description=text_fr,
            description_fr=text_fr,
            description_nl=text_nl,
        )
        for code in languages:
            stored = f"{library_files.DOCUMENTS}/demo-{slug}-{code}.pdf"
            title = title_fr if code == "fr" else title_nl
            library_files.write_bytes(stored, pdf_with_line(title))
            setattr(resource, f"file_{code}", stored)
        resources.append(resource)
    Resource.objects.bulk_create(resources)
    return resources


# --- Helpers ---------------------------------------------------------------------------------


def pdf_with_line(text: str) -> bytes:
    """A valid one-page A4 PDF with one line of text (Helvetica, WinAnsi), made by pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    line = text.encode("cp1252", "replace")
    line = line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 14 Tf 56 780 Td (" + line + b") Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- Seeding -------------------------------------------------------------------------------


def seed_library() -> None:
    """Called by `manage.py seed_demo` after the help requests; idempotent."""
    today = timezone.localdate()
    with disable_auditlog():
        seed_lawyers()
        decisions = seed_decisions()
        seed_newsletters(decisions)
        seed_cases(decisions, today)
        seed_trainings(today)
        seed_resources()
