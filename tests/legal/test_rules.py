"""The deadline rules (legal:rule-list, legal:rule-update): every internal role reads
them, legal edits them, each change kept and shown on the rule's page; bad input and
a concurrent edit change nothing."""

import re
from html import unescape

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legal.models import DeadlineRule
from tests.centres.conftest import page
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

INTERNAL = ["visitor_a", "visitor_b", "legal", "coordinator", "advocacy", "witness_pool"]
LIST = reverse("legal:rule-list")


def edit_url(rule):
    return reverse("legal:rule-update", args=[rule.code])


def text(html) -> str:
    return re.sub(r"\s+", " ", unescape(html))


def history_of(rule):
    return LogEntry.objects.get_for_object(rule)


def form_data(client, rule, **changes) -> dict:
    """What the edit page holds, as the browser would send it back, with `changes`."""
    html = page(client.get(edit_url(rule)))
    seen = re.search(r'name="seen" value="([^"]*)"', html)[1]
    data = {
        "name_fr": rule.name_fr,
        "name_nl": rule.name_nl,
        "name_en": rule.name_en or "",
        "days": rule.days if rule.days is not None else "",
        "hours": rule.hours if rule.hours is not None else "",
        "source": rule.source,
        "seen": seen,
    }
    if rule.renewable_monthly:
        data["renewable_monthly"] = "on"
    if rule.active:
        data["active"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


# --- The list --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", INTERNAL)
def test_every_internal_role_reads_the_rules(persona, request, client):
    sign_in(client, request.getfixturevalue(persona))
    html = text(page(client.get(LIST)))
    assert "Appeal to the indictment chamber" in html
    assert "24 hours" in html and "30 days" in html
    assert "30 days, renewable every month" in html  # the council chamber
    assert "Wet van 15 december 1980, art. 39/57 §1, al. 2" in html
    can_edit = persona == "legal"
    assert (f'href="{edit_url(DeadlineRule.objects.get(code="cce-appeal"))}"' in html) == can_edit


def test_a_partner_cannot_read_the_rules(client, partner):
    sign_in(client, partner)
    assert client.get(LIST).status_code == 403


def test_the_list_shows_which_rules_lack_a_french_or_dutch_name(client, coordinator):
    DeadlineRule.objects.filter(code="cce-appeal").update(name_nl="")
    DeadlineRule.objects.filter(code="extreme-urgency").update(name_fr="")
    sign_in(client, coordinator)
    html = text(page(client.get(LIST)))
    assert "2 rules lack their name in French or in Dutch." in html
    assert "No Dutch name" in html and "No French name" in html
    assert html.count("French and Dutch") == DeadlineRule.objects.count() - 2


def test_the_rule_names_follow_the_readers_language(client, visitor_a):
    sign_in(client, visitor_a)
    html = unescape(page(client.get(LIST, headers={"accept-language": "nl"})))
    assert "Hoger beroep bij de kamer van inbeschuldigingstelling" in html


def more_rules(count):
    for number in range(count):
        DeadlineRule.objects.create(
            code=f"extra-{number}",
            name=f"Extra rule {number}",
            name_fr=f"Règle {number}",
            name_nl=f"Regel {number}",
            days=10 + number,
            source=f"Article {number}",
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client.get(url))
    return len(queries.captured_queries)


@pytest.mark.parametrize("persona", ["legal", "visitor_a"])
def test_the_rule_list_costs_at_most_8_queries_whatever_the_rows(persona, request, client):
    sign_in(client, request.getfixturevalue(persona))
    client.get(LIST)  # the first request of a session records it
    few = count_queries(client, LIST)
    more_rules(20)
    many = count_queries(client, LIST)
    assert many == few
    assert many <= 8


# --- Editing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("visitor_a", 403),
        ("coordinator", 403),
        ("advocacy", 403),
        ("witness_pool", 403),
        ("partner", 404),
    ],
)
def test_only_legal_edits_a_rule(persona, status, request, client, rule_30_days):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(edit_url(rule_30_days)).status_code == status
    response = client.post(edit_url(rule_30_days), {"name_fr": "X", "days": "1", "source": "Y"})
    assert response.status_code == status
    rule_30_days.refresh_from_db()
    assert rule_30_days.days == 30
    assert not history_of(rule_30_days).exists()


def test_a_stranger_is_sent_to_sign_in(client, rule_30_days):
    assert client.get(edit_url(rule_30_days)).status_code == 302


