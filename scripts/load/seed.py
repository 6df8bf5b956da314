"""Visitors for the load test (and the demo's parallel-clients test): each with a visit
of yesterday and its draft report, and an older submitted report for the list.

    python scripts/load/seed.py --visitors 50 --password PASSWORD --out visitors.json

Runs with the settings of the environment (move.settings). Writes, as JSON, each
visitor's address and the codes of their draft and of their submitted report. Only into
a throwaway database: it refuses one that already has load-test visitors."""

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "move.settings")

DOMAIN = "load.example.invalid"


def seed(visitors: int, password: str) -> list[dict]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from move.accounts.models import Membership, Organisation, User
    from move.accounts.permissions import Role
    from move.centres.models import Centre
    from visits.models import Visit, VisitReport

    if User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        raise SystemExit("This database already has load-test visitors: use a fresh one.")
    today = timezone.localdate()
    hashed = make_password(password)  # once: hashing 50 times would take seconds
    made = []
    with transaction.atomic():
        centre = Centre.objects.create(
            code="load-centre",
            name_fr="Centre L",
            name_nl="Centrum L",
            kind="adult_centre",
            town="Steenokkerzeel",
        )
        organisations = [
            Organisation.objects.create(
                short_name=f"load-{n}",
                kind=Organisation.Kind.FOUNDING_MEMBER,
                name_fr=f"Charge {n}",
                name_nl=f"Belasting {n}",
            )
            for n in range(4)
        ]
        for n in range(visitors):
            organisation = organisations[n % len(organisations)]
            user = User.objects.create(email=f"visitor{n:03}@{DOMAIN}", password=hashed)
            Membership.objects.create(user=user, organisation=organisation, role=Role.VISITOR)
            user.groups.add(organisation.group)
            reports = {}
            for status, days_ago in (("submitted", 30 + n), ("draft", 1)):
                visit = Visit.objects.create(
                    centre=centre, date=today - timedelta(days=days_ago), status="done"
                )
                visit.visitors.add(user)
                report = VisitReport.objects.create(
                    visit=visit,
                    organisation=organisation,
                    language="fr",
                    status=status,
                    general_conditions=f"Visite {n}: conditions générales.",
                    atmosphere="Calme.",
                )
                report.authors.add(user)
                reports[status] = str(report.code)
            made.append(
                {"email": user.email, "draft": reports["draft"], "report": reports["submitted"]}
            )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    arguments = parser.parse_args()
    import django

    django.setup()
    made = seed(arguments.visitors, arguments.password)
    arguments.out.write_text(json.dumps(made, indent=1))
    print(f"{len(made)} visitors, each with a draft and a submitted report: {arguments.out}")


if __name__ == "__main__":
    main()
