"""The deadline core (legal/deadlines.py) against a table written by hand from a
printed calendar: every Belgian legal public holiday in 2025, 2026 and 2027, year ends,
chains of days off, and limits in hours. No expected date is computed by the code
under test.

Calendar notes used below (weekday of each holiday):
  2025: 1 Jan Wed · Easter Mon 21 Apr · 1 May Thu · Ascension Thu 29 May · Whit Mon 9 Jun ·
        21 Jul Mon · 15 Aug Fri · 1 Nov Sat · 11 Nov Tue · 25 Dec Thu
  2026: 1 Jan Thu · Easter Mon 6 Apr · 1 May Fri · Ascension Thu 14 May · Whit Mon 25 May ·
        21 Jul Tue · 15 Aug Sat · 1 Nov Sun · 11 Nov Wed · 25 Dec Fri
  2027: 1 Jan Fri · Easter Mon 29 Mar · 1 May Sat · Ascension Thu 6 May · Whit Mon 17 May ·
        21 Jul Wed · 15 Aug Sun · 1 Nov Mon · 11 Nov Thu · 25 Dec Sat
  2020: 25 Dec Fri; 2021: 1 Jan Fri; 2028: 1 Jan Sat, 29 Feb Tue.
"""

import zoneinfo
from datetime import date, datetime, timedelta

import holidays
import pytest
from django.utils import translation

from legal import deadlines
from legal.deadlines import due

D = date
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")

