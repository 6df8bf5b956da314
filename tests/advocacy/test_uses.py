"""Uses of testimonies (issue 12): advocacy and the pool's keepers record them through
the consent's check (services.record_use), the refusal shown on the form with nothing
saved; the list puts the uses to take down first; marking one taken down is idempotent."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from advocacy.models import Use
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

RECORDERS = ["advocacy", "witness_pool", "coordinator"]
NOBODY_ELSE = ["visitor_a", "visitor_b", "legal", "partner"]


def add_url(testimony):
    return reverse("advocacy:use-add", args=[testimony.key])


def posted(**fields):
    return {
        "publication": "PICUM booklet",
        "used_on": (today() - 3 * DAY).isoformat(),
        "scope": "website",
        "anonymity": "first_name",
        "link": "https://example.org/booklet",
    } | fields


def make_use(testimony, **fields):
    fields = {
        "publication": "Coalition website",
        "used_on": today() - 5 * DAY,
        "scope": "website",
        "anonymity": "first_name",
    } | fields
    return Use.objects.create(testimony=testimony, **fields)


# Recording one ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", RECORDERS)
def test_a_use_within_the_consent_is_recorded(persona_client, persona, request):
    testimony = usable_testimony()
    client = persona_client(persona)
    form = client.get(add_url(testimony))
    assert form.status_code == 200
    assert [code for code, _label in form.context["form"].fields["scope"].choices] == [
        "website",
        "press",
    ]
    assert form.context["form"].initial["anonymity"] == "first_name"
    response = client.post(add_url(testimony), posted())
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:testimony-detail", args=[testimony.key])
    use = Use.objects.get()
    assert (use.publication, use.scope, use.anonymity, use.link) == (
        "PICUM booklet",
        "website",
        "first_name",
        "https://example.org/booklet",
    )
    assert use.recorded_by == request.getfixturevalue(persona)


def test_a_use_outside_the_consent_shows_the_reason_and_saves_nothing(persona_client):
    testimony = usable_testimony()
    response = persona_client("advocacy").post(add_url(testimony), posted(anonymity="named"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Named use: the consent allows first name only." in page
    assert "PICUM booklet" in page, "what was typed is shown back"
    assert not Use.objects.exists()


def test_a_use_dated_on_a_withdrawal_is_refused_with_its_day(persona_client):
    witness = make_witness()
    withdrawn = today() - 5 * DAY
    make_consent(witness, scopes="website press video", withdrawn_on=withdrawn)
    make_consent(witness, scopes="website press", given_on=today() - 4 * DAY)
    testimony = make_testimony(witness, scopes="website press")
    response = persona_client("advocacy").post(
        add_url(testimony), posted(scope="press", used_on=withdrawn.isoformat())
    )
    assert response.status_code == 400
    expected = f"The witness withdrew on {withdrawn.day} {withdrawn:%B %Y}."
    assert expected in response.content.decode()
    assert not Use.objects.exists()


def test_a_scope_not_usable_today_is_not_offered(persona_client):
    testimony = usable_testimony(scopes="website")
    response = persona_client("advocacy").post(add_url(testimony), posted(scope="press"))
    assert response.status_code == 400
    assert "may not be used in this scope today" in response.content.decode()
    assert not Use.objects.exists()


def test_a_use_in_the_future_is_refused(persona_client):
    testimony = usable_testimony()
    response = persona_client("advocacy").post(
        add_url(testimony), posted(used_on=(today() + DAY).isoformat())
    )
    assert response.status_code == 400
    assert "A use cannot be dated in the future." in response.content.decode()
    assert not Use.objects.exists()


def test_a_bad_link_is_refused(persona_client):
    testimony = usable_testimony()
    response = persona_client("advocacy").post(add_url(testimony), posted(link="not a link"))
    assert response.status_code == 400
    assert not Use.objects.exists()


def test_the_keepers_see_that_a_testimony_of_a_withdrawn_witness_cannot_be_used(
    persona_client,
):
    testimony = usable_testimony()
    testimony.witness.withdrawn_on = today()
    testimony.witness.save()
    client = persona_client("witness_pool")
    response = client.get(add_url(testimony))
    assert response.status_code == 200
    assert "may not be used today" in response.content.decode()
    assert client.post(add_url(testimony), posted()).status_code == 400
    assert not Use.objects.exists()


@pytest.mark.parametrize("persona", NOBODY_ELSE)
def test_nobody_else_finds_the_use_form(persona_client, persona):
    testimony = usable_testimony()
    client = persona_client(persona)
    assert client.get(add_url(testimony)).status_code == 404
    assert client.post(add_url(testimony), posted()).status_code == 404
    assert not Use.objects.exists()


def test_advocacy_does_not_find_the_form_of_a_testimony_out_of_its_sight(persona_client):
    testimony = usable_testimony(approved_on=None)
    assert persona_client("advocacy").get(add_url(testimony)).status_code == 404


# The list --------------------------------------------------------------------------------


def test_the_uses_to_take_down_come_first(persona_client):
    testimony = usable_testimony()
    taken = make_use(testimony, publication="Old", status="taken_down", used_on=today())
    online = make_use(testimony, publication="Online", used_on=today() - DAY)
    withdrew = make_witness(withdrawn_on=today() - DAY)
    make_consent(withdrew)
    hidden = make_testimony(withdrew, title="Hidden now")
    to_take_down = make_use(
        hidden, publication="Video", status="to_take_down", used_on=today() - 50 * DAY
    )
    response = persona_client("advocacy").get(reverse("advocacy:use-list"))
    assert response.status_code == 200
    rows = response.context["uses"]
    assert [row["key"] for row in rows] == [to_take_down.key, online.key, taken.key]
    # Advocacy sees what to take down, not a link to a testimony now out of its sight.
    assert [row["testimony_readable"] for row in rows] == [False, True, True]
    page = response.content.decode()
    assert reverse("advocacy:testimony-detail", args=[hidden.key]) not in page
    assert reverse("advocacy:use-taken-down", args=[to_take_down.key]) in page
    assert NAME not in page and CONTACT not in page


@pytest.mark.parametrize("persona", NOBODY_ELSE)
def test_nobody_else_reads_the_uses(persona_client, persona):
    make_use(usable_testimony())
    assert persona_client(persona).get(reverse("advocacy:use-list")).status_code == 403


@pytest.mark.parametrize("persona", ["advocacy", "coordinator"])
@pytest.mark.parametrize("rows", [2, 30])
def test_the_use_list_costs_at_most_8_queries_at_2_and_30_rows(
    request, client, persona, rows, django_assert_max_num_queries
):
    for number in range(rows):
        testimony = usable_testimony(title=f"Testimony {number}")
        make_use(testimony, status="to_take_down" if number % 3 else "online")
    sign_in(client, request.getfixturevalue(persona))
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advocacy:use-list"))
    assert len(response.context["uses"]) == rows


def test_the_use_form_costs_at_most_8_queries(persona_client, django_assert_max_num_queries):
    testimony = usable_testimony()
    client = persona_client("advocacy")
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        assert client.get(add_url(testimony)).status_code == 200


# Taken down ------------------------------------------------------------------------------


def taken_down_url(use):
    return reverse("advocacy:use-taken-down", args=[use.key])


@pytest.mark.parametrize("persona", RECORDERS)
def test_a_use_to_take_down_is_marked_taken_down_once(persona_client, persona):
    withdrew = make_witness(withdrawn_on=today() - DAY)
    make_consent(withdrew)
    use = make_use(make_testimony(withdrew), status="to_take_down")
    client = persona_client(persona)
    response = client.post(taken_down_url(use))
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:use-list")
    use.refresh_from_db()
    assert (use.status, use.taken_down_on) == ("taken_down", today())
    assert "marked as taken down" in str(list(get_messages(response.wsgi_request))[0])
    use.taken_down_on = today() - 7 * DAY
    use.save()
    again = client.post(taken_down_url(use))
    # Taken down, the use of a withdrawn witness leaves advocacy's sight (a 404); the
    # keepers still find it, and nothing changes either way.
    assert again.status_code == (404 if persona == "advocacy" else 302)
    use.refresh_from_db()
    assert (use.status, use.taken_down_on) == ("taken_down", today() - 7 * DAY)


@pytest.mark.parametrize("persona", NOBODY_ELSE)
def test_nobody_else_takes_a_use_down(persona_client, persona):
    use = make_use(usable_testimony(), status="to_take_down")
    assert persona_client(persona).post(taken_down_url(use)).status_code == 404
    use.refresh_from_db()
    assert use.status == "to_take_down"


def test_taking_down_asks_for_a_post(persona_client, client):
    use = make_use(usable_testimony(), status="to_take_down")
    assert client.post(taken_down_url(use)).status_code == 302  # anonymous: sign in
    assert persona_client("advocacy").get(taken_down_url(use)).status_code == 405
    use.refresh_from_db()
    assert use.status == "to_take_down"


@pytest.mark.parametrize("persona", ["advocacy", "coordinator"])
def test_the_list_filters_the_uses_to_take_down(persona_client, persona):
    testimony = usable_testimony()
    make_use(testimony, publication="Online")
    make_use(testimony, publication="Gone", status="taken_down")
    first = make_use(testimony, publication="Video", status="to_take_down")
    second = make_use(testimony, publication="Booklet", status="to_take_down")
    client = persona_client(persona)
    response = client.get(reverse("advocacy:use-list") + "?status=to_take_down")
    assert response.status_code == 200
    assert {row["key"] for row in response.context["uses"]} == {first.key, second.key}
    page = response.content.decode()
    assert 'name="status"' in page and "Clear the filters" in page
    # Every use without the filter; an unknown status filters nothing out.
    assert len(client.get(reverse("advocacy:use-list")).context["uses"]) == 4
    response = client.get(reverse("advocacy:use-list") + "?status=bogus")
    assert response.status_code == 200
    assert len(response.context["uses"]) == 4
    response = client.get(reverse("advocacy:use-list") + "?status=online")
    assert [row["publication"] for row in response.context["uses"]] == ["Online"]


def test_advocacy_sees_the_uses_of_readable_testimonies_and_those_to_take_down(
    advocacy, coordinator, legal
):
    readable = usable_testimony(title="Readable")
    shown = make_use(readable, publication="Shown")
    lapsed_witness = make_witness()
    make_consent(lapsed_witness, given_on=today() - 800 * DAY, expires_on=today() - DAY)
    lapsed = make_testimony(lapsed_witness, title="Consent expired")
    hidden = make_use(lapsed, publication="Hidden", used_on=today() - 100 * DAY)
    hidden_down = make_use(
        lapsed, publication="Hidden too", status="taken_down", used_on=today() - 100 * DAY
    )
    to_take_down = make_use(
        lapsed, publication="Take it down", status="to_take_down", used_on=today() - 100 * DAY
    )
    assert set(Use.objects.visible_to(advocacy)) == {shown, to_take_down}
    assert set(Use.objects.visible_to(coordinator)) == {shown, hidden, hidden_down, to_take_down}
    assert not Use.objects.visible_to(legal).exists()
