"""An evaluation set for the PII scanner (DESIGN.md §4), generated from templates.

`generate()` writes passages in the format of shared/data/README.md (`id`, `lang`,
`text`, `known_names`, `expect`), drawn with a fixed seed so that every run measures the
same set: passages carrying each kind of personal data, phrased several ways in French,
Dutch and English, each value written in several formats; and clean passages full of
what looks like personal data and is not (case codes, visit dates, rooms, articles of
law, amounts, times, years). Nothing here is copied from the shared sample.

Every value is made the way the real thing is: national numbers, IBANs and phone
numbers carry valid check digits or allocated prefixes where the real ones have them.
Each expected item may carry a `family` ("landline", "words"...) to read the recall of
a kind by family.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.be import bis, nn

from move.privacy import pii

SEED = 20260309
POSITIVE_PASSAGES = 2100
CLEAN_PASSAGES = 600
LANGUAGES = ("fr", "nl", "en")

# fmt: off
GIVEN_NAMES = (
    "Oksana", "Ibrahim", "Amina", "Karim", "Leyla", "Giorgi", "Nino", "Abebe", "Mariam",
    "Yusuf", "Fatoumata", "Moussa", "Aliou", "Zainab", "Hamid", "Farida", "Dmytro",
    "Olena", "Chukwuemeka", "Ngozi", "Arben", "Elira", "Samir", "Nadia", "Tesfay",
    "Senait", "Mohammed", "Aïcha", "Kofi", "Ama", "Rustam", "Zarina", "Bilal", "Hawa",
    "Jean-Pierre", "Marie-Claire", "Ahmad", "Shirin", "Youssef", "Salma", "Élise",
)
SURNAMES = (
    "Petrenko", "Okonkwo", "Haidari", "Beridze", "Kebede", "Diallo", "Traoré", "Yusuf",
    "Ahmadi", "Kovalenko", "Nwosu", "Hoxha", "Tesfaye", "Mensah", "Karimov", "Rahimi",
    "Bangura", "Sesay", "N'Diaye", "El Amrani", "Ben Salah", "Al-Hassan", "Van den Berg",
    "De Smet", "Öztürk", "Şahin", "Đorđević", "Gashi", "Nazari", "Mwamba", "Kabila",
    "Abdi", "Osei", "Mahmoud", "Jaber", "O'Connor", "Lukyanenko", "Tshibanda",
)
CITIES = (
    "Kinshasa", "Conakry", "Kaboul", "Herat", "Tbilisi", "Kharkiv", "Asmara", "Lagos",
    "Tirana", "Alger", "Casablanca", "Douala", "Goma", "Freetown", "Mogadiscio", "Bamako",
)
COUNTRIES = (
    "Guinée", "Afghanistan", "Géorgie", "Ukraine", "Érythrée", "Nigeria", "Albanie",
    "Maroc", "Cameroun", "Congo", "Somalie", "Mali",
)
CENTRES = ("Caricole", "Merksplas", "Vottem", "Holsbeek", "Bruges", "Brugge", "127bis")
EMAIL_DOMAINS = (
    "gmail.com", "hotmail.fr", "yahoo.fr", "outlook.be", "skynet.be", "telenet.be",
    "proton.me", "exemple.org", "mail.ru", "ukr.net",
)
# fmt: on


class Draw:
    """The random choices of one generation: one seeded generator for everything."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def choice(self, items):
        return self.random.choice(items)

    def digits(self, count: int) -> str:
        return "".join(str(self.random.randint(0, 9)) for _ in range(count))

    def chance(self, probability: float) -> bool:
        return self.random.random() < probability


# --- Values ---------------------------------------------------------------------------


def national_number(draw: Draw) -> str:
    year = draw.random.randint(1950, 2012)
    month = draw.random.randint(1, 12) + (draw.choice((20, 40)) if draw.chance(0.2) else 0)
    day = draw.random.randint(1, 28)
    serial = draw.random.randint(1, 997)
    body = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    check = 97 - int(("2" if year >= 2000 else "") + body) % 97
    d = f"{body}{check:02d}"
    assert nn.is_valid(d) or bis.is_valid(d), d
    layouts = (
        f"{d[:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:]}",
        f"{d[:2]} {d[2:4]} {d[4:6]} {d[6:9]} {d[9:]}",
        f"{d[:6]} {d[6:9]} {d[9:]}",
        f"{d[:6]}-{d[6:9]}-{d[9:]}",
        d,
        f"{d[:2]}.{d[2:4]}.{d[4:6]} {d[6:9]}-{d[9:]}",
    )
    return draw.choice(layouts)


