"""Organisations and memberships: coordinators create and edit organisations (French and
Dutch names), give roles to people who have an account and end them; the last
coordinator stays; concurrent edits are refused, never silently overwritten."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from move.accounts import forms, permissions, services
from move.accounts.forms import CONCURRENT_EDIT, ConcurrentEditError, OrganisationForm
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, UserFactory, member, with_totp

pytestmark = pytest.mark.django_db

NOT_COORDINATORS = ["visitor_a", "legal", "advocacy", "witness_pool", "partner"]
ORGANISATIONS = reverse("accounts:organisation-list")
NEW_ORGANISATION = reverse("accounts:organisation-create")


def detail_url(organisation):
    return reverse("accounts:organisation-detail", args=[organisation.code])


def edit_url(organisation):
    return reverse("accounts:organisation-update", args=[organisation.code])


def add_membership_url(organisation):
    return reverse("accounts:membership-create", args=[organisation.code])


def end_membership_url(membership):
    return reverse("accounts:membership-delete", args=[membership.code])


def organisation_data(**overrides):
    data = {
        "name_fr": "Point d'Appui",
        "name_nl": "Steunpunt",
        "short_name": "PDA",
        "kind": Organisation.Kind.MEMBER,
        "member_of": "",
        "active": "on",
    }
    return data | overrides


def edit_data(organisation, version, **overrides):
    data = {
        "name_fr": organisation.name_fr,
        "name_nl": organisation.name_nl,
        "short_name": organisation.short_name,
        "kind": organisation.kind,
        "member_of": organisation.member_of_id or "",
        "active": "on" if organisation.active else "",
        "version": version,
    }
    return data | overrides


def page(response):
    return response.content.decode()


def version_in(response):
    return int(re.search(r'name="version" value="(\d+)"', page(response))[1])


def organisation_state():
    return list(
        Organisation.objects.values_list(
            "name_fr", "name_nl", "short_name", "kind", "member_of", "active", "version"
        ).order_by("pk")
    )


def membership_state():
    return (
        list(Membership.objects.values_list("user", "organisation", "role").order_by("pk")),
        sorted(Group.objects.values_list("name", "user").order_by()),
    )


# --- Organisations -------------------------------------------------------------------------


def test_a_coordinator_creates_an_organisation(client, coordinator, coalition):
    sign_in(client, coordinator)

    response = client.post(NEW_ORGANISATION, organisation_data(member_of=coalition.pk))

    organisation = Organisation.objects.get(short_name="PDA")
    assert response.status_code == 302
    assert response.url == detail_url(organisation)
    assert (organisation.name_fr, organisation.name_nl) == ("Point d'Appui", "Steunpunt")
    assert organisation.member_of == coalition
    assert organisation.version == 1
    assert organisation.group.name == f"organisation-{organisation.code}"

    shown = client.get(response.url)
    assert "Organisation saved." in page(shown)
    assert "Steunpunt" in page(shown)


def test_a_coordinator_lists_every_organisation_with_its_number_of_people(
    client, coordinator, coalition, org_a, org_b, visitor_a, visitor_b, legal
):
    Organisation.objects.filter(pk=org_a.pk).update(member_of=coalition)
    sign_in(client, coordinator)

    response = client.get(ORGANISATIONS)

    assert response.status_code == 200
    people = {row.short_name: row.people for row in response.context["object_list"]}
    # The coalition: the coordinator and the lawyer; each member: its visitor.
    assert people == {"Move": 2, "JRS": 1, "Caritas": 1}
    assert detail_url(org_a) in page(response)
    assert re.search(r"<td[^>]*>Move</td>", page(response))  # JRS is a member of the coalition


@pytest.mark.parametrize("missing", ["name_fr", "name_nl"])
def test_an_organisation_needs_a_french_and_a_dutch_name(client, coordinator, missing):
    sign_in(client, coordinator)
    before = organisation_state()

    response = client.post(NEW_ORGANISATION, organisation_data(**{missing: ""}))

    assert missing in response.context["form"].errors
    assert "Please correct the fields marked below." in page(response)
    assert 'value="PDA"' in page(response)
    assert organisation_state() == before


def test_two_organisations_cannot_share_a_short_name(client, coordinator, org_a):
    sign_in(client, coordinator)
    before = organisation_state()

    response = client.post(NEW_ORGANISATION, organisation_data(short_name="JRS"))

    assert "short_name" in response.context["form"].errors
    assert organisation_state() == before


@pytest.mark.parametrize("through_another", [False, True])
def test_an_organisation_cannot_be_a_member_of_itself(
    client, coordinator, org_a, org_b, through_another
):
    if through_another:
        Organisation.objects.filter(pk=org_b.pk).update(member_of=org_a)
    parent = org_b if through_another else org_a
    sign_in(client, coordinator)
    before = organisation_state()

    response = client.post(edit_url(org_a), edit_data(org_a, 1, member_of=parent.pk))

    assert response.status_code == 200
    assert "An organisation cannot be a member of itself" in page(response)
    assert organisation_state() == before


def test_a_coordinator_edits_an_organisation(client, coordinator, org_a):
    sign_in(client, coordinator)
    form = client.get(edit_url(org_a))
    assert version_in(form) == 1

    response = client.post(edit_url(org_a), edit_data(org_a, 1, name_nl="Jezuïeten"))

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.name_nl == "Jezuïeten"
    assert org_a.version == 2


def test_a_concurrent_edit_is_refused_and_what_was_typed_is_kept(
    coordinator, second_coordinator, org_a
):
    first, second = sign_in(Client(), coordinator), sign_in(Client(), second_coordinator)
    seen_by_first = version_in(first.get(edit_url(org_a)))
    seen_by_second = version_in(second.get(edit_url(org_a)))
    assert seen_by_first == seen_by_second == 1

    saved = first.post(edit_url(org_a), edit_data(org_a, seen_by_first, name_fr="Nom du premier"))
    assert saved.status_code == 302
    refused = second.post(
        edit_url(org_a), edit_data(org_a, seen_by_second, name_fr="Texte du second")
    )

    assert refused.status_code == 200
    assert str(CONCURRENT_EDIT) in refused.context["form"].non_field_errors()
    assert 'value="Texte du second"' in page(refused)
    org_a.refresh_from_db()
    assert org_a.name_fr == "Nom du premier"
    assert org_a.version == 2


def test_saving_again_after_a_concurrent_edit_is_refused_keeps_the_new_text(
    coordinator, second_coordinator, org_a
):
    """The message says "open the record in a new tab to see their version, then save
    again": the form shown again carries the version now saved, so saving again works."""
    first, second = sign_in(Client(), coordinator), sign_in(Client(), second_coordinator)
    first.post(edit_url(org_a), edit_data(org_a, 1, name_fr="Nom du premier"))
    refused = second.post(edit_url(org_a), edit_data(org_a, 1, name_fr="Texte du second"))
    assert version_in(refused) == 2

    saved = second.post(
        edit_url(org_a), edit_data(org_a, version_in(refused), name_fr="Texte du second")
    )

    assert saved.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.name_fr, org_a.version) == ("Texte du second", 3)


