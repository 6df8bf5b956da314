"""Planning and weekly coverage: the coalition's promise is every centre every week."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from move.accounts import permissions
from move.centres.models import Centre
from visits.models import Visit


def weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


def monday_of(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


@dataclass
class CoverageRow:
    centre: Centre
    cells: list[str]  # one a week: "done", "planned", "gap" (passed, nothing) or "open"


def coverage(year: int, today: date) -> list[CoverageRow]:
    """Each active centre against each ISO week of `year`: two queries in all."""
    weeks = weeks_in(year)
    start, end = monday_of(year, 1), monday_of(year, weeks) + timedelta(days=6)
    found: dict[tuple[int, int], str] = {}
    visits = Visit.objects.filter(date__range=(start, end)).exclude(status=Visit.Status.CANCELLED)
    for centre_id, day, status in visits.values_list("centre_id", "date", "status"):
        key = (centre_id, day.isocalendar().week)
        if found.get(key) != Visit.Status.DONE:
            found[key] = status
    this_week = today.isocalendar()[:2]
    rows = []
    for centre in Centre.objects.filter(active=True):
        cells = []
        for week in range(1, weeks + 1):
            state = found.get((centre.pk, week))
            if state is None:
                state = "gap" if (year, week) <= this_week else "open"
            cells.append(state)
        rows.append(CoverageRow(centre, cells))
    return rows


def gaps(today: date) -> dict[str, list[Centre]]:
    """Active centres with no visit done or planned this week and next week."""
    this_monday = today - timedelta(days=today.weekday())
    result = {}
    for label, monday in (("this_week", this_monday), ("next_week", this_monday + timedelta(7))):
        covered = Visit.objects.filter(
            date__range=(monday, monday + timedelta(days=6)),
            status__in=[Visit.Status.PLANNED, Visit.Status.DONE],
        ).values("centre_id")
        result[label] = list(Centre.objects.filter(active=True).exclude(pk__in=covered))
    return result


def join(visit: Visit, *, by) -> None:
    """Add `by` to the visitors of a planned visit (permissions.may_join_visit). The
    visit is locked and read again, so that a report started meanwhile is seen."""
    permissions.require_join_visit(by, visit)
    with transaction.atomic():
        locked = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("report")
            .prefetch_related("visitors")
            .get(pk=visit.pk)
        )
        permissions.require_join_visit(by, locked)
        locked.visitors.add(by)
        Visit.objects.filter(pk=visit.pk).update(version=F("version") + 1)


# The counts of a report: who is counted among the people met.
COUNT_HELP = {
    "families": _("Families met, at most the number of people met."),
    "minors_claimed": _("People met who say they are minors, at most the number of people met."),
}
COUNTS_WITHIN_PEOPLE_MET = {
    "families": _("There cannot be more families than people met."),
    "minors_claimed": _("There cannot be more people who say they are minors than people met."),
}


def count_errors(people_met, **counts) -> dict[str, str]:
    """The counts given (families, minors_claimed) that exceed the people met, with
    what to say to the person: {field name: message}. A count not given (None) is
    left alone, so that a draft keeps what is valid."""
    if people_met is None:
        return {}
    return {
        name: COUNTS_WITHIN_PEOPLE_MET[name]
        for name, value in counts.items()
        if value is not None and value > people_met
    }