# (notified on, days, due) — each row says in its id why.
TABLE = [
    # --- 2025 --------------------------------------------------------------------------
    pytest.param(D(2024, 12, 22), 10, D(2025, 1, 2), id="2025-new-year-wed-to-thu"),
    pytest.param(D(2025, 4, 11), 10, D(2025, 4, 22), id="2025-easter-monday-to-tue"),
    pytest.param(D(2025, 4, 14), 5, D(2025, 4, 22), id="2025-sat-easter-sun-easter-mon-chain"),
    pytest.param(D(2025, 4, 21), 10, D(2025, 5, 2), id="2025-labour-day-thu-to-fri"),
    pytest.param(D(2025, 5, 19), 10, D(2025, 5, 30), id="2025-ascension-thu-to-fri"),
    pytest.param(D(2025, 6, 4), 5, D(2025, 6, 10), id="2025-whit-monday-to-tue"),
    pytest.param(D(2025, 6, 3), 5, D(2025, 6, 10), id="2025-whit-sunday-then-monday"),
    pytest.param(D(2025, 7, 11), 10, D(2025, 7, 22), id="2025-national-day-mon-to-tue"),
    pytest.param(D(2025, 8, 5), 10, D(2025, 8, 18), id="2025-assumption-fri-weekend-chain"),
    pytest.param(D(2025, 10, 22), 10, D(2025, 11, 3), id="2025-all-saints-on-saturday"),
    pytest.param(D(2025, 11, 1), 10, D(2025, 11, 12), id="2025-armistice-tue-notified-on-sat"),
    pytest.param(D(2025, 10, 12), 30, D(2025, 11, 12), id="2025-armistice-30-days"),
    pytest.param(D(2025, 12, 15), 10, D(2025, 12, 26), id="2025-christmas-thu-26-dec-works"),
    pytest.param(D(2025, 12, 21), 10, D(2025, 12, 31), id="2025-31-december-is-a-working-day"),
    # --- year end 2025 → 2026 ------------------------------------------------------------
    pytest.param(D(2025, 12, 22), 10, D(2026, 1, 2), id="2026-new-year-thu-to-fri"),
    pytest.param(D(2025, 12, 2), 30, D(2026, 1, 2), id="2026-new-year-30-days"),
    # --- 2026 --------------------------------------------------------------------------
    pytest.param(D(2026, 3, 27), 10, D(2026, 4, 7), id="2026-easter-monday-to-tue"),
    pytest.param(D(2026, 3, 30), 5, D(2026, 4, 7), id="2026-sat-easter-sun-easter-mon-chain"),
    pytest.param(D(2026, 3, 6), 30, D(2026, 4, 7), id="2026-30-days-on-easter-sunday"),
    pytest.param(D(2026, 4, 21), 10, D(2026, 5, 4), id="2026-labour-day-fri-weekend-chain"),
    pytest.param(D(2026, 5, 4), 10, D(2026, 5, 15), id="2026-ascension-thu-bridge-fri-works"),
    pytest.param(D(2026, 5, 9), 5, D(2026, 5, 15), id="2026-ascension-5-days-from-saturday"),
    pytest.param(D(2026, 5, 15), 10, D(2026, 5, 26), id="2026-whit-monday-to-tue"),
    pytest.param(D(2026, 5, 18), 5, D(2026, 5, 26), id="2026-sat-whit-sun-whit-mon-chain"),
    pytest.param(D(2026, 7, 11), 10, D(2026, 7, 22), id="2026-national-day-tue-to-wed"),
    pytest.param(D(2026, 7, 16), 5, D(2026, 7, 22), id="2026-national-day-5-days"),
    pytest.param(D(2026, 7, 18), 3, D(2026, 7, 22), id="2026-notified-on-saturday"),
    pytest.param(D(2026, 7, 20), 1, D(2026, 7, 22), id="2026-one-day-onto-national-day"),
    pytest.param(D(2026, 7, 10), 1, D(2026, 7, 13), id="2026-one-day-onto-saturday"),
    pytest.param(D(2026, 8, 5), 10, D(2026, 8, 17), id="2026-assumption-on-saturday"),
    pytest.param(D(2026, 10, 22), 10, D(2026, 11, 2), id="2026-all-saints-on-sunday"),
    pytest.param(D(2026, 10, 21), 10, D(2026, 11, 2), id="2026-sat-then-all-saints-sunday"),
    pytest.param(D(2026, 11, 1), 10, D(2026, 11, 12), id="2026-armistice-wed-to-thu"),
    pytest.param(D(2026, 12, 15), 10, D(2026, 12, 28), id="2026-christmas-on-friday"),
    pytest.param(D(2026, 12, 21), 10, D(2026, 12, 31), id="2026-31-december-thursday"),
    pytest.param(D(2026, 12, 26), 5, D(2026, 12, 31), id="2026-from-saturday-to-31-december"),
    # --- year end 2026 → 2027 ------------------------------------------------------------
    pytest.param(D(2026, 12, 22), 10, D(2027, 1, 4), id="2027-new-year-fri-weekend-chain"),
    pytest.param(D(2026, 12, 27), 5, D(2027, 1, 4), id="2027-new-year-5-days"),
    pytest.param(D(2026, 12, 2), 30, D(2027, 1, 4), id="2027-new-year-30-days"),
    # --- 2027 --------------------------------------------------------------------------
    pytest.param(D(2027, 3, 19), 10, D(2027, 3, 30), id="2027-easter-monday-to-tue"),
    pytest.param(D(2027, 3, 17), 10, D(2027, 3, 30), id="2027-sat-easter-sun-easter-mon"),
    pytest.param(D(2027, 4, 21), 10, D(2027, 5, 3), id="2027-labour-day-on-saturday"),
    pytest.param(D(2027, 4, 26), 10, D(2027, 5, 7), id="2027-ascension-thu-to-fri"),
    pytest.param(D(2027, 5, 7), 10, D(2027, 5, 18), id="2027-whit-monday-to-tue"),
    pytest.param(D(2027, 7, 11), 10, D(2027, 7, 22), id="2027-national-day-wed-to-thu"),
    pytest.param(D(2027, 8, 5), 10, D(2027, 8, 16), id="2027-assumption-on-sunday"),
    pytest.param(D(2027, 10, 22), 10, D(2027, 11, 2), id="2027-all-saints-mon-to-tue"),
    pytest.param(D(2027, 10, 20), 10, D(2027, 11, 2), id="2027-sat-sun-all-saints-chain"),
    pytest.param(D(2027, 11, 1), 10, D(2027, 11, 12), id="2027-armistice-thu-to-fri"),
    pytest.param(D(2027, 12, 15), 10, D(2027, 12, 27), id="2027-christmas-on-saturday"),
    # --- year end 2027 → 2028, and a leap day ---------------------------------------------
    pytest.param(D(2027, 12, 22), 10, D(2028, 1, 3), id="2028-new-year-on-saturday"),
    pytest.param(D(2028, 1, 30), 30, D(2028, 2, 29), id="2028-leap-day-tuesday"),
    # --- Christmas on a Friday in another year, and the year end after it ------------------
    pytest.param(D(2020, 12, 15), 10, D(2020, 12, 28), id="2020-christmas-on-friday"),
    pytest.param(D(2020, 12, 22), 10, D(2021, 1, 4), id="2021-new-year-on-friday"),
    # --- working days: nothing moves ------------------------------------------------------
    pytest.param(D(2026, 3, 2), 10, D(2026, 3, 12), id="2026-plain-thursday"),
    pytest.param(D(2026, 6, 1), 30, D(2026, 7, 1), id="2026-plain-30-days"),
]