def _bban_be(draw: Draw) -> str:
    first = draw.digits(10)
    check = int(first) % 97 or 97
    return f"{first}{check:02d}"


def iban(draw: Draw) -> str:
    country, bban = draw.choice(
        (
            ("BE", None),
            ("BE", None),
            ("NL", lambda: draw.choice(("ABNA", "INGB", "RABO", "TRIO")) + draw.digits(10)),
            ("FR", lambda: draw.digits(10) + draw.digits(11) + draw.digits(2)),
            ("DE", lambda: draw.digits(18)),
            ("LU", lambda: draw.digits(3) + draw.digits(13)),
        )
    )
    bban = _bban_be(draw) if bban is None else bban()
    number = country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban
    assert stdnum_iban.is_valid(number, check_country=False), number
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return draw.choice((" ".join(groups), number, "-".join(groups), " ".join(groups)))


def _grouped(draw: Draw, parts: list[str]) -> str:
    separator = draw.choice((" ", " ", "/", ".", "-"))
    if separator == "/":
        return parts[0] + "/" + ".".join(parts[1:])
    return separator.join(parts)


def _valid(number: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(number, "BE"))


def mobile(draw: Draw) -> str:
    while True:
        prefix = draw.choice(("456", "460", "465", "467", "468", "470", "471", "472", "473",
                              "474", "475", "476", "477", "478", "479", "483", "484", "485",
                              "486", "487", "488", "489", "490", "491", "492", "493", "494",
                              "495", "496", "497", "498", "499"))  # fmt: skip
        rest = draw.digits(6)
        if _valid("0" + prefix + rest):
            break
    pairs = [rest[:2], rest[2:4], rest[4:]]
    return draw.choice(
        (
            _grouped(draw, ["0" + prefix, *pairs]),
            f"0{prefix} {rest[:3]} {rest[3:]}",
            f"+32 {prefix} {' '.join(pairs)}",
            f"+32{prefix}{rest}",
            f"0032 {prefix} {' '.join(pairs)}",
            f"+32 (0){prefix} {' '.join(pairs)}",
            f"0{prefix}{rest}",
        )
    )


# Belgian zones: one digit (Brussels, Antwerp, Liège, Ghent) or two.
ONE_DIGIT_ZONES = ("2", "3", "4", "9")
# fmt: off
TWO_DIGIT_ZONES = (
    "10", "11", "12", "13", "14", "15", "16", "19", "50", "51", "52", "53", "54", "55",
    "56", "57", "58", "59", "60", "61", "63", "64", "65", "67", "68", "69", "71", "80",
    "81", "82", "83", "84", "85", "86", "87", "89",
)
# fmt: on


def landline(draw: Draw) -> str:
    if draw.chance(0.5):
        zone = draw.choice(ONE_DIGIT_ZONES)
        rest = str(draw.random.randint(1, 9)) + draw.digits(6)
        groups = [rest[:3], rest[3:5], rest[5:]]
    else:
        zone = draw.choice(TWO_DIGIT_ZONES)
        rest = str(draw.random.randint(1, 9)) + draw.digits(5)
        groups = [rest[:2], rest[2:4], rest[4:]]
    # Allocated or not: a number a visitor copies is personal data either way.
    return draw.choice(
        (
            _grouped(draw, ["0" + zone, *groups]),
            _grouped(draw, ["0" + zone, *groups]),
            f"0{zone} {''.join(groups)}" if len(zone) == 2 else f"0{zone} {rest}",
            f"+32 {zone} {' '.join(groups)}",
            f"0032 {zone} {' '.join(groups)}",
            f"(0{zone}) {' '.join(groups)}",
            # Typed without any separator: "098560131".
            f"0{zone}{''.join(groups)}",
        )
    )


