"""The demo data. Later apps add their records through `register_seeder`, so this
lower app never imports them (DESIGN.md §2)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password

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

# The other accredited visitors of the four visiting organisations: with the three
# visitor personas, the 17 visitors of the 2022 activity report (DESIGN.md §8).
VISITORS = [
    # e-mail, first name, last name, language, organisation
    ("ines.jrs@move.test", "Inès", "Lambert", "fr", "JRS"),
    ("pieter.jrs@move.test", "Pieter", "Claes", "nl", "JRS"),
    ("sara.jrs@move.test", "Sara", "Dubois", "fr", "JRS"),
    ("bart.jrs@move.test", "Bart", "Wouters", "nl", "JRS"),
    ("marie.caritas@move.test", "Marie", "Lejeune", "fr", "Caritas"),
    ("tom.caritas@move.test", "Tom", "Peeters", "nl", "Caritas"),
    ("helene.caritas@move.test", "Hélène", "Renard", "fr", "Caritas"),
    ("julien.cire@move.test", "Julien", "Collard", "fr", "CIRÉ"),
    ("aicha.cire@move.test", "Aïcha", "Benmoussa", "fr", "CIRÉ"),
    ("francoise.pointdappui@move.test", "Françoise", "Thiry", "fr", "Point d'Appui"),
    ("luc.pointdappui@move.test", "Luc", "Maes", "fr", "Point d'Appui"),
    ("lotte.vwv@move.test", "Lotte", "Janssens", "nl", "VWV"),
    ("jef.vwv@move.test", "Jef", "Mertens", "nl", "VWV"),
    ("elke.vwv@move.test", "Elke", "Goossens", "nl", "VWV"),
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
    accounts += _seed_visitors(organisations)
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
    return _seed_accounts(organisations, PERSONAS)


def _seed_visitors(organisations) -> list[tuple[str, str, str]]:
    rows = [(*visitor, Role.VISITOR) for visitor in VISITORS]
    return _seed_accounts(organisations, rows)


def _demo_password_hash() -> str:
    """One hash for all the demo accounts (one password): hashing is slow on purpose."""
    password = settings.MOVE_DEMO_PASSWORD
    if _hashed.get("password") != password:
        _hashed.update(password=password, hash=make_password(password))
    return _hashed["hash"]


_hashed: dict[str, str] = {}


def _seed_accounts(organisations, rows) -> list[tuple[str, str, str]]:
    accounts = []
    for email, first, last, language, org, role in rows:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                password=_demo_password_hash(),
                first_name=first,
                last_name=last,
                language=language,
            )
        organisation = organisations[org]
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        user.groups.add(organisation.group)
        accounts.append((email, role, org))
    return accounts
