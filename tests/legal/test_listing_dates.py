"""The queue's days (legal/templatetags/legal_listing.py) are written as the date filter
writes "j M Y", in every language, without calling it once per day."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template import Context
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from legal.templatetags.legal_listing import _Moments

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_each_month_is_written_as_the_date_filter_writes_it(language):
    with translation.override(language):
        moments = _Moments(Context(), BRUSSELS)
        for month in range(1, 13):
            day = date(2026, month, 1 + month)
            end_of_day = datetime.combine(day, time(23, 59), BRUSSELS)
            assert moments[end_of_day] == date_filter(day, "j M Y")
        at_noon = datetime(2026, 3, 9, 12, 5, tzinfo=BRUSSELS)
        assert moments[at_noon] == f"{date_filter(date(2026, 3, 9), 'j M Y')}, 12:05"