def foreign_phone(draw: Draw) -> str:
    while True:
        code, national = draw.choice(
            (
                ("33", lambda: "6" + draw.digits(8)),
                ("31", lambda: "6" + draw.digits(8)),
                ("243", lambda: draw.choice(("81", "82", "97", "99")) + draw.digits(7)),
                ("212", lambda: "6" + draw.digits(8)),
                ("380", lambda: draw.choice(("50", "67", "93")) + draw.digits(7)),
                ("995", lambda: "5" + draw.digits(8)),
                ("224", lambda: "62" + draw.digits(7)),
                ("234", lambda: "80" + draw.digits(8)),
            )
        )
        number = national()
        if _valid(f"+{code}{number}"):
            break
    chunks = [number[i : i + 2] for i in range(0, len(number), 2)]
    return draw.choice(
        (f"+{code} {' '.join(chunks)}", f"+{code}{number}", f"00{code} {number[:3]} {number[3:]}")
    )


def email(draw: Draw) -> tuple[str, str, str]:
    given, surname = draw.choice(GIVEN_NAMES), draw.choice(SURNAMES)
    local = draw.choice(
        (
            f"{given}.{surname}",
            f"{given[0]}{surname}",
            f"{given}{draw.digits(2)}",
            f"{surname}.{given}+visites",
            f"{given}_{surname}{draw.digits(4)}",
        )
    )
    local = local.lower().replace(" ", "").replace("'", "")
    domain = draw.choice(EMAIL_DOMAINS)
    if draw.chance(0.1):
        return f"{local}(at){domain.replace('.', '(dot)')}", given, surname
    return f"{local}@{domain}", given, surname


def file_number(draw: Draw) -> str:
    digits = draw.choice((7, 7, 7, 6, 8))
    number = str(draw.random.randint(1, 9)) + draw.digits(digits - 1)
    if digits == 7 and draw.chance(0.5):
        separator = draw.choice((".", " "))
        return f"{number[0]}{separator}{number[1:4]}{separator}{number[4:]}"
    return number


# fmt: off
MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
SHORT_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
           "oct.", "nov.", "déc."),
    "nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.",
           "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec"),
}
# fmt: on


def _ordinal(day: int) -> str:
    if day in (11, 12, 13):
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def date_in_words(draw: Draw, lang: str, year_range=(1950, 2008)) -> str:
    day, month = draw.random.randint(1, 28), draw.random.randint(1, 12)
    year = draw.random.randint(*year_range)
    name = draw.choice((MONTHS[lang][month - 1],) * 3 + (SHORT_MONTHS[lang][month - 1],))
    if lang == "fr":
        return f"{'1er' if day == 1 else day} {name} {year}"
    if lang == "nl":
        return f"{day} {name} {year}"
    return draw.choice(
        (f"{day} {name} {year}", f"{_ordinal(day)} {name} {year}", f"{name} {day}, {year}",
         f"{name} {_ordinal(day)}, {year}", f"{_ordinal(day)} of {name} {year}")
    )  # fmt: skip


def numeric_date(draw: Draw, year_range=(1950, 2008)) -> str:
    day, month = draw.random.randint(1, 28), draw.random.randint(1, 12)
    year = draw.random.randint(*year_range)
    return draw.choice(
        (
            f"{day:02d}/{month:02d}/{year}",
            f"{day}/{month}/{year}",
            f"{day}-{month}-{year}",
            f"{day:02d}-{month:02d}-{year}",
            f"{day:02d}.{month:02d}.{year}",
            f"{year}-{month:02d}-{day:02d}",
            f"{day:02d}/{month:02d}/{year % 100:02d}",
        )
    )


def person_name(draw: Draw) -> tuple[str, str, str]:
    """(as written, given name, surname): full, surname alone, surname in capitals."""
    given, surname = draw.choice(GIVEN_NAMES), draw.choice(SURNAMES)
    written = draw.choice(
        (
            f"{given} {surname}",
            f"{given} {surname}",
            surname,
            f"{given[0]}. {surname}",
            f"{surname.upper()} {given}",
            f"{given} {draw.choice(GIVEN_NAMES)} {surname}",
        )
    )
    return written, given, surname


# --- Templates ------------------------------------------------------------------------

