"""The demo data. Later apps add their records through `register_seeder`, so this
lower app never imports them (DESIGN.md §2)."""

from django.conf import settings

from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role

ORGANISATIONS = [
    # short name, kind, French name, Dutch name, member of
    (
        "Move",
        "coalition",
        "Move — coalition contre la détention",
        "Move — coalitie tegen detentie",
        None,
    ),
    ("Caritas", "founding_member", "Caritas International", "Caritas International", None),
    (
        "CIRÉ",
        "founding_member",
        "Coordination et Initiatives pour Réfugiés et Étrangers",
        "Coördinatie en Initiatieven voor Vluchtelingen en Vreemdelingen",
        None,
    ),
    ("JRS", "founding_member", "JRS Belgium", "JRS Belgium", None),
    (
        "VWV",
        "founding_member",
        "Vluchtelingenwerk Vlaanderen",
        "Vluchtelingenwerk Vlaanderen",
        None,
    ),
    ("Point d'Appui", "member", "Point d'Appui", "Point d'Appui", "CIRÉ"),
    (
        "Myria",
        "partner",
        "Myria — Centre fédéral Migration",
        "Myria — Federaal Migratiecentrum",
        None,
    ),
    ("Nansen", "partner", "Nansen", "Nansen", None),
]

PERSONAS = [
    # e-mail, first name, last name, language, organisation, role
    ("coordinator@move.test", "Camille", "Coordination", "fr", "Move", Role.COORDINATOR),
    ("lawyer@move.test", "Lucie", "Avocate", "fr", "Move", Role.LEGAL),
    ("visitor.jrs@move.test", "Jonas", "Bezoeker", "nl", "JRS", Role.VISITOR),
    ("visitor.caritas@move.test", "Claire", "Visiteuse", "fr", "Caritas", Role.VISITOR),
    ("visitor.vwv@move.test", "Wout", "Bezoeker", "nl", "VWV", Role.VISITOR),
    ("advocacy@move.test", "Amina", "Plaidoyer", "fr", "Move", Role.ADVOCACY),
    ("witness@move.test", "Wim", "Getuigen", "nl", "Move", Role.WITNESS_POOL),
    ("partner.myria@move.test", "Marc", "Myria", "fr", "Myria", Role.PARTNER),
    ("partner.nansen@move.test", "Nora", "Nansen", "nl", "Nansen", Role.PARTNER),
]

_seeders = []


def register_seeder(function) -> None:
    """A later app adds its demo records: `function()` is called after the base data."""
    if function not in _seeders:
        _seeders.append(function)


def seed() -> dict:
    from move.centres.demo import seed_centres

    organisations = _seed_organisations()
    accounts = _seed_personas(organisations)
    centres = seed_centres()
    for function in _seeders:
        function()
    return {
        "organisations": len(organisations),
        "centres": centres,
        "users": len(accounts),
        "accounts": accounts,
    }


def _seed_organisations() -> dict[str, Organisation]:
    found = {}
    for short, kind, name_fr, name_nl, parent in ORGANISATIONS:
        organisation, _created = Organisation.objects.update_or_create(
            short_name=short,
            defaults={
                "kind": kind,
                "name_fr": name_fr,
                "name_nl": name_nl,
                "member_of": found.get(parent),
            },
        )
        found[short] = organisation
    return found


def _seed_personas(organisations) -> list[tuple[str, str, str]]:
    accounts = []
    for email, first, last, language, org, role in PERSONAS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                settings.MOVE_DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                language=language,
            )
        organisation = organisations[org]
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        user.groups.add(organisation.group)
        accounts.append((email, role, org))
    return accounts
