"""Centres of DOMAIN.md with their official yearly figures and sources."""

from datetime import date

from django.conf import settings
from django.utils.text import slugify

from move.centres.models import Centre, CentreYear

# Where each figure comes from, in the coalition's languages (and English when the
# content is kept in English too: MODELTRANSLATION_LANGUAGES).
AIDA_2023 = {
    "fr": "Rapport AIDA sur la Belgique, places disponibles en mars 2023",
    "nl": "AIDA-landenrapport België, beschikbare plaatsen in maart 2023",
    "en": "AIDA Belgium country report, places in March 2023",
}
MOVE_2022 = {
    "fr": "Rapport d'activités 2022 de Move : 4\u00a0285 personnes détenues dans les six "
    "centres fermés pour adultes",
    "nl": "Jaarverslag 2022 van Move: 4.285 mensen opgesloten in de zes gesloten centra "
    "voor volwassenen",
    "en": "Move activity report 2022: 4,285 people held in the six adult centres",
}
MOVE_2023 = {
    "fr": "Move : 4\u00a0915 personnes détenues dans les six centres fermés pour adultes en 2023",
    "nl": "Move: 4.915 mensen opgesloten in de zes gesloten centra voor volwassenen in 2023",
    "en": "Move: 4,915 people held in the six adult centres in 2023",
}
SPLIT = {
    "fr": " (répartition par centre estimée au prorata des places, données de démonstration)",
    "nl": " (verdeling per centrum geschat naar verhouding van het aantal plaatsen, demogegevens)",
    "en": " (per-centre split estimated in proportion to capacity, demo data)",
}

# code, French name, Dutch name, kind, town, places (AIDA, March 2023)
CENTRES = [
    (
        "127bis",
        "Centre de rapatriement 127bis",
        "Repatriëringscentrum 127bis",
        "adult_centre",
        "Steenokkerzeel",
        120,
    ),
    (
        "caricole",
        "Centre de transit Caricole",
        "Transitcentrum Caricole",
        "adult_centre",
        "Steenokkerzeel",
        100,
    ),
    (
        "bruges",
        "Centre fermé de Bruges (CIB)",
        "Gesloten centrum Brugge (CIB)",
        "adult_centre",
        "Brugge",
        104,
    ),
    (
        "merksplas",
        "Centre fermé de Merksplas (CIM)",
        "Gesloten centrum Merksplas (CIM)",
        "adult_centre",
        "Merksplas",
        110,
    ),
    (
        "vottem",
        "Centre fermé de Vottem (CIV)",
        "Gesloten centrum Vottem (CIV)",
        "adult_centre",
        "Vottem",
        77,
    ),
    (
        "holsbeek",
        "Centre fermé pour femmes de Holsbeek (CIH)",
        "Gesloten centrum voor vrouwen Holsbeek (CIH)",
        "adult_centre",
        "Holsbeek",
        28,
    ),
    (
        "127bis-familles",
        "Unités familiales du 127bis",
        "Gezinsunits van 127bis",
        "family_unit",
        "Steenokkerzeel",
        None,
    ),
]
# Opening dates (month known from public reporting, day approximate): a detention spell
# cannot start in a centre before it opened.
OPENED = {
    "127bis": date(1994, 1, 1),
    "caricole": date(2012, 4, 1),
    "bruges": date(1995, 1, 1),
    "merksplas": date(1994, 1, 1),
    "vottem": date(1999, 3, 1),
    "holsbeek": date(2019, 9, 1),
    "127bis-familles": date(2018, 8, 1),
}
RETURN_HOUSES_OPENED = date(2008, 10, 1)
RETURN_HOUSES = ["Zulte", "Tubize", "Sint-Gillis-Waas", "Tielt", "Beauvechain"]
TOTALS = {2022: (4285, MOVE_2022), 2023: (4915, MOVE_2023)}


def seed_centres() -> int:
    for code, name_fr, name_nl, kind, town, _places in CENTRES:
        _centre(code, name_fr, name_nl, kind, town)
    for town in RETURN_HOUSES:
        # Short enough for Centre.code (30 characters) whatever the town.
        _centre(
            f"retour-{slugify(town)}",
            f"Maisons de retour de {town}",
            f"Terugkeerwoningen {town}",
            "return_house",
            town,
        )
    _seed_years()
    return Centre.objects.count()


def _centre(code, name_fr, name_nl, kind, town):
    opened = OPENED.get(code, RETURN_HOUSES_OPENED)
    Centre.objects.update_or_create(
        code=code,
        defaults={
            "name_fr": name_fr,
            "name_nl": name_nl,
            "kind": kind,
            "town": town,
            "opened_on": opened,
        },
    )


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder): the parts add up."""
    scale = sum(weights)
    shares = [total * weight / scale for weight in weights]
    parts = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


def _seed_years() -> None:
    adult = [
        (code, places) for code, _fr, _nl, kind, _town, places in CENTRES if kind == "adult_centre"
    ]
    places = [capacity for _code, capacity in adult]
    for year, (total, source) in TOTALS.items():
        for (code, capacity), detained in zip(adult, apportion(total, places), strict=True):
            CentreYear.objects.update_or_create(
                centre=Centre.objects.get(code=code),
                year=year,
                defaults={
                    "people_detained": detained,
                    "capacity": capacity,
                    **_in_each_language(
                        "people_detained_source",
                        {language: text + SPLIT[language] for language, text in source.items()},
                    ),
                    **_in_each_language("capacity_source", AIDA_2023),
                },
            )


def _in_each_language(field: str, texts: dict[str, str]) -> dict[str, str]:
    """The translated fields of `field` (people_detained_source_fr…), each in its language."""
    return {
        f"{field}_{language}": texts[language]
        for language in settings.MODELTRANSLATION_LANGUAGES
        if language in texts
    }
