"""The help desk's reference data (topics, deadline rules of shared/DOMAIN.md) and the
GIN index of the requests' search words, on PostgreSQL only (as visits 0006)."""

from django.db import migrations

SEARCH_INDEX = "help_request_search"

TOPICS = [
    ("detention", "Detention and its review", "La détention et son contrôle", "De detentie en de toetsing ervan"),
    ("removal", "Removal and escort", "L'éloignement et l'escorte", "De verwijdering en de begeleiding"),
    ("asylum", "Asylum in detention", "L'asile en détention", "Asiel in detentie"),
    ("dublin", "Dublin", "Dublin", "Dublin"),
    ("family", "Family and children", "Famille et enfants", "Gezin en kinderen"),
    ("medical", "Medical care", "Soins médicaux", "Medische zorg"),
    ("isolation", "Isolation", "Isolement", "Isolatie"),
    ("entry-ban", "Entry ban", "Interdiction d'entrée", "Inreisverbod"),
    ("arrest", "Arrest and police", "Arrestation et police", "Arrestatie en politie"),
    ("legal-aid", "Legal aid and the lawyer", "Aide juridique et avocat", "Juridische bijstand en de advocaat"),
    ("return", "Return", "Retour", "Terugkeer"),
    ("other", "Other", "Autre", "Andere"),
]

RULES = [
    # code, days, hours, monthly, en, fr, nl, source
    (
        "cce-appeal", 30, None, False,
        "Appeal to the Council for Alien Law Litigation",
        "Recours au Conseil du contentieux des étrangers",
        "Beroep bij de Raad voor Vreemdelingenbetwistingen",
        "Loi du 15 décembre 1980 / Wet van 15 december 1980, art. 39/57 §1, al. 1",
    ),
    (
        "cce-appeal-detained", 10, None, False,
        "Appeal to the Council for Alien Law Litigation, held in a closed place",
        "Recours au Conseil du contentieux des étrangers, en lieu fermé",
        "Beroep bij de Raad voor Vreemdelingenbetwistingen, in een gesloten plaats",
        "Loi du 15 décembre 1980 / Wet van 15 december 1980, art. 39/57 §1, al. 2",
    ),
    (
        "extreme-urgency", 10, None, False,
        "Extreme urgency: suspension of a first removal measure",
        "Extrême urgence : suspension d'une première mesure d'éloignement",
        "Uiterst dringende noodzakelijkheid: schorsing van een eerste verwijderingsmaatregel",
        "Loi du 15 décembre 1980 / Wet van 15 december 1980, art. 39/57 §1, al. 3",
    ),
    (
        "extreme-urgency-later", 5, None, False,
        "Extreme urgency: suspension of a later removal measure",
        "Extrême urgence : suspension d'une mesure d'éloignement ultérieure",
        "Uiterst dringende noodzakelijkheid: schorsing van een latere verwijderingsmaatregel",
        "Loi du 15 décembre 1980 / Wet van 15 december 1980, art. 39/57 §1, al. 3",
    ),
    (
        "indictment-chamber-appeal", None, 24, False,
        "Appeal to the indictment chamber",
        "Appel devant la chambre des mises en accusation",
        "Hoger beroep bij de kamer van inbeschuldigingstelling",
        "Loi du 15 décembre 1980 / Wet van 15 december 1980, art. 72; "
        "loi du 20 juillet 1990 / wet van 20 juli 1990, art. 30",
    ),
    (
        "council-chamber-release", 30, None, True,
        "Request for release to the council chamber (renewable every month)",
        "Requête de mise en liberté à la chambre du conseil (renouvelable chaque mois)",
        "Verzoekschrift tot invrijheidstelling bij de raadkamer (elke maand te hernieuwen)",
        "Loi du 15 décembre 1980 / Wet van 15 december 1980, art. 71",
    ),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("legal", "Topic")
    DeadlineRule = apps.get_model("legal", "DeadlineRule")
    for position, (code, en, fr, nl) in enumerate(TOPICS):
        Topic.objects.update_or_create(
            code=code,
            defaults={"name": en, "name_en": en, "name_fr": fr, "name_nl": nl, "position": position},
        )
    for position, (code, days, hours, monthly, en, fr, nl, source) in enumerate(RULES):
        DeadlineRule.objects.update_or_create(
            code=code,
            defaults={
                "days": days,
                "hours": hours,
                "renewable_monthly": monthly,
                "name": en,
                "name_en": en,
                "name_fr": fr,
                "name_nl": nl,
                "source": source,
                "position": position,
            },
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {SEARCH_INDEX} ON legal_helprequest USING gin (search_vector)"
        )


def unseed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