# `{v}` is the value that must be flagged; the other fields are look-alikes that must
# not be: {case}, {visit}, {room}, {centre}, {city}, {country}, {time}, {amount}.
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "national_number": {
        "fr": (
            "Son numéro national est le {v}, noté lors de la visite du {visit}.",
            "NN {v} — dossier {case}, chambre {room}.",
            "Le registre national ({v}) ne correspond pas à l'annexe.",
            "Il a donné son numéro de registre national : {v}.",
            "Numéro BIS {v}, selon l'assistante sociale du centre {centre}.",
        ),
        "nl": (
            "Rijksregisternummer {v}, bezoek van {visit}.",
            "Zijn rijksregisternummer is {v} (dossier {case}).",
            "RRN: {v}; kamer {room}, vleugel B.",
            "Het BIS-nummer {v} staat op de bijlage.",
        ),
        "en": (
            "His national register number is {v}, noted on {visit}.",
            "National number {v} (case {case}).",
            "She gave her BIS number, {v}, to the social worker.",
            "NRN: {v}; room {room}.",
        ),
    },
    "phone": {
        "fr": (
            "Appeler sa tante au {v} avant {time}.",
            "On peut joindre l'avocat au {v}.",
            "Contacter la famille au {v}, de préférence le soir.",
            "Tél. : {v} (cousin, à Liège).",
            "Numéro de la sœur : {v}.",
            "{v} — c'est le numéro de son ami à Anvers.",
            "Il demande qu'on appelle le {v} après la visite du {visit}.",
            "Son téléphone : {v}.",
            "Le {v} est celui de son cousin.",
            "Cabinet de l'avocat : {v}.",
        ),
        "nl": (
            "Zijn nicht bellen op {v} na {time}.",
            "De advocaat is bereikbaar op {v}.",
            "Contact opnemen met de familie op {v}.",
            "Tel.: {v} (oom in Gent).",
            "Telefoonnummer van de zus: {v}.",
            "{v} is het nummer van zijn vriend.",
            "Hij vraagt ons om {v} te bellen.",
            "gsm {v}, alleen 's avonds.",
            "Kantoor van de advocaat: {v}.",
        ),
        "en": (
            "Call his cousin on {v} after {time}.",
            "The lawyer can be reached on {v}.",
            "Please contact the family on {v}.",
            "Phone: {v} (uncle in Ghent).",
            "Her sister's number is {v}.",
            "{v} is his friend's number.",
            "Ring {v} in the evening.",
            "Lawyer's office: {v}.",
        ),
    },
    "email": {
        "fr": (
            "Écrire à {v} pour les documents.",
            "Adresse e-mail : {v}.",
            "Son cousin ({v}) attend des nouvelles.",
        ),
        "nl": (
            "Mailen naar {v} voor de documenten.",
            "E-mailadres: {v}.",
            "Zijn neef ({v}) wacht op nieuws.",
        ),
        "en": (
            "Write to {v} about the papers.",
            "E-mail: {v}.",
            "Her brother ({v}) is waiting for news.",
        ),
    },  # fmt: skip
    "iban": {
        "fr": (
            "Virement de la caution sur le compte {v}.",
            "IBAN de la famille : {v}.",
            "Verser {amount} sur {v} avant vendredi.",
        ),
        "nl": (
            "Storting voor de borg op rekening {v}.",
            "IBAN van de familie: {v}.",
            "{amount} overschrijven op {v}.",
        ),
        "en": (
            "Transfer the deposit to account {v}.",
            "Family IBAN: {v}.",
            "Pay {amount} into {v} by Friday.",
        ),
    },  # fmt: skip
    "immigration_file_number": {
        "fr": (
            "Dossier n° SP {v} : l'annexe 13septies a été notifiée.",
            "Son numéro OE est le {v}.",
            "OE {v}, selon la décision du {visit}.",
            "Référence à l'Office des étrangers : {v}.",
            "Le dossier {v} (OE) est incomplet.",
            "Il cite son dossier à l'OE, n° {v}, et attend une réponse.",
            "SP ({v}) — à vérifier avec l'avocat.",
            "numéro de dossier Office des étrangers {v}",
            "Le numéro SP de monsieur, {v}, figure sur l'annexe.",
            "Il ignore son numéro OE ; l'avocat dit que c'est le {v}.",
            "Le n° de l'OE : il pense que c'est le {v}.",
        ),
        "nl": (
            "DVZ-nummer: {v}; de beslissing werd betekend.",
            "Zijn dossier bij de DVZ heeft nummer {v}.",
            "Dienst Vreemdelingenzaken, dossier {v}.",
            "Het SP-nummer {v} staat op de bijlage.",
            "{v} (DVZ) — nog na te kijken.",
            "n° SP {v}: beroep ingediend.",
            "DVZ nr. {v}, volgens de advocaat.",
            "Het DVZ-dossier ({v}) is onvolledig.",
            "Zijn DVZ-nummer kent hij niet; volgens de advocaat is het {v}.",
        ),
        "en": (
            "Immigration Office file {v}, according to the lawyer.",
            "His Immigration Office number is {v}.",
            "OE number: {v}.",
            "File {v} at the Immigration Office is incomplete.",
            "DVZ ({v}) refused the request.",
            "The SP number {v} is on the annex.",
            "The client (IO ref. {v}) is still waiting for the decision.",
            "IO file no. {v}, according to the lawyer.",
            "IO ref. {v}: the appeal is pending.",
            "He does not know his IO number; his lawyer says it is {v}.",
        ),
    },
    "date_of_birth": {
        "fr": (
            "Madame est née le {v} à {city}.",
            "Né(e) le {v}, il parle peul.",
            "Née à {city} ({country}) le {v}, elle est inquiète.",
            "Date de naissance : {v}.",
            "Il dit être né en {country}, selon son passeport, le {v}.",
            "date de naissance déclarée à l'OE : {v}",
            "Il est ° {v} à {city}.",
            "Sa date de naissance, contestée par le centre, serait le {v}.",
            "Lieu et date de naissance : {city}, {v}.",
            "Date de naiss. : {v} ; nationalité : congolaise.",
            "naiss. {v} à {city}",
            "DDN : {v}.",
        ),
        "nl": (
            "Geboren op {v} in {city}.",
            "Geboortedatum: {v}.",
            "Hij is volgens zijn paspoort geboren op {v}.",
            "Geboren te {city} op {v}, spreekt Tigrinya.",
            "geb. {v} ({country})",
            "Zij werd geboren in {country} op {v}.",
            "Zijn geboortedatum is volgens de DVZ {v}.",
            "Geboorteplaats en -datum: {city}, {v}.",
            "Geb. datum: {v}; nationaliteit: Guinees.",
            "geb datum {v}",
        ),
        "en": (
            "Born on {v} in {city}.",
            "Date of birth: {v}.",
            "He says he was born in {city} on {v}.",
            "DOB {v}, speaks Pashto.",
            "Her date of birth, as declared to the Immigration Office, is {v}.",
            "born {v} ({country})",
            "D.O.B.: {v}.",
            "Birth date: {v}.",
            "DOB: {v}; nationality: Congolese.",
            "d.o.b. {v}",
        ),
    },
    "unknown_name": {
        "fr": (
            "Madame {v} dit qu'elle n'a pas vu de médecin.",
            "Entretien avec M. {v} au sujet de son recours.",
            "Mme {v} attend son transfert.",
            "Monsieur {v}, arrivé le {visit}, est inquiet.",
            "Sa sœur {v} vit à Liège.",
            "Son frère {v} a appelé le centre.",
            "Sa mère, {v}, est restée au pays.",
            "Son épouse {v} est enceinte.",
            "Mlle {v} demande un interprète.",
            "Son mari {v} est détenu à {centre}.",
            "Visite à M. {v} (chambre {room}).",
            "Sa petite sœur {v} est encore à {city}.",
            "Son grand frère {v} a appelé le centre.",
            "Sa sœur aînée {v} vit à Liège.",
            "Son fils cadet, {v}, est resté au pays.",
        ),
        "nl": (
            "Mevrouw {v} heeft nog geen arts gezien.",
            "Gesprek met meneer {v} over zijn beroep.",
            "Zijn broer {v} woont in Antwerpen.",
            "Haar zus {v} belde het centrum.",
            "Dhr. {v} wacht op zijn overbrenging.",
            "Mevr. {v} vraagt een tolk.",
            "Zijn vrouw {v} is zwanger.",
            "Haar man, {v}, zit in {centre}.",
            "De heer {v} werd gisteren gehoord.",
            "Zijn jongere broer {v} woont in Gent.",
            "Haar oudere zus {v} belde het centrum.",
            "Zijn kleine zus {v} is nog in {city}.",
        ),
        "en": (
            "Mrs {v} has not seen a doctor.",
            "Interview with Mr {v} about his appeal.",
            "His brother {v} lives in Antwerp.",
            "Her sister {v} called the centre.",
            "Ms {v} asked for an interpreter.",
            "His wife {v} is pregnant.",
            "Her husband, {v}, is held in {centre}.",
            "Mr. {v} was heard yesterday.",
            "Miss {v} is waiting for her transfer.",
            "Her younger sister {v} called.",
            "His elder brother {v} lives in Antwerp.",
            "Her little brother, {v}, is still in {city}.",
        ),
    },
    "known_name": {
        "fr": (
            "Entretien avec {v} ce matin.",
            "{v} refuse de manger depuis lundi.",
            "Nous avons revu {v} en chambre {room}.",
        ),
        "nl": (
            "Gesprek met {v} vanochtend.",
            "{v} weigert te eten sinds maandag.",
            "We zagen {v} opnieuw in kamer {room}.",
        ),
        "en": (
            "Talked with {v} this morning.",
            "{v} has refused food since Monday.",
            "We saw {v} again in room {room}.",
        ),
    },  # fmt: skip
}

