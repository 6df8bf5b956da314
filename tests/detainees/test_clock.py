"""The detention clock: month arithmetic at month ends and in leap years, the warnings
before each legal maximum, and the restart on a new detention order."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from detainees.clock import add_months, clock, maxima
from tests.conftest import sign_in
from tests.detainees.conftest import new_person


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
    # Public order: allowed up to 8 months, so 6 months is not the end yet (but past the
    # four months, it warns: see below).
    assert clock([stay(date(2024, 1, 1), ground="public_order")], date(2024, 7, 2)).level == (
        "warning"
    )


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


@pytest.mark.parametrize(
    ("ground", "today"),
    [
        ("irregular_stay", date(2024, 5, 11)),  # the day after four months
        ("irregular_stay", date(2024, 5, 20)),  # the five months are still weeks away
        ("public_order", date(2024, 7, 2)),  # six months, allowed up to eight
    ],
)
def test_past_the_four_months_the_clock_warns_until_the_detention_ends(ground, today):
    state = clock([stay(date(2024, 1, 10), ground=ground)], today)

    assert state.level == "warning"
    assert state.exceptional
    assert [label for _day, label in state.passed][-1] in ("4 months", "5 months")


def test_between_two_and_four_months_the_clock_warns_only_near_the_next_limit():
    start = date(2024, 1, 10)
    assert clock([stay(start)], date(2024, 3, 20)).exceptional is False
    assert clock([stay(start)], date(2024, 5, 9)).level == "warning"  # a day before four
    ended = clock([stay(start, end=date(2024, 6, 1))], date(2024, 7, 1))
    assert (ended.level, ended.exceptional) == ("ok", False)


def _clock_section(client, user, person):
    sign_in(client, user)
    html = client.get(reverse("detainees:person-detail", args=[person.key])).content.decode()
    return html.split('<section class="panel clock')[1].split("</section>")[0]


@pytest.mark.django_db
def test_the_case_file_warns_in_colour_and_in_words_past_four_months(
    client, visitor_a, org_a, centre
):
    person = new_person(visitor_a, org_a, centre, since=130)

    section = _clock_section(client, visitor_a, person)

    assert section.startswith(" clock-warning")
    assert 'role="alert"><strong>Past the limit:</strong> the 4 months limit has passed' in section
    assert "The 5 months limit is reached on" in section


@pytest.mark.django_db
def test_the_case_file_says_past_the_last_limit_in_words(client, visitor_a, org_a, centre):
    person = new_person(visitor_a, org_a, centre, since=200)

    section = _clock_section(client, visitor_a, person)

    assert section.startswith(" clock-danger")
    assert "<strong>Past the limit: The legal maximum has passed.</strong>" in section


@pytest.mark.django_db
def test_a_quiet_clock_says_no_warning(client, visitor_a, org_a, centre):
    person = new_person(visitor_a, org_a, centre, since=20)

    section = _clock_section(client, visitor_a, person)

    assert section.startswith(" clock-ok")
    assert "Warning" not in section and "Past the limit" not in section
    assert 'role="alert"' not in section
