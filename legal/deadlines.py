"""Belgian legal time limits (Aliens Act art. 39/57 §2; Judicial Code art. 52–54).

`due(notified_on, days)`: counting starts the day after notification, the last day is
included, and a last day falling on a Saturday, a Sunday or a legal public holiday (the
`holidays` library, country BE) moves to the next working day. A limit in hours runs
from the moment of notification, holidays or not (`due_in_hours`), and says so.

`explain` gives the same dates with the reason for each move, in the reader's language
("21 July: national holiday"), for the calculator page and the request's deadlines.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import holidays
from django.utils import formats, timezone
from django.utils.translation import gettext as _


@cache
def _holidays_of(year: int) -> dict[date, str]:
    # English names: the reason shown is translated from them (HOLIDAY_NAMES).
    return dict(holidays.country_holidays("BE", years=year, language="en_US").items())


def holiday_name(day: date) -> str | None:
    """The Belgian legal public holiday on `day`, in English, or None."""
    return _holidays_of(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, otherwise the first one after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due(notified_on: date, days: int) -> date:
    """The last day to act on a decision notified on `notified_on` with `days` days."""
    if days < 1:
        raise ValueError("A time limit counts at least one day.")
    return next_working_day(notified_on + timedelta(days=days))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the service level: a first answer
    within 2 working days of the request)."""
    day = start
    for _count in range(days):
        day = next_working_day(day + timedelta(days=1))
    return day


def due_in_hours(notified_at: datetime, hours: int) -> datetime:
    """A limit in hours runs from the moment of notification, hour for hour."""
    if hours < 1:
        raise ValueError("A time limit counts at least one hour.")
    return notified_at + timedelta(hours=hours)


# The holidays' names, as `holidays` gives them in English, translated for the reason.
HOLIDAY_NAMES = {
    "New Year's Day": lambda: _("New Year's Day"),
    "Easter Sunday": lambda: _("Easter Sunday"),
    "Easter Monday": lambda: _("Easter Monday"),
    "Labor Day": lambda: _("Labour Day"),
    "Ascension Day": lambda: _("Ascension Day"),
    "Pentecost": lambda: _("Whit Sunday"),
    "Pentecost Monday": lambda: _("Whit Monday"),
    "National Day": lambda: _("national holiday"),
    "Assumption Day": lambda: _("Assumption Day"),
    "All Saints' Day": lambda: _("All Saints' Day"),
    "Armistice Day": lambda: _("Armistice Day"),
    "Christmas Day": lambda: _("Christmas Day"),
}


def _day_label(day: date) -> str:
    name = holiday_name(day)
    if name is not None:
        translated = HOLIDAY_NAMES.get(name)
        return translated() if translated else name
    return _("Saturday") if day.weekday() == 5 else _("Sunday")


@dataclass
class Result:
    """A due date and why it is that day."""

    due_on: date
    due_at: datetime | None = None  # hour rules only
    last_counted_day: date | None = None
    moves: list[str] = field(default_factory=list)  # one line per day skipped

    @property
    def moved(self) -> bool:
        return bool(self.moves)

    @property
    def reason(self) -> str:
        return "; ".join(self.moves)


def explain(notified_on: date, days: int) -> Result:
    """`due` with the reason for each day the last day moved over."""
    last = notified_on + timedelta(days=days)
    result = Result(due_on=due(notified_on, days), last_counted_day=last)
    day = last
    while day < result.due_on:
        result.moves.append(
            _("%(day)s: %(why)s") % {"day": formats.date_format(day, "j F"), "why": _day_label(day)}
        )
        day += timedelta(days=1)
    return result


def explain_hours(notified_at: datetime, hours: int) -> Result:
    moment = due_in_hours(notified_at, hours)
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    result = Result(due_on=local.date(), due_at=moment)
    result.moves.append(
        _("Counted in hours from the moment of notification: weekends and holidays do not move it.")
    )
    return result
