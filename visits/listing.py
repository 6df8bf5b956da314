"""The report list: one page of the reports a person may read, filtered, newest visit
first. Pages follow each other by the last row seen (no OFFSET that grows with the page
number); the observations of the rows shown are counted in one query of their own."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from visits.models import Observation, VisitReport


@dataclass
class Page:
    reports: list[VisitReport]
    following: str | None  # the cursor of the next page, None on the last one


def report_page(user, form, cursor: str | None, size: int = 50) -> Page:
    reports = form.apply(VisitReport.objects.visible_to(user))
    reports = _after(reports, cursor)
    rows = list(
        reports.select_related("visit__centre", "organisation").order_by("-visit__date", "-pk")[
            : size + 1
        ]
    )
    more = len(rows) > size
    rows = rows[:size]
    counts = dict(
        Observation.objects.filter(report__in=rows)
        .values_list("report")
        .annotate(count=Count("pk"))
    )
    for row in rows:
        row.observation_count = counts.get(row.pk, 0)
    following = f"{rows[-1].visit.date.isoformat()}_{rows[-1].pk}" if more else None
    return Page(rows, following)


def _after(reports, cursor):
    """Rows after the cursor "<visit date>_<pk>"; an unreadable cursor starts over."""
    try:
        day, pk = cursor.split("_")
        day, pk = date.fromisoformat(day), int(pk)
    except (AttributeError, ValueError):
        return reports
    return reports.filter(Q(visit__date__lt=day) | Q(visit__date=day, pk__lt=pk))
