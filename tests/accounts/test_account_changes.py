"""A person's account is theirs (issue 9 §3): a coordinator cannot take one over by
changing its sign-in address and then resetting its password. The address of an account
that reads personal data is not changed in the administration; every change of an
address, and every account switched off or on, is recorded on the "Access changes" page
and told to the organisations concerned, and the old address is told too."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from move.accounts import access_changes, emails, permissions
from move.accounts.models import User
from move.accounts.permissions import Role
from tests.accounts.test_admin import user_change
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:accesschange-list")


@pytest.fixture
def since(db):
    """The sentences (in English) of the changes recorded since the fixture was made."""
    after = access_changes.entries().values_list("pk", flat=True).first() or 0

    def sentences():
        with translation.override("en"):
            return [
                access_changes.sentence(entry)
                for entry in access_changes.entries().filter(pk__gt=after)
            ]

    return sentences


@pytest.fixture
def advocate(org_b):
    return member(
        Role.ADVOCACY,
        org_b,
        email="ada.advocate@example.org",
        first_name="Ada",
        last_name="Advocate",
        language="nl",
    )


# --- Refused --------------------------------------------------------------------------------


def test_the_sign_in_address_of_a_visitor_is_not_changed_in_the_admin(
    client, coordinator, visitor_b, since
):
    sign_in(client, coordinator)

    response = user_change(client, visitor_b, email="coordinator.own@example.org")

    assert response.status_code == 200
    assert "End their membership and invite the new address instead." in (
        response.content.decode().replace("&#x27;", "'")
    )
    visitor_b.refresh_from_db()
    assert visitor_b.email == "visitor.b@example.org"
    assert since() == []


@pytest.mark.parametrize("role", sorted(permissions.MFA_ROLES))
def test_no_role_that_reads_personal_data_has_its_address_changed(coordinator, role):
    person = member(role)

    assert not permissions.may_change_login_address_of(coordinator, person)


def test_an_ended_role_that_reads_personal_data_still_counts_while_its_organisation_is_off(
    coordinator,
):
    organisation = OrganisationFactory(active=False)
    person = member(Role.VISITOR, organisation)

    assert not permissions.may_change_login_address_of(coordinator, person)


def test_the_other_fields_of_a_visitor_are_still_edited(client, coordinator, visitor_b):
    sign_in(client, coordinator)

    response = user_change(client, visitor_b, first_name="Valérie")

    assert response.status_code == 302
    visitor_b.refresh_from_db()
    assert visitor_b.first_name == "Valérie"


# --- Allowed, recorded and told ---------------------------------------------------------------


def test_a_changed_address_is_recorded_and_told_to_the_old_address_and_the_organisation(
    client,
    coordinator,
    advocate,
    second_coordinator,
    since,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    rendered = []
    render = emails.render_to_string

    def recording(template_name, context):
        rendered.append((template_name, translation.get_language()))
        return render(template_name, context)

    monkeypatch.setattr(emails, "render_to_string", recording)
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = user_change(client, advocate, email="ada.new@example.org")

    assert response.status_code == 302
    advocate.refresh_from_db()
    assert advocate.email == "ada.new@example.org"
    sentence = (
        f"{coordinator} (coordinator) changed the sign-in address of Ada Advocate "
        "from ada.advocate@example.org to ada.new@example.org"
    )
    assert since() == [sentence]
    # Told: the person at the old address, in their language; Caritas's coordinator.
    # (Ada reads Dutch: the words are checked in English below, the new address here.)
    [old] = [message for message in mail.outbox if message.to == ["ada.advocate@example.org"]]
    assert "ada.new@example.org" in old.body and str(coordinator) in old.body
    assert ("emails/sign-in-address-change-body.txt", "nl") in rendered
    with translation.override("en"):
        text = emails.render_to_string(
            "emails/sign-in-address-change-body.txt",
            {"sentence": sentence, "when": None},
        )
    assert "someone may be trying to take over your account" in text
    [to_caritas] = [message for message in mail.outbox if message.to == [second_coordinator.email]]
    assert sentence in to_caritas.body
    # And every coordinator reads it.
    sign_in(client, second_coordinator)
    assert sentence in client.get(PAGE).content.decode()


def test_the_address_of_an_account_without_a_password_may_be_changed(
    client, coordinator, visitor_b, since
):
    visitor_b.set_unusable_password()
    visitor_b.save()
    sign_in(client, coordinator)

    response = user_change(client, visitor_b, email="visitor.b.new@example.org")

    assert response.status_code == 302
    assert since() == [
        f"{coordinator} (coordinator) changed the sign-in address of {visitor_b} "
        "from visitor.b@example.org to visitor.b.new@example.org"
    ]


def test_the_old_address_of_someone_without_organisation_is_told_too(
    coordinator, django_capture_on_commit_callbacks
):
    loner = UserFactory(email="loner@example.org", first_name="Lone", last_name="Person")
    with django_capture_on_commit_callbacks(execute=True), access_changes.acting(coordinator):
        loner.email = "loner.new@example.org"
        loner.save()

    assert [message.to for message in mail.outbox] == [["loner@example.org"]]


def test_an_account_switched_off_and_on_is_recorded_and_told(
    client, coordinator, visitor_b, second_coordinator, since, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        assert user_change(client, visitor_b, is_active="").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert user_change(client, User.objects.get(pk=visitor_b.pk)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert user_change(client, visitor_b, is_active="on").status_code == 302

    off = f"{coordinator} (coordinator) switched off the account of {visitor_b}"
    on = f"{coordinator} (coordinator) switched on the account of {visitor_b}"
    assert since() == [on, off]
    told = [message.body for message in mail.outbox if message.to == [second_coordinator.email]]
    assert len(told) == 2
    assert off in told[0] and on in told[1]


def test_a_partners_address_change_is_told_to_them_without_who_made_it(
    client, coordinator, partner, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        user_change(client, partner, email="partner.new@example.org")

    [old] = [message for message in mail.outbox if message.to == ["partner@example.org"]]
    assert str(coordinator) not in old.body and coordinator.email not in old.body
    assert "A member of the coalition changed the sign-in address of" in old.body


def test_accounts_made_and_signing_in_are_not_changes_of_access(client, since):
    person = UserFactory()
    person.first_name = "Renamed"
    person.save()
    client.force_login(person)

    assert since() == []