# Clean passages: what looks like personal data and is not.
CLEAN_TEMPLATES: dict[str, tuple[str, ...]] = {
    "fr": (
        "Visite du {visit} au centre {centre} : {count} personnes rencontrées.",
        "Dossiers {case} et {case} en attente ; voir aussi {hcode}.",
        "Voir l'article 74/6 de la loi du 15 décembre 1980 ; caution de {amount}.",
        "Chambre {room}, aile {wing} ; rendez-vous à {time}.",
        "Rapport Bruges 2022 : {count} visites entre 2019 et 2023.",
        "M. le directeur a reçu la délégation à {time}.",
        "Madame la juge a reporté l'audience au {visit}.",
        "Monsieur a expliqué qu'il n'avait pas vu l'avocat.",
        "Elle est née en {country} et est arrivée le {visit}.",
        "Son frère est resté en {country} ; sa sœur à Bruxelles.",
        "L'OE a notifié l'annexe 13septies le {visit}.",
        "Arrêt CCE n° {arrest} du {visit_words}, contre la décision de l'OE.",
        "Le centre compte {count} places ; {count} personnes en aile {wing}.",
        "Audience fixée au {visit} à {time}, salle {room}.",
        "Monsieur le Consul n'a pas répondu avant le {visit}.",
        "L'arrêté royal du 2 août 2002 fixe le régime ; art. 7, 1° de la loi.",
        "Frais de {amount} remboursés le {visit}.",
        "Le bloc M. Depuis lundi, {count} personnes y sont isolées.",
        "Il a vu sa mère au parloir ; son père est décédé en 2019.",
        "Prochaine visite : {visit_words}, de {time} à 16h00.",
        "Température de 28 °C le {visit} dans l'aile {wing}.",
        "Selon l'OE, {count} retours ont eu lieu en 2023.",
        "Monsieur Le Directeur a répondu le {visit} ; Mme la Présidente aussi.",
        "Appeler l'OE le {visit} à {time} au sujet du dossier {case}.",
        "Sa mère, malade, n'a pas pu venir ; son frère à Bruxelles non plus.",
        "Ticket n° {ticket} pour le parloir ; colis n° {ticket9} remis le {visit}.",
        "Arrêt n° {arrest} ; dossier {ticket9} au greffe.",
        "Sa petite sœur est restée en {country} ; son grand frère aussi.",
        "Sa sœur aînée, malade, n'a pas pu venir le {visit}.",
        "Il ignore son numéro OE ; la visite du {visit} a duré {count} minutes.",
        "Date de naiss. inconnue ; arrivé le {visit}.",
    ),
    "nl": (
        "Bezoek op {visit} in {centre}: {count} gesprekken.",
        "Dossiers {case} en {case} lopen nog; zie ook {hcode}.",
        "Zie artikel 74/6 van de wet van 15 december 1980; borg van {amount}.",
        "Kamer {room}, vleugel {wing}; afspraak om {time}.",
        "Jaarverslag Brugge 2022: {count} bezoeken tussen 2019 en 2023.",
        "Meneer de directeur ontving ons om {time}.",
        "Mevrouw de rechter stelde de zitting uit tot {visit}.",
        "Meneer zegt dat hij de advocaat niet gezien heeft.",
        "Geboren in {country} en aangekomen op {visit}.",
        "Zijn broer is in {country} gebleven; haar zus in Brussel.",
        "De DVZ besliste op {visit_words} tot verlenging.",
        "Het RvV (arrest nr. {arrest}) vernietigde de beslissing van de DVZ.",
        "Het centrum telt {count} plaatsen; {count} mensen in vleugel {wing}.",
        "Zitting op {visit} om {time}, zaal {room}.",
        "Volgens de DVZ waren er {count} terugkeren in 2023.",
        "Kosten van {amount} terugbetaald op {visit}.",
        "Hij zag zijn moeder in de bezoekzaal; zijn vader is overleden in 2019.",
        "Volgende bezoek: {visit_words}, van {time} tot 16u00.",
        "Mevrouw De Rechter besliste op {visit}; meneer is ongerust.",
        "Bellen naar het centrum over het bezoek van {visit} om {time}.",
        "Temperatuur van 31 °C op {visit} in vleugel {wing}.",
        "Ticket nr. {ticket9} voor de bezoekzaal; arrest nr. {arrest}.",
        "Zijn jongere broer is in {country} gebleven; haar oudere zus ook.",
        "Het DVZ-nummer kent hij niet; de zaal telt {count} stoelen.",
        "Geb. datum onbekend; aangekomen op {visit}.",
    ),
    "en": (
        "Visit of {visit} to {centre}: {count} people met.",
        "Cases {case} and {case} are pending; see also {hcode}.",
        "See article 74/6 of the law of 15 December 1980; deposit of {amount}.",
        "Room {room}, wing {wing}; appointment at {time}.",
        "Bruges 2022 report: {count} visits between 2019 and 2023.",
        "Mr President of the tribunal postponed the hearing to {visit}.",
        "Madam Judge adjourned the hearing until {visit_words}.",
        "Born in {country}, he arrived in Belgium on {visit}.",
        "His brother stayed in {country}; her sister lives in Brussels.",
        "The Immigration Office decided on {visit_words} to extend detention.",
        "The centre has {count} places; {count} people in wing {wing}.",
        "Hearing on {visit} at {time}, room {room}.",
        "Costs of {amount} refunded on {visit}.",
        "According to the Immigration Office, {count} returns took place in 2023.",
        "Next visit: {visit_words}, from {time} to 4 pm.",
        "Dear Mr Chairman, the visit of {visit} took place in wing {wing}.",
        "Her husband is Belgian; his brother in Antwerp calls on Sundays.",
        "The court (judgment no. {arrest}) annulled the Immigration Office decision.",
        "Call the centre about the visit of {visit} at {time}.",
        "The IO decided on {visit}; {count} people were released.",
        "His younger brother stayed in {country}; her elder sister too.",
        "Ticket no. {ticket9} for the visiting room; case file {ticket9}.",
        "DOB unknown; arrived on {visit}.",
    ),
}


