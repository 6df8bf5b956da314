"""The report list: one page of the reports a person may read, filtered, newest visit
first. Pages follow each other by the last row seen (no OFFSET that grows with the page
number), on the report's own copies of its visit's day and centre: the sort, the cursor
and the filters read the reports table alone, along the index (visit_date, id) or one
that starts with the status or the centre. The observations of the rows shown are
counted in one query of their own."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from visits.models import Observation, Visit, VisitReport

# Not shown in the list, and long.
UNLISTED = ["general_conditions", "atmosphere", "search_vector", "checked_content"]
# The visit's fields that the report copies: visit field → report attribute.
VISIT_COPIES = {"id": "visit_id", "date": "visit_date", "centre_id": "centre_id"}


@dataclass
class Page:
    reports: list[VisitReport]
    following: str | None  # the cursor of the next page, None on the last one


def report_page(user, form, cursor: str | None, size: int = 50) -> Page:
    reports = form.apply(VisitReport.objects.visible_to(user))
    reports = _after(reports, cursor)
    rows = list(reports.defer(*UNLISTED).order_by("-visit_date", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    counts = dict(
        Observation.objects.filter(report__in=rows)
        .order_by()
        .values_list("report")
        .annotate(count=Count("pk"))
    )
    _attach_relations(rows, form)
    for row in rows:
        row.observation_count = counts.get(row.pk, 0)
    following = f"{rows[-1].visit_date.isoformat()}_{rows[-1].pk}" if more else None
    return Page(rows, following)


def _after(reports, cursor):
    """Rows after the cursor "<visit date>_<pk>"; an unreadable cursor starts over."""
    try:
        day, pk = cursor.split("_")
        day, pk = date.fromisoformat(day), int(pk)
    except (AttributeError, ValueError):
        return reports
    # visit_date <= day bounds the index scan; the rest drops that day's rows already seen.
    return reports.filter(Q(visit_date__lte=day), Q(visit_date__lt=day) | Q(pk__lt=pk))


def _attach_relations(rows, form) -> None:
    """Each row's centre and organisation taken from the filter form's choices, which
    the page reads anyway, and its visit rebuilt from the copies of the visit's day and
    centre (its other fields load if asked for). The page's query thus joins nothing:
    with joins, PostgreSQL misjudged some filters and read all the visits (measured at
    100,000 reports with `manage.py bench_reports`)."""
    centres = _by_pk(form.fields["centre"].queryset, {row.centre_id for row in rows})
    organisations = _by_pk(form.organisations, {row.organisation_id for row in rows})
    # from_db() matches the values to the model's fields by position: the names go in
    # the fields' order (a day given in the centre's place once left the date empty).
    names = [f.attname for f in Visit._meta.concrete_fields if f.attname in VISIT_COPIES]
    for row in rows:
        row.centre = centres[row.centre_id]
        row.organisation = organisations[row.organisation_id]
        row.visit = Visit.from_db(
            row._state.db, names, [getattr(row, VISIT_COPIES[name]) for name in names]
        )
        row.visit.centre = row.centre


def _by_pk(choices, wanted: set) -> dict:
    """The wanted rows among the choices already read, the others (none, usually) in
    one more query."""
    found = {item.pk: item for item in choices}
    missing = wanted - found.keys()
    return found | choices.model.objects.in_bulk(missing) if missing else found
