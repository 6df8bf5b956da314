"""The figures of a load run from locust's CSV (`--csv PREFIX`): requests per second,
p50/p95/p99 per endpoint, errors, and the goals of issue 9 §8.

    python scripts/load/summary.py PREFIX LOST_EDITS_EXIT_CODE"""

import csv
import json
import os
import sys
from pathlib import Path

AUTOSAVE_P95_MS = 150


def main() -> None:
    prefix, lost_status = sys.argv[1], int(sys.argv[2])
    with Path(f"{prefix}_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    header = ["requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    print(f"{'endpoint':42} " + " ".join(f"{name:>8}" for name in header))
    for row in rows:
        print(
            f"{(row['Type'] + ' ' + row['Name']).strip():42} {row['Request Count']:>8} "
            f"{row['Failure Count']:>8} {float(row['Requests/s']):8.1f} {row['50%']:>8} "
            f"{row['95%']:>8} {row['99%']:>8}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    autosave = next((row for row in rows if "autosave" in row["Name"]), None)
    errors = int(total["Failure Count"])
    ramp_file = Path(os.environ.get("LOAD_RAMP_STATS", "/nonexistent"))
    if ramp_file.is_file():
        # The sign-in ramp, measured apart (scripts/load/locustfile.py): its errors count.
        ramp = json.loads(ramp_file.read_text())
        print(
            f"{'sign-in ramp (not in the rows above)':42} {ramp['requests']:>8} "
            f"{ramp['failures']:>8} {'':>8} {ramp['sign_in_p50']:>8} {ramp['sign_in_p95']:>8}"
        )
        errors += int(ramp["failures"])
    else:
        print("(no sign-in ramp measured apart: the rows above include it)")
    p95 = float(autosave["95%"]) if autosave else float("inf")  # no autosave: missed
    goals = {
        "0 errors": errors == 0,
        "0 lost edits": lost_status == 0,
        f"autosave p95 <= {AUTOSAVE_P95_MS} ms ({p95:.0f} ms)": p95 <= AUTOSAVE_P95_MS,
    }
    for goal, met in goals.items():
        print(f"{'met' if met else 'MISSED':6} {goal}")
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
