"""The lawyer's panel on the home page (issue 10, service level): what is due today and
in the coming week on the help desk, deadlines and first answers, each a link to its
request by code, with counts. Two queries whatever the number of requests: the rows
shown are limited and the counts come with them (window counts, before the limit)."""

from datetime import timedelta

from django.db.models import Count, Q, Window
from django.utils import timezone

from legal import reminders
from move.accounts import home, permissions

PERMISSION = "legal.answer_help_request"
# "This week": today and the six days after it, so that a Friday still shows Monday.
WEEK_DAYS = 7
HOME_ROWS = 8


def _counted(queryset, day_field: str, today):
    """Rows with how many are overdue, due today and due later, counted over every row
    the query finds (not only those shown)."""
    return queryset.annotate(
        n_overdue=Window(Count("pk", filter=Q(**{f"{day_field}__lt": today}))),
        n_today=Window(Count("pk", filter=Q(**{day_field: today}))),
        n_total=Window(Count("pk")),
    )[:HOME_ROWS]


def _summary(rows: list, day_field: str, today) -> dict:
    first = rows[0] if rows else None
    total = first.n_total if first else 0
    overdue = first.n_overdue if first else 0
    on_today = first.n_today if first else 0
    for row in rows:
        due_on = getattr(row, day_field)
        row.overdue, row.due_today = due_on < today, due_on == today
    return {
        "rows": rows,
        "total": total,
        "overdue": overdue,
        "today": on_today,
        "later": total - overdue - on_today,
        "more": total - len(rows),
    }


def due_panel(request) -> dict:
    """For legal: the deadlines not done and the first answers not given that are due by
    the end of the coming week, the overdue ones included; nearest first."""
    user = request.user
    if not permissions.has_perm(user, "legal.view_every_help_request"):
        return {"due": None}
    today = timezone.localdate()
    until = today + timedelta(days=WEEK_DAYS - 1)
    # Every request is readable to legal (permissions.readable_help_requests): the
    # deadlines need no filter of their own.
    deadlines = reminders.with_requests(reminders.open_deadlines(until))
    answers = reminders.unanswered(until).visible_to(user)
    return {
        "due": {
            "until": until,
            "deadlines": _summary(list(_counted(deadlines, "due_on", today)), "due_on", today),
            "answers": _summary(
                list(_counted(answers, "first_answer_due", today)), "first_answer_due", today
            ),
        }
    }


def register() -> None:
    home.register_panel("legal/home_due.html", due_panel, PERMISSION, 5)
