"""The detention clock (Aliens Act of 15 December 1980, art. 7, 27, 29, 74/5-74/6):
how long the current detention has lasted and which legal maximum comes next.

The count starts with the latest detention order: a transfer between centres continues
it, a new order restarts it (Kabongo v. Belgium). Months are counted from date to date;
a start on the 31st reaches a shorter month on its last day (31 December + 2 months =
28 or 29 February).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

# Days before a maximum from which the case file warns.
WARN_DAYS = 14
# From the second maximum passed on (four months, save for Dublin), a detention goes on
# only by an exceptional extension (art. 7: after one extension, by the Minister alone):
# the case file warns until the detention ends, whatever the next maximum.
EXCEPTIONAL_AFTER = 2

# Legal ground → the successive maxima, in months (Dublin: weeks).
MAXIMA_MONTHS = {
    "irregular_stay": (2, 4, 5),
    "border": (2, 4, 5),
    "public_order": (2, 4, 5, 8),
    "border_public_order": (2, 4, 5, 8),
}
DUBLIN_WEEKS = 6


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def maxima(ground: str, start: date) -> list[tuple[date, str]]:
    """The dates on which each successive maximum is reached, with its label."""
    if ground == "dublin":
        return [(start + timedelta(weeks=DUBLIN_WEEKS), str(_("6 weeks")))]
    months = MAXIMA_MONTHS.get(ground, MAXIMA_MONTHS["irregular_stay"])
    return [(add_months(start, n), str(_("%(n)s months") % {"n": n})) for n in months]


@dataclass(frozen=True)
class Clock:
    count_start: date  # the latest detention order
    until: date  # today, or the day the detention ended
    ongoing: bool
    ground: str
    days: int
    next_limit: tuple[date, str] | None  # the next maximum not reached yet
    # "ok"; "warning": a maximum within WARN_DAYS, or past the second one (exceptional);
    # "danger": every maximum passed.
    level: str
    passed: list[tuple[date, str]]
    exceptional: bool = False  # ongoing past the EXCEPTIONAL_AFTER-th maximum


def clock(spells, today: date) -> Clock | None:
    """From a person's spells (any order), the clock of their latest detention."""
    ordered = sorted(spells, key=lambda spell: (spell.start, spell.pk or 0))
    if not ordered:
        return None
    latest = ordered[-1]
    start_index = len(ordered) - 1
    # Walk back through transfers to the spell that carried the detention order.
    while start_index > 0 and not ordered[start_index].new_order:
        start_index -= 1
    order = ordered[start_index]
    ongoing = latest.end is None
    until = today if ongoing else latest.end
    limits = maxima(order.ground, order.start)
    passed = [limit for limit in limits if limit[0] <= until]
    upcoming = [limit for limit in limits if limit[0] > until]
    next_limit = upcoming[0] if upcoming else None
    exceptional = ongoing and next_limit is not None and len(passed) >= EXCEPTIONAL_AFTER
    if not ongoing:
        level = "ok"
    elif next_limit is None:
        level = "danger"
    elif exceptional or (next_limit[0] - until).days <= WARN_DAYS:
        level = "warning"
    else:
        level = "ok"
    return Clock(
        count_start=order.start,
        until=until,
        ongoing=ongoing,
        ground=order.ground,
        days=(until - order.start).days,
        next_limit=next_limit,
        level=level,
        passed=passed,
        exceptional=exceptional,
    )