def test_a_save_that_loses_the_race_is_refused_and_shown_again(
    client, coordinator, org_a, monkeypatch
):
    """Someone saves between the form's checks and its save: caught by the version update."""
    save = forms.VersionedModelForm.save

    def someone_else_saves_first(form, commit=True):
        Organisation.objects.filter(pk=org_a.pk).update(name_fr="Leur version", version=2)
        return save(form, commit)

    monkeypatch.setattr(forms.VersionedModelForm, "save", someone_else_saves_first)
    sign_in(client, coordinator)

    response = client.post(edit_url(org_a), edit_data(org_a, 1, name_fr="Ma version"))

    assert response.status_code == 200
    assert str(CONCURRENT_EDIT) in response.context["form"].non_field_errors()
    assert 'value="Ma version"' in page(response)
    assert version_in(response) == 2
    org_a.refresh_from_db()
    assert (org_a.name_fr, org_a.version) == ("Leur version", 2)


def test_the_versioned_form_raises_when_the_record_changed_after_it_was_checked(org_a):
    form = OrganisationForm(edit_data(org_a, 1, name_fr="Ma version"), instance=org_a)
    assert form.is_valid(), form.errors
    Organisation.objects.filter(pk=org_a.pk).update(version=5)

    with pytest.raises(ConcurrentEditError):
        form.save()

    org_a.refresh_from_db()
    assert org_a.name_fr == "Organisation JRS"
    assert form.data["version"] == 5


def test_the_organisation_page_lists_its_people_and_waiting_invitations(
    client, coordinator, org_a, visitor_a, invite
):
    invite(email="waiting@example.org", organisation=org_a)
    sign_in(client, coordinator)

    response = client.get(detail_url(org_a))

    assert response.status_code == 200
    assert "visitor.a@example.org" in page(response)
    assert "waiting@example.org" in page(response)
    assert "Organisatie JRS" in page(response)


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_only_a_coordinator_may_list_or_create_organisations(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))
    before = organisation_state()

    assert client.get(ORGANISATIONS).status_code == 403
    assert client.get(NEW_ORGANISATION).status_code == 403
    assert client.post(NEW_ORGANISATION, organisation_data()).status_code == 403
    assert organisation_state() == before


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_a_non_coordinator_does_not_see_another_organisation(client, request, persona):
    other = OrganisationFactory(short_name="Nansen", kind="partner")
    sign_in(client, request.getfixturevalue(persona))
    before = organisation_state()

    assert client.get(detail_url(other)).status_code == 404
    assert client.get(edit_url(other)).status_code == 404
    assert client.post(edit_url(other), edit_data(other, 1, name_fr="Pris")).status_code == 404
    assert organisation_state() == before


