"""The Belgian bars and the specialities of the lawyer directory, in the three languages
of the interface; the GIN index of the decisions' search words, on PostgreSQL only (as
0002 for the help requests).

The bars are those of the two orders since the mergers of 2018-2019: the Ordre des
barreaux francophones et germanophone (OBFG) and the Orde van Vlaamse Balies (OVB)."""

from django.db import migrations

SEARCH_INDEX = "decision_search"

BARS = [
    # code, English, French, Dutch
    (
        "brussels-fr",
        "Brussels (French-speaking)",
        "Bruxelles (francophone)",
        "Brussel (Franstalig)",
    ),
    (
        "brussels-nl",
        "Brussels (Dutch-speaking)",
        "Bruxelles (néerlandophone)",
        "Brussel (Nederlandstalig)",
    ),
    ("antwerp", "Antwerp", "Anvers", "Antwerpen"),
    ("east-flanders", "East Flanders", "Flandre orientale", "Oost-Vlaanderen"),
    ("west-flanders", "West Flanders", "Flandre occidentale", "West-Vlaanderen"),
    ("leuven", "Leuven", "Louvain", "Leuven"),
    ("limburg", "Limburg", "Limbourg", "Limburg"),
    ("mechelen", "Mechelen", "Malines", "Mechelen"),
    ("turnhout", "Turnhout", "Turnhout", "Turnhout"),
    ("walloon-brabant", "Walloon Brabant", "Brabant wallon", "Waals-Brabant"),
    ("charleroi", "Charleroi", "Charleroi", "Charleroi"),
    ("dinant", "Dinant", "Dinant", "Dinant"),
    ("eupen", "Eupen", "Eupen", "Eupen"),
    ("liege-huy", "Liège-Huy", "Liège-Huy", "Luik-Hoei"),
    ("luxembourg", "Luxembourg", "Luxembourg", "Luxemburg"),
    ("mons", "Mons", "Mons", "Bergen"),
    ("namur", "Namur", "Namur", "Namen"),
    ("tournai", "Tournai", "Tournai", "Doornik"),
    ("verviers", "Verviers", "Verviers", "Verviers"),
]

SPECIALITIES = [
    ("detention", "Immigration detention", "Détention administrative", "Administratieve detentie"),
    ("asylum", "Asylum", "Asile", "Asiel"),
    ("dublin", "Dublin transfers", "Transferts Dublin", "Dublinoverdrachten"),
    (
        "family",
        "Family reunification and family law",
        "Regroupement familial et droit de la famille",
        "Gezinshereniging en familierecht",
    ),
    (
        "criminal",
        "Criminal law for foreigners",
        "Droit pénal des étrangers",
        "Strafrecht voor vreemdelingen",
    ),
    (
        "youth",
        "Minors and youth law",
        "Mineurs et droit de la jeunesse",
        "Minderjarigen en jeugdrecht",
    ),
    (
        "residence",
        "Residence and regularisation",
        "Séjour et régularisation",
        "Verblijf en regularisatie",
    ),
    (
        "entry-bans",
        "Entry bans and removal",
        "Interdictions d'entrée et éloignement",
        "Inreisverboden en verwijdering",
    ),
    ("social", "Social rights", "Droits sociaux", "Sociale rechten"),
]


def seed(apps, schema_editor):
    for model_name, rows in (("Bar", BARS), ("Speciality", SPECIALITIES)):
        model = apps.get_model("legal", model_name)
        for position, (code, en, fr, nl) in enumerate(rows):
            model.objects.update_or_create(
                code=code,
                defaults={
                    "name": en,
                    "name_en": en,
                    "name_fr": fr,
                    "name_nl": nl,
                    "position": position,
                },
            )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {SEARCH_INDEX} ON legal_decision USING gin (search_vector)"
        )


def unseed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("legal", "0004_directory_jurisprudence_newsletter")]

    operations = [migrations.RunPython(seed, unseed)]