def test_an_unknown_rule_is_not_found(client, legal):
    sign_in(client, legal)
    assert client.get(reverse("legal:rule-update", args=["no-such-rule"])).status_code == 404


def test_legal_edits_a_rule_and_the_change_is_in_its_history(client, legal, rule_30_days):
    sign_in(client, legal)
    html = text(page(client.get(edit_url(rule_30_days))))
    assert "No change since the rules were set up." in html
    assert "Name in French" in html and "Name in Dutch" in html

    data = form_data(client, rule_30_days, days="31", name_nl="Beroep bij de RvV")
    response = client.post(edit_url(rule_30_days), data)

    assert response.status_code == 302 and response["Location"] == LIST
    rule_30_days.refresh_from_db()
    assert (rule_30_days.days, rule_30_days.name_nl) == (31, "Beroep bij de RvV")
    html = text(page(client.get(edit_url(rule_30_days))))
    assert "No change since" not in html
    assert "legal@example.org" in html
    assert "<strong>Days</strong>: 30 → 31" in html
    assert (
        "<strong>Name in Dutch</strong>: Beroep bij de Raad voor Vreemdelingenbetwistingen"
        " → Beroep bij de RvV" in html
    )
    assert history_of(rule_30_days).count() == 1


def test_a_rule_may_become_a_limit_in_hours(client, legal, rule_extreme_urgency_later):
    sign_in(client, legal)
    data = form_data(client, rule_extreme_urgency_later, days="", hours="48", active=None)
    assert client.post(edit_url(rule_extreme_urgency_later), data).status_code == 302
    rule_extreme_urgency_later.refresh_from_db()
    assert (rule_extreme_urgency_later.days, rule_extreme_urgency_later.hours) == (None, 48)
    assert not rule_extreme_urgency_later.active
    html = text(page(client.get(edit_url(rule_extreme_urgency_later))))
    assert "<strong>In use (offered in the calculator and on requests)</strong>: yes → no" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hours": "24"}, "hours", "Give days or hours, not both"),
        ({"days": ""}, "days", "Give the number of days, or the number of hours"),
        ({"name_fr": ""}, "name_fr", "Give the name in French."),
        ({"name_nl": " "}, "name_nl", "Give the name in Dutch."),
        ({"source": ""}, "source", "Give the article of law the limit comes from."),
        ({"days": "0"}, "days", "greater than or equal to 1"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    changes, field, message, client, legal, rule_30_days
):
    sign_in(client, legal)
    data = form_data(client, rule_30_days, name_en="Typed and kept", **changes)
    html = text(page(client.post(edit_url(rule_30_days), data), status=400))
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert 'value="Typed and kept"' in html
    # The model's own "days or hours" is not said a second time at the top.
    assert "Please correct the fields marked below." in html
    rule_30_days.refresh_from_db()
    assert (rule_30_days.days, rule_30_days.hours, rule_30_days.name_en) == (
        30,
        None,
        "Appeal to the Council for Alien Law Litigation",
    )
    assert not history_of(rule_30_days).exists()


def test_a_concurrent_edit_is_not_overwritten(client, legal, rule_30_days):
    sign_in(client, legal)
    mine = form_data(client, rule_30_days, days="45")
    # Someone else saves first.
    rule_30_days.source = "Changed meanwhile"
    rule_30_days.save()

    html = text(page(client.post(edit_url(rule_30_days), mine), status=400))

    assert "Someone else saved this rule while you were editing it" in html
    assert 'value="45"' in html  # what was typed is kept
    rule_30_days.refresh_from_db()
    assert (rule_30_days.days, rule_30_days.source) == (30, "Changed meanwhile")
    # Having seen it, saving again is the person's choice.
    mine["seen"] = re.search(r'name="seen" value="([^"]*)"', html)[1]
    assert client.post(edit_url(rule_30_days), mine).status_code == 302
    rule_30_days.refresh_from_db()
    assert (rule_30_days.days, rule_30_days.source) == (45, mine["source"])


def test_the_edit_page_costs_at_most_8_queries(client, legal, rule_30_days):
    sign_in(client, legal)
    client.post(edit_url(rule_30_days), form_data(client, rule_30_days, days="31"))
    client.post(edit_url(rule_30_days), form_data(client, rule_30_days, days="32"))
    assert count_queries(client, edit_url(rule_30_days)) <= 8
