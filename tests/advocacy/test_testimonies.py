"""Testimonies (issue 12): the pool's keepers add and read them; advocacy reads those a
consent valid today still covers, the witness by code only, never a name nor a contact;
nobody else finds them. Their scopes are never wider than the consent."""

import pytest
from django.urls import reverse

from advocacy.models import Testimony
from tests.advocacy.test_record_use import (
    CONTACT,
    DAY,
    NAME,
    make_consent,
    make_testimony,
    make_witness,
    today,
    usable_testimony,
)
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

KEEPERS = ["witness_pool", "coordinator"]
NOBODY_ELSE = ["visitor_a", "visitor_b", "legal", "partner"]


def detail(testimony):
    return reverse("advocacy:testimony-detail", args=[testimony.key])


def assert_no_name_nor_contact(response):
    page = response.content.decode()
    assert NAME not in page
    assert "Secretname" not in page
    assert CONTACT not in page


# Who finds them --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["advocacy", *KEEPERS])
def test_advocacy_and_the_keepers_read_a_usable_testimony_by_witness_code(persona_client, persona):
    testimony = usable_testimony()
    client = persona_client(persona)
    response = client.get(detail(testimony))
    assert response.status_code == 200
    assert testimony.witness.code in response.content.decode()
    assert "What I lived in the centre." in response.content.decode()
    assert_no_name_nor_contact(response)
    listed = client.get(reverse("advocacy:testimony-list"))
    assert [row["key"] for row in listed.context["testimonies"]] == [testimony.key]
    assert_no_name_nor_contact(listed)


