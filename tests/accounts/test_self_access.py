"""Nobody creates, changes or ends their own access (DESIGN.md §3 and §9): not by a
membership, an invitation, switching an organisation on or off, on the pages, in the
administration site or through a service. Another coordinator does it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from move.accounts import permissions, services
from move.accounts.models import Invitation, Membership, Organisation
from move.accounts.permissions import Role
from tests.accounts.conftest import token_in
from tests.conftest import sign_in
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

OWN_ACCESS = "Nobody creates, changes or ends their own access"


def memberships():
    return set(Membership.objects.values_list("user__email", "organisation__short_name", "role"))


def add_membership(client, organisation, email, role=Role.VISITOR):
    url = reverse("accounts:membership-create", args=[organisation.code])
    return client.post(url, {"email": email, "role": role})


def end_membership(client, membership):
    return client.post(reverse("accounts:membership-delete", args=[membership.code]))


def switch(client, organisation, active):
    url = reverse("accounts:organisation-update", args=[organisation.code])
    data = {
        "name_fr": organisation.name_fr,
        "name_nl": organisation.name_nl,
        "short_name": organisation.short_name,
        "kind": organisation.kind,
        "member_of": "",
        "version": organisation.version,
    }
    return client.post(url, data | ({"active": "on"} if active else {}))


# --- The rule -----------------------------------------------------------------------------


def test_the_rule_refuses_oneself_and_allows_another_coordinator(
    coordinator, second_coordinator, visitor_a
):
    assert not permissions.may_change_access(coordinator, coordinator)
    assert not permissions.may_change_access(coordinator, " Coordinator@Example.org ")
    assert permissions.may_change_access(coordinator, second_coordinator)
    assert permissions.may_change_access(second_coordinator, coordinator)
    assert permissions.may_change_access(coordinator, "someone.else@example.org")
    # A visitor changes nobody's access, their own or another's.
    assert not permissions.may_change_access(visitor_a, coordinator)


# --- Memberships --------------------------------------------------------------------------


def test_a_coordinator_cannot_make_themself_visitor_of_another_organisation(
    client, coordinator, org_a
):
    sign_in(client, coordinator)
    before = memberships()

    response = add_membership(client, org_a, "COORDINATOR@example.org")

    assert response.status_code == 403
    assert OWN_ACCESS in response.content.decode()
    assert memberships() == before
    assert not permissions.reads_identities_of(coordinator, org_a.pk)


def test_a_coordinator_cannot_end_their_own_role(client, coordinator, second_coordinator):
    own = Membership.objects.get(user=coordinator)
    sign_in(client, coordinator)
    before = memberships()

    response = end_membership(client, own)

    assert response.status_code == 403
    assert memberships() == before


def test_a_coordinator_cannot_change_their_own_role_even_with_an_old_membership_elsewhere(
    client, coordinator, org_a
):
    Membership.objects.create(user=coordinator, organisation=org_a, role=Role.ADVOCACY)
    sign_in(client, coordinator)
    before = memberships()

    added = add_membership(client, org_a, coordinator.email, Role.VISITOR)
    ended = end_membership(client, Membership.objects.get(user=coordinator, organisation=org_a))

    assert (added.status_code, ended.status_code) == (403, 403)
    assert memberships() == before


def test_another_coordinator_gives_and_ends_a_coordinators_roles(
    client, coordinator, second_coordinator, org_a
):
    sign_in(client, second_coordinator)

    added = add_membership(client, org_a, coordinator.email, Role.VISITOR)
    given = Membership.objects.get(user=coordinator, organisation=org_a)
    ended = end_membership(client, given)

    assert (added.status_code, ended.status_code) == (302, 302)
    assert not Membership.objects.filter(pk=given.pk).exists()


def test_the_services_refuse_ones_own_membership(coordinator, second_coordinator, org_a):
    own = Membership.objects.get(user=coordinator)
    before = memberships()

    with pytest.raises(PermissionDenied, match=OWN_ACCESS):
        services.add_membership(
            email=coordinator.email, organisation=org_a, role=Role.VISITOR, by=coordinator
        )
    with pytest.raises(PermissionDenied, match=OWN_ACCESS):
        services.end_membership(own, by=coordinator)
    assert memberships() == before


@pytest.mark.parametrize("persona", ["visitor_a", "partner", "advocacy"])
def test_no_other_role_gives_itself_a_membership(client, request, persona, org_b):
    user = request.getfixturevalue(persona)
    sign_in(client, user)
    before = memberships()

    response = add_membership(client, org_b, user.email)

    assert response.status_code == 404  # the organisation's page is not theirs to see
    assert memberships() == before


def test_an_anonymous_visitor_is_sent_to_sign_in(client, org_a, visitor_a):
    before = memberships()

    response = add_membership(client, org_a, visitor_a.email, Role.COORDINATOR)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert memberships() == before


# --- Invitations --------------------------------------------------------------------------


def test_a_coordinator_cannot_invite_their_own_address(
    client, coordinator, org_a, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation-create"),
            {
                "email": "Coordinator@Example.org",
                "organisation": org_a.pk,
                "role": Role.VISITOR,
                "language": "fr",
            },
        )

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_invitation_service_refuses_ones_own_address(coordinator, org_a):
    with pytest.raises(PermissionDenied, match=OWN_ACCESS):
        services.invite(
            email=coordinator.email,
            organisation=org_a,
            role=Role.VISITOR,
            language="fr",
            by=coordinator,
            site_url="http://testserver/",
        )
    assert not Invitation.objects.exists()


def test_a_signed_in_coordinator_cannot_accept_an_invitation_into_another_organisation(
    client, coordinator, second_coordinator, org_a, django_capture_on_commit_callbacks
):
    # Sent by another coordinator to an address the coordinator reads.
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(
            email="coordinator.private@example.org",
            organisation=org_a,
            role=Role.VISITOR,
            language="en",
            by=second_coordinator,
            site_url="http://testserver/",
        )
    token = token_in(mail.outbox[-1].body)
    sign_in(client, coordinator)
    before = memberships()

    response = client.post(
        reverse("accounts:invitation-accept", args=[token]),
        {
            "first_name": "C",
            "last_name": "D",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )

    assert response.status_code == 302
    assert memberships() == before
    assert Invitation.objects.get().status == "pending"
    assert not permissions.reads_identities_of(coordinator, org_a.pk)


# --- Organisations switched off and on ----------------------------------------------------


def test_a_coordinator_cannot_switch_their_own_organisation_off(client, coordinator, coalition):
    sign_in(client, coordinator)

    response = switch(client, coalition, active=False)

    assert response.status_code == 403
    coalition.refresh_from_db()
    assert coalition.active


def test_a_coordinator_cannot_switch_on_an_organisation_that_would_give_them_access(
    client, coordinator
):
    # An old visitor role in an organisation switched off gives nothing until it is on.
    dormant = OrganisationFactory(short_name="Dormant", active=False)
    Membership.objects.create(user=coordinator, organisation=dormant, role=Role.VISITOR)
    sign_in(client, coordinator)

    response = switch(client, dormant, active=True)

    assert response.status_code == 403
    assert not Organisation.objects.get(pk=dormant.pk).active
    assert not permissions.has_role(coordinator, Role.VISITOR)


def test_another_coordinator_switches_an_organisation_on_and_off(
    client, second_coordinator, org_a, visitor_a
):
    sign_in(client, second_coordinator)

    response = switch(client, org_a, active=False)

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert not org_a.active


def test_the_admin_site_does_not_let_a_coordinator_switch_their_own_organisation(
    client, coordinator, coalition
):
    sign_in(client, coordinator)
    url = reverse("admin:accounts_organisation_change", args=[coalition.pk])
    data = {
        "name_fr": coalition.name_fr,
        "name_nl": coalition.name_nl,
        "short_name": coalition.short_name,
        "kind": coalition.kind,
    }  # "active" left out: unticked

    form = client.get(url)
    client.post(url, data)

    assert 'name="active"' not in form.content.decode()
    coalition.refresh_from_db()
    assert coalition.active


def test_the_admin_site_lets_a_coordinator_switch_another_organisation(client, coordinator, org_a):
    sign_in(client, coordinator)
    url = reverse("admin:accounts_organisation_change", args=[org_a.pk])
    data = {
        "name_fr": org_a.name_fr,
        "name_nl": org_a.name_nl,
        "short_name": org_a.short_name,
        "kind": org_a.kind,
    }

    response = client.post(url, data)

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert not org_a.active


def test_the_admin_site_keeps_memberships_and_invitations_read_only(client, coordinator):
    sign_in(client, coordinator)

    own = client.get(reverse("admin:accounts_user_change", args=[coordinator.pk])).content
    invitations = client.get(reverse("admin:accounts_invitation_add"))

    assert b'name="memberships-0-role"' not in own
    assert b'name="is_active"' not in own  # nor can they switch themself off
    assert invitations.status_code == 403


def test_the_organisation_page_offers_no_button_to_end_ones_own_role(
    client, coordinator, second_coordinator, coalition
):
    own = Membership.objects.get(user=coordinator)
    other = Membership.objects.get(user=second_coordinator)
    Membership.objects.create(user=second_coordinator, organisation=coalition, role=Role.LEGAL)
    sign_in(client, coordinator)

    text = client.get(reverse("accounts:organisation-detail", args=[coalition.code])).content

    assert reverse("accounts:membership-delete", args=[own.code]).encode() not in text
    assert b"Your own role: another coordinator ends it." in text
    assert other.organisation != coalition  # the other coordinator's role is elsewhere
    legal = Membership.objects.get(user=second_coordinator, organisation=coalition)
    assert reverse("accounts:membership-delete", args=[legal.code]).encode() in text
