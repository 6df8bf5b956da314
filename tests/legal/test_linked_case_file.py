"""A request linked to a case file lets the lawyer read that file's pseudonymised
fields (DESIGN.md §3), never its identity; any other case file stays unknown to her
(404), and she cannot open one by typing its code into a request."""

import pytest
from django.urls import reverse

from detainees.models import Person
from move.privacy.models import AccessLogEntry
from tests.conftest import sign_in
from tests.detainees.conftest import new_person
from tests.legal.conftest import ask

pytestmark = pytest.mark.django_db

PAGES_OF_A_FILE = [
    "detainees:person-update",
    "detainees:identity-detail",
    "detainees:identity-update",
    "detainees:person-share",
    "detainees:person-export",
    "detainees:person-erase",
]


def page(name, person):
    return reverse(name, kwargs={"key": person.key})


@pytest.fixture
def linked(visitor_a, person_a, topic):
    """person_a, linked to a request visitor_a asked."""
    ask(visitor_a, topic, person=person_a)
    return person_a


@pytest.fixture
def unlinked(visitor_a, org_a, centre):
    return new_person(visitor_a, org_a, centre, name=("Youssef", "Haddad"), birth_year=1985)


def test_the_lawyer_reads_a_linked_case_file_without_its_identity(client, legal, linked):
    sign_in(client, legal)

    response = client.get(page("detainees:person-detail", linked))

    body = response.content.decode()
    assert response.status_code == 200
    assert linked.code in body and "1990" in body  # a pseudonymised field
    assert "Amina" not in body and "Benali" not in body
    assert page("detainees:identity-detail", linked) not in body
    assert not AccessLogEntry.objects.filter(user=legal).exists()


def test_the_lawyer_gets_404_on_any_other_case_file(client, legal, linked, unlinked):
    sign_in(client, legal)

    assert client.get(page("detainees:person-detail", unlinked)).status_code == 404
    for name in PAGES_OF_A_FILE:
        assert client.get(page(name, unlinked)).status_code == 404, name


def test_the_lawyer_may_not_read_the_identity_nor_change_a_linked_file(client, legal, linked):
    sign_in(client, legal)

    for name in PAGES_OF_A_FILE:
        response = client.get(page(name, linked))
        assert response.status_code == 403, name
        assert "Amina" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=legal).exists()


def test_the_list_of_case_files_shows_the_lawyer_the_linked_ones_only(
    client, legal, linked, unlinked
):
    sign_in(client, legal)

    body = client.get(reverse("detainees:person-list")).content.decode()

    assert linked.code in body and unlinked.code not in body


def test_the_file_is_closed_to_the_lawyer_again_once_no_request_links_it(client, legal, linked):
    sign_in(client, legal)
    linked.help_requests.update(person=None)

    assert client.get(page("detainees:person-detail", linked)).status_code == 404


def test_the_lawyer_cannot_open_a_file_by_recording_a_request_with_its_code(
    client, legal, unlinked, topic
):
    sign_in(client, legal)

    response = client.post(
        reverse("legal:request-record"),
        {
            "channel": "phone",
            "requester_kind": "relative",
            "language": "fr",
            "topic": topic.pk,
            "subject": "Call",
            "question": "About a file",
            "urgency": "normal",
            "case_file": unlinked.code,
            "asked_at": "",
        },
    )

    assert response.status_code == 400
    assert "case_file" in response.context["form"].errors
    assert not unlinked.help_requests.exists()
    assert not Person.objects.visible_to(legal).filter(pk=unlinked.pk).exists()


def test_the_request_page_links_the_lawyer_to_the_file(client, legal, visitor_a, person_a, topic):
    help_request = ask(visitor_a, topic, person=person_a)
    sign_in(client, legal)

    body = client.get(reverse("legal:request-detail", kwargs={"key": help_request.key}))

    assert page("detainees:person-detail", person_a) in body.content.decode()


def test_other_roles_get_404_on_the_linked_file(client, request, linked):
    for name in ("visitor_b", "partner", "advocacy", "witness_pool"):
        sign_in(client, request.getfixturevalue(name))
        assert client.get(page("detainees:person-detail", linked)).status_code == 404, name
