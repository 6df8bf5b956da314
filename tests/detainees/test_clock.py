"""The detention clock: month arithmetic at month ends and in leap years, the warnings
before each legal maximum, and the restart on a new detention order."""

from datetime import date
from types import SimpleNamespace

import pytest

from detainees.clock import add_months, clock, maxima


def stay(start, end=None, ground="irregular_stay", new_order=True, pk=None):
    return SimpleNamespace(start=start, end=end, ground=ground, new_order=new_order, pk=pk)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # leap year: 29 February
        (date(2022, 12, 31), 2, date(2023, 2, 28)),  # common year: 28 February
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2023, 8, 31), 4, date(2023, 12, 31)),
        (date(2023, 10, 31), 4, date(2024, 2, 29)),
        (date(2023, 11, 15), 5, date(2024, 4, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 1), 2, date(2024, 5, 1)),
    ],
)
def test_months_are_counted_from_date_to_date_and_clamped_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_the_maxima_are_2_4_and_5_months_and_8_for_public_order():
    start = date(2024, 1, 31)
    assert [day for day, _ in maxima("irregular_stay", start)] == [
        date(2024, 3, 31),
        date(2024, 5, 31),
        date(2024, 6, 30),
    ]
    assert maxima("public_order", start)[-1][0] == date(2024, 9, 30)
    assert maxima("dublin", start)[0][0] == date(2024, 3, 13)  # six weeks


def test_the_clock_warns_two_weeks_before_the_two_month_limit():
    spells = [stay(date(2023, 12, 31))]
    quiet = clock(spells, date(2024, 2, 14))
    assert quiet.level == "ok" and quiet.days == 45
    warned = clock(spells, date(2024, 2, 15))
    assert warned.level == "warning"
    assert warned.next_limit[0] == date(2024, 2, 29)


def test_after_the_two_months_the_next_limit_is_four_months_and_the_passed_one_is_named():
    state = clock([stay(date(2024, 1, 10))], date(2024, 3, 20))
    assert state.next_limit[0] == date(2024, 5, 10)
    assert [day for day, _ in state.passed] == [date(2024, 3, 10)]
    assert state.level == "ok"


def test_beyond_the_last_maximum_the_clock_is_in_danger():
    assert clock([stay(date(2024, 1, 1))], date(2024, 6, 2)).level == "danger"
    # Public order: allowed up to 8 months, so 6 months is not the end yet.
    assert clock([stay(date(2024, 1, 1), ground="public_order")], date(2024, 7, 2)).level == "ok"


def test_a_transfer_continues_the_count_and_a_new_order_restarts_it():
    first = stay(date(2024, 1, 1), end=date(2024, 2, 1), pk=1)
    transferred = stay(date(2024, 2, 1), new_order=False, pk=2)
    assert clock([transferred, first], date(2024, 2, 20)).count_start == date(2024, 1, 1)
    renewed = stay(date(2024, 2, 1), new_order=True, pk=2)
    state = clock([first, renewed], date(2024, 2, 20))
    assert state.count_start == date(2024, 2, 1)
    assert state.days == 19


def test_an_ended_detention_shows_its_length_and_warns_no_more():
    state = clock([stay(date(2024, 1, 1), end=date(2024, 2, 28))], date(2025, 1, 1))
    assert not state.ongoing and state.days == 58 and state.level == "ok"


def test_no_spell_no_clock():
    assert clock([], date(2024, 1, 1)) is None