@pytest.mark.parametrize(("notified_on", "days", "expected"), TABLE)
def test_due_matches_the_hand_written_table(notified_on, days, expected):
    assert due(notified_on, days) == expected


def test_the_table_is_large_enough():
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("notified_on", "days", "expected"), TABLE)
def test_explain_gives_the_same_day_as_due(notified_on, days, expected):
    result = deadlines.explain(notified_on, days)
    assert result.due_on == expected
    assert result.last_counted_day == notified_on + timedelta(days=days)
    assert result.moved == (expected != notified_on + timedelta(days=days))


# Each Belgian legal public holiday, hand-dated, in three years (2026 and 2027 below, 2025
# in the table above): none is a working day, and each is named as the law names it.
LEGAL_HOLIDAYS = [
    (D(2026, 1, 1), "New Year's Day"),
    (D(2026, 4, 6), "Easter Monday"),
    (D(2026, 5, 1), "Labour Day"),
    (D(2026, 5, 14), "Ascension Day"),
    (D(2026, 5, 25), "Whit Monday"),
    (D(2026, 7, 21), "national holiday"),
    (D(2026, 8, 15), "Assumption Day"),
    (D(2026, 11, 1), "All Saints' Day"),
    (D(2026, 11, 11), "Armistice Day"),
    (D(2026, 12, 25), "Christmas Day"),
    (D(2027, 1, 1), "New Year's Day"),
    (D(2027, 3, 29), "Easter Monday"),
    (D(2027, 5, 1), "Labour Day"),
    (D(2027, 5, 6), "Ascension Day"),
    (D(2027, 5, 17), "Whit Monday"),
    (D(2027, 7, 21), "national holiday"),
    (D(2027, 8, 15), "Assumption Day"),
    (D(2027, 11, 1), "All Saints' Day"),
    (D(2027, 11, 11), "Armistice Day"),
    (D(2027, 12, 25), "Christmas Day"),
]


@pytest.mark.parametrize(("day", "name"), LEGAL_HOLIDAYS)
def test_every_legal_holiday_is_a_day_off_named_in_the_reason(day, name):
    assert not deadlines.is_working_day(day)
    with translation.override("en"):
        assert name in deadlines.day_label(day)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2026, 4, 5), "Sunday"),  # Easter Sunday: a Sunday, not a legal holiday
        (D(2026, 5, 24), "Sunday"),  # Whit Sunday
        (D(2027, 3, 28), "Sunday"),
        (D(2027, 5, 16), "Sunday"),
    ],
)
def test_easter_and_whit_sunday_are_named_as_sundays(day, label):
    with translation.override("en"):
        assert deadlines.day_label(day) == label
    assert deadlines.holiday_name(day) is None
    assert not deadlines.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [D(2025, 12, 26), D(2026, 12, 24), D(2026, 12, 31), D(2026, 5, 15), D(2026, 11, 2)],
)
def test_days_around_holidays_are_working_days(day):
    # Boxing Day, Christmas Eve, New Year's Eve, the bridge after Ascension, All Souls.
    assert deadlines.is_working_day(day)