def _look_alikes(draw: Draw, lang: str) -> dict[str, Callable[[], str]]:
    return {
        "case": lambda: f"P-{draw.random.randint(2019, 2026)}-{draw.random.randint(1, 999):04d}",
        "hcode": lambda: f"H-{draw.random.randint(2019, 2026)}-{draw.random.randint(1, 999):04d}",
        "visit": lambda: numeric_date(draw, (2019, 2026)),
        "visit_words": lambda: date_in_words(draw, lang, (2019, 2026)),
        "room": lambda: draw.choice(
            (str(draw.random.randint(1, 250)), f"{draw.random.randint(1, 3)}.{draw.digits(2)}")
        ),
        "wing": lambda: draw.choice(("A", "B", "C", "D", "M", "nord", "sud")),
        "centre": lambda: draw.choice(CENTRES),
        "city": lambda: draw.choice(CITIES),
        "country": lambda: draw.choice(COUNTRIES),
        "time": lambda: draw.choice(
            (
                f"{draw.random.randint(8, 18)}h{draw.choice(('00', '15', '30', '45'))}",
                f"{draw.random.randint(8, 18)}:{draw.choice(('00', '30'))}",
                f"{draw.random.randint(8, 18)}u{draw.choice(('00', '30'))}",
            )
        ),  # fmt: skip
        "amount": lambda: draw.choice(
            (
                f"{draw.random.randint(1, 9)}.{draw.digits(3)} €",
                f"{draw.random.randint(50, 999)} euros",
                f"€ {draw.random.randint(1, 9)} {draw.digits(3)}",
                f"{draw.random.randint(1, 9)}.{draw.digits(3)},00 EUR",
            )
        ),  # fmt: skip
        "count": lambda: str(draw.random.randint(2, 140)),
        "ticket": lambda: f"0{draw.random.randint(100, 999)} {draw.digits(3)}",
        # Nine digits starting with 0, shaped like a landline typed without spaces.
        "ticket9": lambda: _nine_digits(draw),
        "arrest": lambda: draw.choice(
            (
                f"{draw.random.randint(200, 320)}.{draw.digits(3)}",
                f"{draw.random.randint(200, 320)}{draw.digits(3)}",
            )
        ),  # fmt: skip
    }