def test_a_visitor_may_not_edit_their_own_organisation(client, visitor_a, org_a):
    sign_in(client, visitor_a)
    before = organisation_state()

    assert client.get(detail_url(org_a)).status_code == 403
    response = client.post(edit_url(org_a), edit_data(org_a, 1, name_fr="Pris"))

    assert response.status_code == 403
    assert "Only coordinators can manage organisations and people." in page(response)
    assert organisation_state() == before


def test_an_anonymous_visitor_is_sent_to_sign_in(client, org_a):
    before = organisation_state()
    for url in (ORGANISATIONS, NEW_ORGANISATION, detail_url(org_a), edit_url(org_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert client.post(edit_url(org_a), edit_data(org_a, 1, name_fr="Pris")).status_code == 302
    assert organisation_state() == before


def test_the_organisation_list_shows_a_dash_for_one_that_belongs_to_no_other(client, coordinator):
    sign_in(client, coordinator)

    response = client.get(ORGANISATIONS)

    assert "INVALID_TEMPLATE_VARIABLE" not in page(response)
    assert re.search(r"<td[^>]*>—</td>", page(response))


# --- Memberships (pages) -------------------------------------------------------------------


def test_a_coordinator_gives_a_role_to_someone_who_has_an_account(
    client, coordinator, org_a, visitor_b
):
    sign_in(client, coordinator)

    response = client.post(
        add_membership_url(org_a), {"email": " VISITOR.B@example.org ", "role": Role.LEGAL}
    )

    assert response.status_code == 302
    assert response.url == detail_url(org_a)
    assert Membership.objects.filter(user=visitor_b, organisation=org_a, role=Role.LEGAL).exists()
    assert org_a.group in visitor_b.groups.all()
    assert "Membership added." in page(client.get(response.url))


def test_a_role_for_an_unknown_address_is_refused_and_changes_nothing(client, coordinator, org_a):
    sign_in(client, coordinator)
    before = membership_state()

    response = client.post(
        add_membership_url(org_a), {"email": "nobody@example.org", "role": Role.VISITOR}
    )

    assert response.status_code == 400
    assert "Nobody has an account with nobody@example.org: send an invitation instead." in page(
        response
    )
    assert 'value="nobody@example.org"' in page(response)
    assert membership_state() == before


def test_a_role_the_person_already_has_is_refused(client, coordinator, org_a, visitor_a):
    sign_in(client, coordinator)
    before = membership_state()

    response = client.post(
        add_membership_url(org_a), {"email": visitor_a.email, "role": Role.VISITOR}
    )

    assert response.status_code == 400
    assert "This person already has this role in this organisation." in page(response)
    assert membership_state() == before


def test_an_unknown_role_for_a_membership_is_refused(client, coordinator, org_a, visitor_b):
    sign_in(client, coordinator)
    before = membership_state()

    response = client.post(add_membership_url(org_a), {"email": visitor_b.email, "role": "boss"})

    assert response.status_code == 400
    assert "role" in response.context["membership_form"].errors
    assert membership_state() == before


def test_ending_the_last_membership_in_an_organisation_removes_the_person_from_its_group(
    client, coordinator, org_a, visitor_a
):
    membership = Membership.objects.get(user=visitor_a)
    sign_in(client, coordinator)

    response = client.post(end_membership_url(membership), follow=True)

    assert response.redirect_chain == [(detail_url(org_a), 302)]
    assert "Membership ended." in page(response)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert org_a.group not in visitor_a.groups.all()


def test_ending_one_of_two_roles_in_an_organisation_keeps_the_group(
    client, coordinator, org_a, visitor_a
):
    services.add_membership(
        email=visitor_a.email, organisation=org_a, role=Role.LEGAL, by=coordinator
    )
    legal_role = Membership.objects.get(user=visitor_a, role=Role.LEGAL)
    sign_in(client, coordinator)

    client.post(end_membership_url(legal_role))

    assert list(visitor_a.memberships.values_list("role", flat=True)) == [Role.VISITOR]
    assert org_a.group in visitor_a.groups.all()


def test_the_last_coordinator_cannot_be_removed(client, coordinator, coalition):
    # Not by themself (nobody ends their own access), nor by a superuser.
    membership = Membership.objects.get(user=coordinator)
    root = with_totp(User.objects.create_superuser("root@example.org", "a-long-pass-phrase-42"))
    sign_in(client, root)
    before = membership_state()

    response = client.post(end_membership_url(membership), follow=True)

    assert response.redirect_chain == [(detail_url(coalition), 302)]
    assert "This is the last coordinator: appoint another one first." in page(response)
    assert "Membership ended." not in page(response)
    assert membership_state() == before


def test_a_coordinator_may_be_removed_while_another_remains(
    client, coordinator, second_coordinator, coalition
):
    membership = Membership.objects.get(user=coordinator)
    sign_in(client, second_coordinator)

    client.post(end_membership_url(membership))

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert coalition.group not in coordinator.groups.all()


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_a_non_coordinator_cannot_change_memberships_elsewhere(
    client, request, persona, org_b, visitor_b, advocacy
):
    other = Membership.objects.get(user=visitor_b)
    sign_in(client, request.getfixturevalue(persona))
    before = membership_state()

    added = client.post(add_membership_url(org_b), {"email": advocacy.email, "role": "visitor"})
    ended = client.post(end_membership_url(other))

    assert (added.status_code, ended.status_code) == (404, 404)
    assert membership_state() == before


def test_a_visitor_cannot_change_memberships_of_their_own_organisation(
    client, visitor_a, org_a, advocacy
):
    own = Membership.objects.get(user=visitor_a)
    sign_in(client, visitor_a)
    before = membership_state()

    added = client.post(add_membership_url(org_a), {"email": advocacy.email, "role": "visitor"})
    ended = client.post(end_membership_url(own))

    assert (added.status_code, ended.status_code) == (403, 403)
    assert membership_state() == before


def test_an_anonymous_visitor_cannot_change_memberships(client, org_a, visitor_a, advocacy):
    own = Membership.objects.get(user=visitor_a)
    before = membership_state()

    added = client.post(add_membership_url(org_a), {"email": advocacy.email, "role": "visitor"})
    ended = client.post(end_membership_url(own))

    for response in (added, ended):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert membership_state() == before


# --- Memberships (services) ----------------------------------------------------------------


def test_add_membership_gives_the_role_and_the_group(coordinator, org_b, visitor_a):
    membership = services.add_membership(
        email=visitor_a.email, organisation=org_b, role=Role.LEGAL, by=coordinator
    )

    assert (membership.user, membership.organisation, membership.role) == (
        visitor_a,
        org_b,
        Role.LEGAL,
    )
    assert permissions.roles_of(membership.user) == {Role.VISITOR, Role.LEGAL}
    assert org_b.group in visitor_a.groups.all()


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_add_membership_refuses_someone_who_is_not_a_coordinator(request, persona, org_b, advocacy):
    with pytest.raises(PermissionDenied):
        services.add_membership(
            email=advocacy.email,
            organisation=org_b,
            role=Role.VISITOR,
            by=request.getfixturevalue(persona),
        )
    assert not Membership.objects.filter(organisation=org_b).exists()


def test_add_membership_refuses_an_unknown_role(coordinator, org_b, advocacy):
    with pytest.raises(ValidationError, match="is not a role of Move"):
        services.add_membership(
            email=advocacy.email, organisation=org_b, role="boss", by=coordinator
        )


def test_add_membership_refuses_an_unknown_or_inactive_person(coordinator, org_b):
    inactive = UserFactory(email="gone@example.org", is_active=False)
    for email in ("nobody@example.org", inactive.email):
        with pytest.raises(ValidationError, match="Nobody has an account"):
            services.add_membership(
                email=email, organisation=org_b, role=Role.VISITOR, by=coordinator
            )
    assert not Membership.objects.filter(organisation=org_b).exists()


def test_add_membership_refuses_a_duplicate(coordinator, org_a, visitor_a):
    with pytest.raises(ValidationError, match="already has this role"):
        services.add_membership(
            email=visitor_a.email, organisation=org_a, role=Role.VISITOR, by=coordinator
        )
    assert Membership.objects.filter(user=visitor_a).count() == 1


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_end_membership_refuses_someone_who_is_not_a_coordinator(request, persona, visitor_b):
    membership = Membership.objects.get(user=visitor_b)

    with pytest.raises(PermissionDenied):
        services.end_membership(membership, by=request.getfixturevalue(persona))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_end_membership_keeps_the_last_active_coordinator(coordinator, org_b):
    # A coordinator whose account is closed does not count.
    member(Role.COORDINATOR, org_b, is_active=False)
    membership = Membership.objects.get(user=coordinator)
    root = User.objects.create_superuser("root@example.org", "a-long-pass-phrase-42")

    with pytest.raises(ValidationError, match="last coordinator"):
        services.end_membership(membership, by=root)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_end_membership_takes_the_role_away_at_once(coordinator, visitor_a):
    membership = Membership.objects.select_related("user").get(user=visitor_a)
    user = membership.user
    assert permissions.roles_of(user) == {Role.VISITOR}  # now cached on this object

    services.end_membership(membership, by=coordinator)

    assert permissions.roles_of(user) == frozenset()
