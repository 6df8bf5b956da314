"""The themes of the observations, as the coalition names them in its reports."""

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