def _nine_digits(draw: Draw) -> str:
    zone = draw.choice(ONE_DIGIT_ZONES + TWO_DIGIT_ZONES)
    return f"0{zone}{draw.random.randint(1, 9)}{draw.digits(7 - len(zone))}"


def _fill(template: str, draw: Draw, lang: str, value: str | None = None) -> str:
    fillers = _look_alikes(draw, lang)
    text = template
    while "{" in text:
        start = text.index("{")
        field = text[start + 1 : text.index("}", start)]
        replacement = value if field == "v" else fillers[field]()
        text = text[:start] + replacement + text[start + len(field) + 2 :]
    return text


def _value(draw: Draw, kind: str, lang: str) -> tuple[str, str, list[str]]:
    """(value, family, known names) for one passage of `kind`."""
    if kind == pii.NATIONAL_NUMBER:
        return national_number(draw), "", []
    if kind == pii.PHONE:
        family = draw.choice(("mobile", "landline", "landline", "foreign"))
        make = {"mobile": mobile, "landline": landline, "foreign": foreign_phone}[family]
        return make(draw), family, []
    if kind == pii.EMAIL:
        address, given, surname = email(draw)
        return address, "", [f"{given} {surname}"]
    if kind == pii.IBAN:
        return iban(draw), "", []
    if kind == pii.IMMIGRATION_FILE_NUMBER:
        return file_number(draw), "", []
    if kind == pii.DATE_OF_BIRTH:
        if draw.chance(0.5):
            return date_in_words(draw, lang), "words", []
        return numeric_date(draw), "numeric", []
    if kind == pii.UNKNOWN_NAME:
        written, _given, _surname = person_name(draw)
        return written, "", []
    written, given, surname = person_name(draw)
    return written, "", [f"{given} {surname}"]


