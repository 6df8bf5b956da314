"""After a load run: is every visitor's last typed text in the database?

    python scripts/load/check.py typed.json

`typed.json` (written by locustfile.py) maps each draft's code to the last text its
visitor sent. Prints the number of drafts checked and of lost edits, and exits 1 if any
edit was lost."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "move.settings")

from browser import lost_edits  # noqa: E402


def main() -> None:
    import django

    django.setup()
    from visits.models import VisitReport

    typed = json.loads(Path(sys.argv[1]).read_text())
    stored = dict(
        VisitReport.objects.filter(code__in=list(typed)).values_list("code", "general_conditions")
    )
    stored = {str(code): text for code, text in stored.items()}
    lost = lost_edits(typed, stored)
    print(f"Lost edits: {len(lost)} of {len(typed)} drafts checked")
    for code in lost:
        print(f"  {code}: saved or sent {typed[code]!r}, stored {stored.get(code)!r}")
    sys.exit(1 if lost or not typed else 0)


if __name__ == "__main__":
    main()