def test_the_library_lists_ten_legal_holidays_a_year_each_with_its_name():
    """An upgrade of `holidays` that renames or adds a day fails here, not on a page."""
    for year in range(2020, 2036):
        listed = holidays.country_holidays("BE", years=year, language="en_US")
        legal = {day: name for day, name in listed.items() if deadlines.holiday_name(day)}
        assert len(legal) == 10, year
        assert set(legal.values()) <= set(deadlines.HOLIDAY_NAMES), year
        for day, name in listed.items():
            if name in deadlines.NOT_LEGAL_HOLIDAYS:
                assert day.weekday() == 6, (year, name)


# The reason, in English, for rows of the table: each day skipped, named.
REASONS = [
    (D(2026, 7, 16), 5, "21 July: national holiday"),
    (D(2025, 10, 22), 10, "1 November: Saturday, All Saints' Day; 2 November: Sunday"),
    (D(2026, 3, 30), 5, "4 April: Saturday; 5 April: Sunday; 6 April: Easter Monday"),
    (D(2026, 5, 18), 5, "23 May: Saturday; 24 May: Sunday; 25 May: Whit Monday"),
    (D(2026, 4, 21), 10, "1 May: Labour Day; 2 May: Saturday; 3 May: Sunday"),
    (D(2025, 5, 19), 10, "29 May: Ascension Day"),
    (D(2026, 8, 5), 10, "15 August: Saturday, Assumption Day; 16 August: Sunday"),
    (D(2026, 10, 22), 10, "1 November: Sunday, All Saints' Day"),
    (D(2025, 11, 1), 10, "11 November: Armistice Day"),
    (
        D(2026, 12, 15),
        10,
        "25 December: Christmas Day; 26 December: Saturday; 27 December: Sunday",
    ),
    (D(2026, 12, 22), 10, "1 January: New Year's Day; 2 January: Saturday; 3 January: Sunday"),
    (D(2024, 12, 22), 10, "1 January: New Year's Day"),
    (D(2026, 3, 2), 10, ""),
]


@pytest.mark.parametrize(("notified_on", "days", "reason"), REASONS)
def test_the_reason_names_each_day_skipped(notified_on, days, reason):
    with translation.override("en"):
        assert deadlines.explain(notified_on, days).reason == reason


def test_the_reason_is_in_the_readers_language():
    with translation.override("fr"):
        french = deadlines.explain(D(2025, 10, 22), 10).reason
    with translation.override("nl"):
        dutch = deadlines.explain(D(2025, 10, 22), 10).reason
    assert "1 novembre" in french and "samedi" in french
    assert "1 november" in dutch and "zaterdag" in dutch


def test_a_limit_counts_at_least_one_day():
    with pytest.raises(ValueError):
        due(D(2026, 3, 2), 0)


def test_a_datetime_counts_from_its_day():
    assert due(datetime(2026, 7, 16, 23, 0, tzinfo=BRUSSELS), 5) == D(2026, 7, 22)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 7, 20), 2, D(2026, 7, 23)),  # Mon → skip national day Tue → Wed, Thu
        (D(2027, 12, 24), 2, D(2027, 12, 28)),  # Fri → (Sat Christmas, Sun) → Mon, Tue
        (D(2026, 12, 31), 2, D(2027, 1, 5)),  # Thu → (Fri 1 Jan, weekend) → Mon, Tue
        (D(2026, 5, 13), 2, D(2026, 5, 18)),  # Wed → (Ascension Thu) → Fri, (weekend) Mon
        (D(2026, 3, 2), 2, D(2026, 3, 4)),
    ],
)
def test_add_working_days(start, days, expected):
    assert deadlines.add_working_days(start, days) == expected


