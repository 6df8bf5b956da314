"""Belgian legal time limits (Aliens Act art. 39/57 §2; Judicial Code art. 52–54).

`due(notified_on, days)`: counting starts the day after notification, the last day is
included, and a last day falling on a Saturday, a Sunday or a legal public holiday (the
`holidays` library, country BE) moves to the next working day. A limit in hours runs
from the moment of notification, holidays or not (`due_in_hours`), and says so.

`explain` gives the same dates with the reason for each move, in the reader's language
("21 July: national holiday"), for the calculator page and the request's deadlines.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

import holidays
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# `holidays` also lists Easter Sunday and Whit Sunday: they are Sundays, not legal public
# holidays (the royal decree of 18 April 1974 names ten days). A move over them is
# explained by the Sunday, never by a holiday that the law does not know.
NOT_LEGAL_HOLIDAYS = frozenset({"Easter Sunday", "Pentecost"})

# A deadline this close stands out on a request and in the queue.
SOON = timedelta(hours=48)


@cache
def _holidays_of(year: int) -> dict[date, str]:
    # English names: the reason shown is translated from them (HOLIDAY_NAMES).
    listed = holidays.country_holidays("BE", years=year, language="en_US").items()
    return {day: name for day, name in listed if name not in NOT_LEGAL_HOLIDAYS}


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


def _as_date(day) -> date:
    # A datetime is a date too, but it would never match a holiday: keep its local day.
    if isinstance(day, datetime):
        return timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day


def due(notified_on: date, days: int) -> date:
    """The last day to act on a decision notified on `notified_on` with `days` days."""
    if days < 1:
        raise ValueError("A time limit counts at least one day.")
    return next_working_day(_as_date(notified_on) + timedelta(days=days))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the service level: a first answer
    within 2 working days of the request)."""
    day = _as_date(start)
    for _count in range(days):
        day = next_working_day(day + timedelta(days=1))
    return day


def due_in_hours(notified_at: datetime, hours: int) -> datetime:
    """A limit in hours runs from the moment of notification, hour for hour, weekends
    and holidays included. When the clocks change in between, the hours elapsed and the
    hour on the clock differ by one: the earlier of the two is the limit, so that the
    page never gives an hour too late."""
    if hours < 1:
        raise ValueError("A time limit counts at least one hour.")
    on_the_clock = notified_at + timedelta(hours=hours)
    if timezone.is_naive(notified_at):
        return on_the_clock
    elapsed = notified_at.astimezone(UTC) + timedelta(hours=hours)
    earlier = min(on_the_clock.astimezone(UTC), elapsed)
    return earlier.astimezone(notified_at.tzinfo)


def clocks_change_between(start: datetime, end: datetime) -> bool:
    return timezone.is_aware(start) and start.utcoffset() != end.utcoffset()


def is_due_soon(due_at: datetime, now: datetime | None = None) -> bool:
    """Still ahead, and within 48 hours: the deadline stands out."""
    now = now or timezone.now()
    return now <= due_at <= now + SOON


def has_passed(due_at: datetime, now: datetime | None = None) -> bool:
    return due_at < (now or timezone.now())


# The holidays' names, as `holidays` gives them in English, translated for the reason.
HOLIDAY_NAMES = {
    "New Year's Day": lambda: _("New Year's Day"),
    "Easter Monday": lambda: _("Easter Monday"),
    "Labor Day": lambda: _("Labour Day"),
    "Ascension Day": lambda: _("Ascension Day"),
    "Pentecost Monday": lambda: _("Whit Monday"),
    "National Day": lambda: _("national holiday"),
    "Assumption Day": lambda: _("Assumption Day"),
    "All Saints' Day": lambda: _("All Saints' Day"),
    "Armistice Day": lambda: _("Armistice Day"),
    "Christmas Day": lambda: _("Christmas Day"),
}


def _weekday_name(day: date) -> str:
    return formats.date_format(day, "l")


def day_label(day: date) -> str:
    """Why `day` is not a working day: its holiday, its weekday, or both ("Saturday,
    All Saints' Day"); empty for a working day."""
    name = holiday_name(day)
    holiday = None
    if name is not None:
        translated = HOLIDAY_NAMES.get(name)
        holiday = translated() if translated else name
    if day.weekday() >= 5:
        weekday = _weekday_name(day)
        if holiday:
            return _("%(weekday)s, %(holiday)s") % {"weekday": weekday, "holiday": holiday}
        return weekday
    return holiday or ""


def _short(day: date) -> str:
    return formats.date_format(day, "MONTH_DAY_FORMAT")


@dataclass
class Result:
    """A due date and why it is that day."""

    due_on: date
    due_at: datetime | None = None  # hour rules only
    last_counted_day: date | None = None
    moves: list[str] = field(default_factory=list)  # one line per day skipped
    notes: list[str] = field(default_factory=list)  # hour rules: why it is not moved

    @property
    def moved(self) -> bool:
        return bool(self.moves)

    @property
    def in_hours(self) -> bool:
        return self.due_at is not None

    @property
    def reason(self) -> str:
        # The days skipped are a list ("; "); the notes are sentences of their own.
        return " ".join(part for part in ("; ".join(self.moves), " ".join(self.notes)) if part)


def explain(notified_on: date, days: int) -> Result:
    """`due` with the reason for each day the last day moved over."""
    notified_on = _as_date(notified_on)
    last = notified_on + timedelta(days=days)
    result = Result(due_on=due(notified_on, days), last_counted_day=last)
    day = last
    while day < result.due_on:
        result.moves.append(_("%(day)s: %(why)s") % {"day": _short(day), "why": day_label(day)})
        day += timedelta(days=1)
    return result


def explain_hours(notified_at: datetime, hours: int) -> Result:
    """`due_in_hours`, saying that it is not moved, even when it ends on a day off."""
    moment = due_in_hours(notified_at, hours)
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    result = Result(due_on=local.date(), due_at=moment)
    result.notes.append(
        _(
            "Counted in hours from the moment of notification, not moved: weekends and "
            "public holidays count."
        )
    )
    if not is_working_day(local.date()):
        result.notes.append(
            _("It ends on a day off (%(day)s: %(why)s): it is not moved.")
            % {"day": _short(local.date()), "why": day_label(local.date())}
        )
    if clocks_change_between(notified_at, moment):
        result.notes.append(
            _("The clocks change in between: the earlier of the two possible hours is given.")
        )
    return result