def generate(
    seed: int = SEED, positives: int = POSITIVE_PASSAGES, clean: int = CLEAN_PASSAGES
) -> list[dict]:
    """The evaluation set: `positives` passages carrying one item each (kinds and
    languages in turn), then `clean` passages of look-alikes."""
    draw = Draw(seed)
    kinds = list(TEMPLATES)
    passages = []
    for number in range(positives):
        kind = kinds[number % len(kinds)]
        lang = LANGUAGES[(number // len(kinds)) % len(LANGUAGES)]
        value, family, known = _value(draw, kind, lang)
        template = draw.choice(TEMPLATES[kind][lang])
        text = _fill(template, draw, lang, value)
        # Annotated as the value alone: the scanner may take a label with it ("n° SP").
        item = {"kind": kind, "text": value}
        if family:
            item["family"] = family
        passages.append(
            {
                "id": f"gen-{number:04d}",
                "lang": lang,
                "text": text,
                "known_names": known,
                "expect": [item],
            }
        )
    for number in range(clean):
        lang = LANGUAGES[number % len(LANGUAGES)]
        template = draw.choice(CLEAN_TEMPLATES[lang])
        passages.append(
            {
                "id": f"gen-clean-{number:04d}",
                "lang": lang,
                "text": _fill(template, draw, lang),
                "known_names": [f"{draw.choice(GIVEN_NAMES)} {draw.choice(SURNAMES)}"],
                "expect": [],
            }
        )
    return passages
