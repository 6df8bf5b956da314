"""The deadline calculator page (legal:calculator): every internal role uses it, in the
reader's language; partners are refused (403: the page is an action, not an object);
the answer comes from the address alone (a GET form); bad input is said clearly and
what was typed stays in the form."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.centres.conftest import page
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

INTERNAL = ["visitor_a", "visitor_b", "legal", "coordinator", "advocacy", "witness_pool"]
URL = reverse("legal:calculator")


def calculate(client, status=200, **query) -> str:
    html = page(client.get(f"{URL}?{urlencode(query)}"), status)
    return re.sub(r"\s+", " ", unescape(html))


def result(html) -> str:
    found = re.search(r'<section class="panel" id="result".*?</section>', html, re.S)
    return found[0] if found else ""


def errors(html) -> list[str]:
    return re.findall(r'<ul class="errorlist"[^>]*>\s*<li>(.*?)</li>', html)


@pytest.mark.parametrize("persona", INTERNAL)
def test_every_internal_role_gets_the_due_date_and_the_reason(persona, request, client):
    sign_in(client, request.getfixturevalue(persona))
    html = calculate(client, rule="extreme-urgency-later", notified_on="2026-07-16")
    answer = result(html)
    assert "Wednesday 22 July 2026" in answer
    assert "21 July: national holiday" in answer
    assert "Moved: the last day counted, Tuesday 21 July 2026, is not a working day." in answer
    assert "art. 39/57 §1, al. 3" in answer  # the source article
    assert "Counting starts" in answer and "Friday 17 July 2026" in answer


def test_a_partner_is_refused(client, partner):
    sign_in(client, partner)
    assert client.get(URL).status_code == 403


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_first_visit_shows_the_form_and_the_rules_without_error(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client)
    assert not result(html)
    assert "error-summary" not in html and not errors(html)
    assert '<form method="get"' in html
    # Each rule offered with its time limit, and listed with its source.
    assert "Appeal to the indictment chamber — 24 hours</option>" in html
    assert "Appeal to the Council for Alien Law Litigation — 30 days</option>" in html
    assert "Wet van 15 december 1980, art. 71" in html
    assert 'type="date"' in html and 'type="time"' in html


def test_a_day_not_moved_says_so(client, advocacy):
    sign_in(client, advocacy)
    answer = result(calculate(client, rule="cce-appeal-detained", notified_on="2026-03-02"))
    assert "Thursday 12 March 2026" in answer
    assert "Not moved: the last day counted is a working day." in answer


def test_a_chain_of_days_off_lists_each_day(client, legal):
    sign_in(client, legal)
    answer = result(calculate(client, rule="cce-appeal-detained", notified_on="2025-08-05"))
    assert "Monday 18 August 2025" in answer
    for reason in ("15 August: Assumption Day", "16 August: Saturday", "17 August: Sunday"):
        assert f"<li>{reason}</li>" in answer


def test_an_hour_rule_gives_the_moment_counted_in_hours_not_moved(client, witness_pool):
    sign_in(client, witness_pool)
    html = calculate(
        client, rule="indictment-chamber-appeal", notified_on="2026-07-17", notified_at="15:30"
    )
    answer = result(html)
    assert "Last moment to act" in answer
    assert "Saturday 18 July 2026, 15:30" in answer
    assert "Counted in hours from the moment of notification, not moved" in answer
    assert "It ends on a day off (18 July: Saturday): it is not moved." in answer
    assert "Counting starts" not in answer


def test_names_are_in_the_readers_language(client, visitor_a):
    sign_in(client, visitor_a)
    query = urlencode({"rule": "cce-appeal", "notified_on": "2026-07-11"})
    dutch = unescape(page(client.get(f"{URL}?{query}", headers={"accept-language": "nl"})))
    french = unescape(page(client.get(f"{URL}?{query}", headers={"accept-language": "fr"})))
    assert "Beroep bij de Raad voor Vreemdelingenbetwistingen" in dutch
    assert "Recours au Conseil du contentieux des étrangers" in french
    # 11 July + 30 days: Monday 10 August, a working day.
    assert "maandag 10 augustus 2026" in dutch
    assert "lundi 10 août 2026" in french


def test_a_date_in_the_future_is_refused_and_kept(client, visitor_a):
    sign_in(client, visitor_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = calculate(client, rule="cce-appeal", notified_on=tomorrow)
    assert not result(html)
    assert any("cannot be in the future" in error for error in errors(html))
    assert f'value="{tomorrow}"' in html
    assert '<option value="cce-appeal" selected>' in html


def test_an_impossible_date_is_refused_and_quoted(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client, rule="cce-appeal", notified_on="2026-02-30")
    assert not result(html)
    assert any("“2026-02-30” is not a date that exists" in error for error in errors(html))
    assert 'value="2026-02-30"' in html


def test_a_typed_belgian_date_is_read_day_first(client, visitor_a):
    sign_in(client, visitor_a)
    answer = result(calculate(client, rule="extreme-urgency-later", notified_on="16/07/2026"))
    assert "Wednesday 22 July 2026" in answer


def test_a_date_from_long_ago_is_a_typing_mistake(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client, rule="cce-appeal", notified_on="0026-07-16")
    assert not result(html)
    assert "Give a date from 1 January 1980 on." in errors(html)


def test_no_rule_is_refused_and_the_date_kept(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client, rule="", notified_on="2026-07-16")
    assert not result(html)
    assert "Choose a rule." in errors(html)
    assert 'value="2026-07-16"' in html


def test_an_unknown_rule_is_refused(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client, rule="no-such-rule", notified_on="2026-07-16")
    assert any("This rule does not exist" in error for error in errors(html))


def test_an_hour_rule_needs_the_time(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client, rule="indictment-chamber-appeal", notified_on="2026-07-17")
    assert not result(html)
    assert any("give the time of notification too" in error for error in errors(html))


def test_a_moment_later_today_is_in_the_future(client, visitor_a, monkeypatch):
    from legal import deadline_forms

    sign_in(client, visitor_a)
    # Django's clock (which the form reads) says today's noon in Brussels for the rest of
    # the test: 90 minutes later is still today, whenever the test runs (it was skipped
    # in the last 90 minutes before midnight).
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(deadline_forms.timezone, "now", lambda: noon)
    later = noon + timedelta(minutes=90)
    html = calculate(
        client,
        rule="indictment-chamber-appeal",
        notified_on=later.date().isoformat(),
        notified_at=later.strftime("%H:%M"),
    )
    assert any("moment of notification cannot be in the future" in e for e in errors(html))


def test_an_inactive_rule_is_not_offered(client, visitor_a, rule_30_days):
    rule_30_days.active = False
    rule_30_days.save()
    sign_in(client, visitor_a)
    html = calculate(client, rule="cce-appeal", notified_on="2026-07-16")
    assert '<option value="cce-appeal"' not in html
    assert any("no longer used" in error for error in errors(html))


def test_a_passed_limit_says_so(client, visitor_a):
    sign_in(client, visitor_a)
    html = calculate(client, rule="extreme-urgency-later", notified_on="2026-07-16")
    assert "This time limit has passed." in result(html)


@pytest.mark.parametrize("persona", ["legal", "visitor_a"])
def test_the_calculator_costs_at_most_8_queries(
    persona, request, client, django_assert_max_num_queries
):
    sign_in(client, request.getfixturevalue(persona))
    client.get(URL)  # the first request of a session records it
    with django_assert_max_num_queries(8):
        html = calculate(client, rule="cce-appeal", notified_on="2026-07-11")
    assert result(html)