# --- Limits in hours -----------------------------------------------------------------------


def at(*args):
    return datetime(*args, tzinfo=BRUSSELS)


HOURS = [
    # notified at, hours, due at (Brussels), ends on a day off
    pytest.param(at(2026, 7, 17, 15, 30), 24, at(2026, 7, 18, 15, 30), True, id="fri-to-sat"),
    pytest.param(at(2026, 7, 18, 9, 0), 24, at(2026, 7, 19, 9, 0), True, id="sat-to-sun"),
    pytest.param(at(2026, 7, 20, 10, 0), 24, at(2026, 7, 21, 10, 0), True, id="onto-21-july"),
    pytest.param(at(2026, 12, 31, 18, 0), 24, at(2027, 1, 1, 18, 0), True, id="onto-new-year"),
    pytest.param(at(2026, 7, 15, 9, 0), 24, at(2026, 7, 16, 9, 0), False, id="wed-to-thu"),
    pytest.param(at(2026, 12, 24, 23, 45), 24, at(2026, 12, 25, 23, 45), True, id="christmas"),
    pytest.param(at(2026, 7, 17, 15, 30), 48, at(2026, 7, 19, 15, 30), True, id="48h-weekend"),
]


@pytest.mark.parametrize(("notified_at", "hours", "expected", "day_off"), HOURS)
def test_a_limit_in_hours_is_never_moved_and_says_so(notified_at, hours, expected, day_off):
    assert deadlines.due_in_hours(notified_at, hours) == expected
    with translation.override("en"):
        result = deadlines.explain_hours(notified_at, hours)
    assert result.due_at == expected
    assert result.due_on == expected.date()
    assert not result.moved and result.in_hours
    assert "not moved" in result.reason
    assert ("It ends on a day off" in result.reason) == day_off


def test_a_limit_in_hours_ending_on_a_holiday_names_it():
    with translation.override("en"):
        result = deadlines.explain_hours(at(2026, 7, 20, 10, 0), 24)
    assert "21 July: national holiday" in result.reason


def test_hours_across_the_spring_clock_change_give_the_earlier_hour():
    # Clocks go forward on Sunday 29 March 2026 at 02:00: 24 hours elapsed end at 13:00,
    # the clock reads 12:00 a day later — the earlier, 12:00, is the limit.
    notified = at(2026, 3, 28, 12, 0)
    assert deadlines.due_in_hours(notified, 24) == at(2026, 3, 29, 12, 0)
    with translation.override("en"):
        assert "clocks change" in deadlines.explain_hours(notified, 24).reason


def test_hours_across_the_autumn_clock_change_give_the_earlier_hour():
    # Clocks go back on Sunday 25 October 2026 at 03:00: 24 hours elapsed end at 11:00.
    assert deadlines.due_in_hours(at(2026, 10, 24, 12, 0), 24) == at(2026, 10, 25, 11, 0)


def test_a_limit_counts_at_least_one_hour():
    with pytest.raises(ValueError):
        deadlines.due_in_hours(at(2026, 3, 2, 9, 0), 0)


def test_due_soon_is_within_48_hours_ahead():
    now = at(2026, 7, 15, 12, 0)
    assert deadlines.is_due_soon(at(2026, 7, 17, 12, 0), now)
    assert not deadlines.is_due_soon(at(2026, 7, 17, 12, 1), now)
    assert not deadlines.is_due_soon(at(2026, 7, 15, 11, 59), now)
    assert deadlines.has_passed(at(2026, 7, 15, 11, 59), now)