@pytest.mark.parametrize("persona", NOBODY_ELSE)
def test_nobody_else_finds_a_testimony(persona_client, persona):
    testimony = usable_testimony()
    client = persona_client(persona)
    assert client.get(detail(testimony)).status_code == 404
    assert client.get(reverse("advocacy:testimony-list")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    testimony = usable_testimony()
    response = client.get(detail(testimony))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def out_of_advocacys_sight():
    """Testimonies advocacy may not read today, each for one reason."""
    not_approved = usable_testimony(title="Not approved", approved_on=None)
    approved_later = usable_testimony(title="Approved tomorrow", approved_on=today() + DAY)
    withdrew = make_witness()
    make_consent(withdrew)
    withdrawn = make_testimony(withdrew, title="Witness withdrew")
    withdrew.withdrawn_on = today()
    withdrew.save()
    consent_withdrawn = make_witness()
    make_consent(consent_withdrawn, withdrawn_on=today())
    consent_withdrawn_today = make_testimony(consent_withdrawn, title="Consent withdrawn today")
    expired = make_witness()
    make_consent(expired, given_on=today() - 730 * DAY, expires_on=today())
    expired_today = make_testimony(expired, title="Consent expired today")
    narrower = make_witness()
    make_consent(narrower, scopes="website")
    outside = make_testimony(narrower, title="Scope outside the consent", scopes="video")
    unscoped = usable_testimony(title="No scope", scopes="")
    return [
        not_approved,
        approved_later,
        withdrawn,
        consent_withdrawn_today,
        expired_today,
        outside,
        unscoped,
    ]


def test_advocacy_reads_only_the_testimonies_a_consent_valid_today_covers(persona_client, advocacy):
    hidden = out_of_advocacys_sight()
    usable = usable_testimony(title="Usable")
    client = persona_client("advocacy")
    listed = client.get(reverse("advocacy:testimony-list"))
    assert [row["title"] for row in listed.context["testimonies"]] == ["Usable"]
    assert client.get(detail(usable)).status_code == 200
    for testimony in hidden:
        assert client.get(detail(testimony)).status_code == 404, testimony.title


def test_a_consent_given_today_covers_today(persona_client):
    witness = make_witness()
    make_consent(witness, given_on=today())
    testimony = make_testimony(witness, recorded_on=today(), approved_on=today())
    assert persona_client("advocacy").get(detail(testimony)).status_code == 200


def test_the_keepers_read_every_testimony(persona_client):
    hidden = out_of_advocacys_sight()
    client = persona_client("witness_pool")
    listed = client.get(reverse("advocacy:testimony-list"))
    assert len(listed.context["testimonies"]) == len(hidden)
    for testimony in hidden:
        response = client.get(detail(testimony))
        assert response.status_code == 200
        assert_no_name_nor_contact(response)


def test_the_detail_shows_the_scopes_usable_today_and_the_anonymity_required(persona_client):
    witness = make_witness()
    make_consent(witness, scopes="website press", anonymity="anonymous")
    make_consent(witness, scopes="website", anonymity="named", given_on=today() - 10 * DAY)
    testimony = make_testimony(witness, scopes="website press video")
    response = persona_client("advocacy").get(detail(testimony))
    assert [(s["code"], s["anonymity"]) for s in response.context["usable"]] == [
        ("website", "Named"),
        ("press", "Anonymous"),
    ]
    assert "Press: anonymous, or more protective" in response.content.decode()


# Filters and cost ------------------------------------------------------------------------


def test_the_list_filters_by_language_scope_usable_today_and_relation(persona_client):
    french = usable_testimony(title="Français", language="fr", scopes="website")
    lawyer = make_witness(relation="lawyer")
    make_consent(lawyer, scopes="press")
    dutch = make_testimony(lawyer, title="Nederlands", language="nl", scopes="press")
    client = persona_client("coordinator")
    url = reverse("advocacy:testimony-list")

    def titles(**filters):
        return [row["title"] for row in client.get(url, filters).context["testimonies"]]

    assert titles(language="nl") == [dutch.title]
    assert titles(scope="website") == [french.title]
    assert titles(scope="press") == [dutch.title]
    assert titles(scope="video") == []
    assert titles(relation="lawyer") == [dutch.title]
    assert sorted(titles()) == sorted([french.title, dutch.title])


@pytest.mark.parametrize("persona", ["advocacy", "witness_pool"])
@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_costs_at_most_8_queries_at_2_and_30_rows(
    request, client, persona, rows, django_assert_max_num_queries
):
    for number in range(rows):
        witness = make_witness()
        make_consent(witness)
        make_testimony(witness, title=f"Testimony {number}")
    sign_in(client, request.getfixturevalue(persona))
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advocacy:testimony-list"), {"scope": "website"})
    assert len(response.context["testimonies"]) == rows


def test_the_detail_costs_at_most_8_queries(
    persona_client, advocacy, django_assert_max_num_queries
):
    testimony = usable_testimony()
    client = persona_client("advocacy")
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        assert client.get(detail(testimony)).status_code == 200


# Adding one ------------------------------------------------------------------------------


def add_url(witness):
    return reverse("advocacy:testimony-add", args=[witness.key])


def posted(**fields):
    return {
        "title": "Released after five months",
        "text": "They came at six in the morning.",
        "language": "nl",
        "recorded_on": (today() - 10 * DAY).isoformat(),
        "approved_on": (today() - 5 * DAY).isoformat(),
        "scopes": ["website"],
    } | fields


@pytest.mark.parametrize("persona", KEEPERS)
def test_the_keepers_add_a_testimony_within_the_consent(persona_client, persona):
    witness = make_witness()
    make_consent(witness, scopes="website press")
    client = persona_client(persona)
    form = client.get(add_url(witness))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'value="website"' in page and 'value="press"' in page
    assert 'value="video"' not in page
    assert_no_name_nor_contact(form)
    response = client.post(add_url(witness), posted(scopes=["website", "press"]))
    testimony = Testimony.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(testimony)
    assert (testimony.witness, testimony.scopes, testimony.language) == (
        witness,
        "website press",
        "nl",
    )


def test_a_scope_wider_than_the_consent_is_refused_and_nothing_saved(persona_client):
    witness = make_witness()
    make_consent(witness, scopes="website")
    response = persona_client("witness_pool").post(
        add_url(witness), posted(scopes=["website", "video"])
    )
    assert response.status_code == 400
    assert "consent does not cover this scope: video" in response.content.decode()
    assert "They came at six in the morning." in response.content.decode()
    assert not Testimony.objects.exists()


def test_an_expired_consent_offers_no_scope(persona_client):
    witness = make_witness()
    make_consent(witness, given_on=today() - 730 * DAY, expires_on=today())
    client = persona_client("witness_pool")
    assert 'value="website"' not in client.get(add_url(witness)).content.decode()
    assert client.post(add_url(witness), posted()).status_code == 400
    assert not Testimony.objects.exists()


def test_an_approval_before_the_recording_is_refused(persona_client):
    witness = make_witness()
    make_consent(witness)
    fields = posted(
        recorded_on=(today() - 5 * DAY).isoformat(), approved_on=(today() - 6 * DAY).isoformat()
    )
    response = persona_client("witness_pool").post(add_url(witness), fields)
    assert response.status_code == 400
    assert "on or after the day it was recorded" in response.content.decode()
    assert not Testimony.objects.exists()


def test_an_approval_on_the_day_of_recording_is_accepted(persona_client):
    witness = make_witness()
    make_consent(witness)
    day = (today() - 5 * DAY).isoformat()
    response = persona_client("witness_pool").post(
        add_url(witness), posted(recorded_on=day, approved_on=day)
    )
    assert response.status_code == 302


def test_no_new_testimony_for_a_witness_who_withdrew(persona_client):
    witness = make_witness(withdrawn_on=today() - DAY)
    make_consent(witness)
    client = persona_client("witness_pool")
    assert client.get(add_url(witness)).status_code == 403
    assert client.post(add_url(witness), posted()).status_code == 403
    assert not Testimony.objects.exists()


@pytest.mark.parametrize("persona", ["advocacy", *NOBODY_ELSE])
def test_only_the_keepers_find_the_testimony_form(persona_client, persona):
    witness = make_witness()
    make_consent(witness)
    client = persona_client(persona)
    assert client.get(add_url(witness)).status_code == 404
    assert client.post(add_url(witness), posted()).status_code == 404
    assert not Testimony.objects.exists()
