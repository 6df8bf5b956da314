"""The weekly coverage grid: each active centre against a run of ISO weeks.

The page shows a window of weeks around today by default (the current week visible
without scrolling sideways, on a desktop as on a phone), moved back and forth a window
at a time, or a whole year. Two queries whatever the number of centres and weeks."""

from dataclasses import dataclass
from datetime import date, timedelta

from move.centres.models import Centre
from visits.models import Visit

WINDOW_WEEKS = 13  # a quarter
WEEKS_BEFORE = 8  # of the current week, in the default window


@dataclass(frozen=True)
class Week:
    monday: date
    current: bool = False

    @property
    def year(self) -> int:
        return self.monday.isocalendar().year

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass
class CoverageRow:
    centre: Centre
    cells: list[str]  # one a week: "done", "planned", "gap" (passed, nothing) or "open"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_start(today: date) -> date:
    """The first Monday of the window that shows today's week with weeks before it."""
    return monday_of(today) - timedelta(weeks=WEEKS_BEFORE)


def parse_start(value, today: date) -> date:
    """The Monday of the week of an ISO date in the address (the window's first week),
    or the default window when the address carries something else."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return default_start(today)
    if not 2000 <= day.year <= 2100:
        return default_start(today)
    return monday_of(day)


def weeks_from(start: date, count: int, today: date) -> list[Week]:
    this_monday = monday_of(today)
    mondays = [monday_of(start) + timedelta(weeks=n) for n in range(count)]
    return [Week(monday, current=monday == this_monday) for monday in mondays]


def weeks_of_year(year: int, today: date) -> list[Week]:
    first = date.fromisocalendar(year, 1, 1)
    count = date(year, 12, 28).isocalendar().week
    return weeks_from(first, count, today)


def grid(weeks: list[Week], today: date) -> list[CoverageRow]:
    """Each active centre against each of `weeks` (consecutive): two queries in all."""
    if not weeks:
        return []
    index = {week.monday: position for position, week in enumerate(weeks)}
    found: dict[tuple[int, int], str] = {}
    visits = Visit.objects.filter(date__range=(weeks[0].monday, weeks[-1].sunday)).exclude(
        status=Visit.Status.CANCELLED
    )
    for centre_id, day, status in visits.values_list("centre_id", "date", "status"):
        key = (centre_id, index[monday_of(day)])
        if found.get(key) != Visit.Status.DONE:
            found[key] = status
    this_monday = monday_of(today)
    rows = []
    for centre in Centre.objects.filter(active=True):
        cells = []
        for position, week in enumerate(weeks):
            state = found.get((centre.pk, position))
            if state is None:
                state = "gap" if week.monday <= this_monday else "open"
            cells.append(state)
        rows.append(CoverageRow(centre, cells))
    return rows
