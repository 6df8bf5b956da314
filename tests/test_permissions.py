"""The access rules module (DESIGN.md §3): roles and permissions as data, a few
functions that read them, and the sharing helpers built on direct-FK guardian models."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from move.accounts import permissions
from move.accounts.models import User
from move.accounts.permissions import (
    MFA_ROLES,
    PERMISSIONS,
    REFUSAL_REASONS,
    ROLE_PERMISSIONS,
    Role,
    UnknownPermission,
)
from move.centres.models import Centre
from tests.factories import CentreFactory, OrganisationFactory, UserFactory, member
from tests.sharing.models import Note

ALL_ROLES = ["visitor_a", "legal", "coordinator", "advocacy", "witness_pool", "partner"]


def fresh(user):
    """The same person as a new request would load them: nothing cached."""
    return User.objects.get(pk=user.pk)


# --- Roles and permissions as data --------------------------------------------------------


@pytest.mark.parametrize(
    "ask",
    [
        lambda: permissions.has_perm(AnonymousUser(), "centres.view_centres"),
        lambda: permissions.require(AnonymousUser(), "centre.view_centre"),
        lambda: permissions.roles_with("visits.view_everything"),
    ],
    ids=["has_perm", "require", "roles_with"],
)
def test_an_unknown_permission_name_raises_instead_of_refusing_quietly(ask):
    with pytest.raises(UnknownPermission, match="declare it in PERMISSIONS"):
        ask()


def test_an_unknown_permission_name_raises_even_for_a_superuser(db):
    admin = UserFactory(is_superuser=True)
    with pytest.raises(UnknownPermission):
        permissions.has_perm(admin, "centres.delete_everything")


def test_every_granted_permission_is_declared():
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted - set(PERMISSIONS) == set()


def test_every_role_has_an_entry_in_the_role_table():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_every_refusal_reason_names_a_declared_permission():
    assert set(REFUSAL_REASONS) - set(PERMISSIONS) == set()


def test_roles_with_reads_the_role_table():
    assert permissions.roles_with("centres.change_centre") == {Role.COORDINATOR}
    assert permissions.roles_with("centres.view_centre") == set(Role.values) - {Role.PARTNER}


@pytest.mark.parametrize(
    ("persona", "can_view", "can_change"),
    [
        ("visitor_a", True, False),
        ("legal", True, False),
        ("coordinator", True, True),
        ("advocacy", True, False),
        ("witness_pool", True, False),
        ("partner", False, False),
    ],
)
def test_each_role_has_the_centre_permissions_of_the_role_table(
    persona, can_view, can_change, request
):
    user = request.getfixturevalue(persona)
    assert permissions.has_perm(user, "centres.view_centre") is can_view
    assert permissions.has_perm(user, "centres.change_centre") is can_change


@pytest.mark.parametrize("persona", ALL_ROLES)
def test_has_perm_follows_the_role_table_for_every_permission(persona, request):
    user = request.getfixturevalue(persona)
    (role,) = permissions.roles_of(user)
    for perm in PERMISSIONS:
        assert permissions.has_perm(user, perm) is (perm in ROLE_PERMISSIONS[role]), perm


def test_a_partner_has_no_access_to_centres(partner):
    CentreFactory()
    # A partner opens the report list (where only reports shared with it appear) and the
    # exchange meetings (those its organisation attended) and the figures with small
    # numbers suppressed, nothing else.
    assert permissions.permissions_of(partner) == frozenset(
        {"visits.read_reports", "advocacy.view_exchange_meeting", "figures.view_published_figures"}
    )
    assert list(Centre.objects.visible_to(partner)) == []


def test_a_person_with_two_memberships_gets_the_union_of_both_roles(org_a, coalition):
    user = member(Role.VISITOR, org_a)
    user.memberships.create(organisation=coalition, role=Role.COORDINATOR)
    user = fresh(user)
    assert permissions.roles_of(user) == {Role.VISITOR, Role.COORDINATOR}
    assert permissions.permissions_of(user) == (
        ROLE_PERMISSIONS[Role.VISITOR] | ROLE_PERMISSIONS[Role.COORDINATOR]
    )
    assert permissions.organisations_of(user) == {org_a.pk, coalition.pk}
    assert permissions.organisations_of(user, {Role.VISITOR}) == {org_a.pk}


def test_a_partner_who_is_also_a_visitor_elsewhere_sees_centres(partner, org_a):
    partner.memberships.create(organisation=org_a, role=Role.VISITOR)
    assert permissions.has_perm(fresh(partner), "centres.view_centre")


def test_an_inactive_person_has_nothing(coordinator):
    coordinator.is_active = False
    coordinator.save()
    coordinator = fresh(coordinator)
    assert permissions.memberships_of(coordinator) == frozenset()
    assert permissions.permissions_of(coordinator) == frozenset()
    assert not permissions.has_perm(coordinator, "centres.view_centre")


def test_an_inactive_superuser_has_nothing(db):
    admin = UserFactory(is_superuser=True, is_active=False)
    assert permissions.permissions_of(admin) == frozenset()


def test_an_anonymous_visitor_has_nothing(db):
    anonymous = AnonymousUser()
    assert permissions.memberships_of(anonymous) == frozenset()
    for perm in PERMISSIONS:
        assert not permissions.has_perm(anonymous, perm)


def test_a_superuser_has_every_permission_without_any_membership(db):
    admin = UserFactory(is_superuser=True)
    assert permissions.roles_of(admin) == frozenset()
    assert permissions.permissions_of(admin) == set(PERMISSIONS)
    assert all(permissions.has_perm(admin, perm) for perm in PERMISSIONS)


def test_require_lets_an_allowed_person_through(coordinator):
    assert permissions.require(coordinator, "centres.change_centre") is None


def test_require_refuses_with_the_reason_of_the_refusal(visitor_a):
    with pytest.raises(PermissionDenied) as refused:
        permissions.require(visitor_a, "centres.change_centre")
    assert str(refused.value) == "Only coordinators can edit centres."


def test_require_refuses_with_a_general_reason_when_none_is_declared(partner):
    assert "centres.view_centre" not in REFUSAL_REASONS
    with pytest.raises(PermissionDenied) as refused:
        permissions.require(partner, "centres.view_centre")
    assert str(refused.value) == "You are not allowed to do this."


# --- Memberships are read once per user object --------------------------------------------


def test_memberships_are_read_with_one_query_per_user_object(
    coordinator, django_assert_num_queries
):
    user = fresh(coordinator)
    with django_assert_num_queries(1):
        for _ in range(10):
            permissions.has_perm(user, "centres.change_centre")
        permissions.roles_of(user)
        permissions.organisations_of(user)
        permissions.requires_mfa(user)


def test_forget_drops_the_cached_memberships(visitor_a, coalition, django_assert_num_queries):
    user = fresh(visitor_a)
    assert not permissions.has_perm(user, "centres.change_centre")
    user.memberships.create(organisation=coalition, role=Role.COORDINATOR)
    assert not permissions.has_perm(user, "centres.change_centre")  # still the cached answer
    permissions.forget(user)
    with django_assert_num_queries(1):
        assert permissions.has_perm(user, "centres.change_centre")
        assert permissions.has_perm(user, "accounts.manage_organisations")


def test_forget_on_a_user_never_read_does_nothing(visitor_a):
    user = fresh(visitor_a)
    permissions.forget(user)
    assert permissions.has_perm(user, "centres.view_centre")


# --- Second factor ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "needs_mfa"),
    [
        ("visitor_a", True),
        ("legal", True),
        ("coordinator", True),
        ("witness_pool", True),
        ("advocacy", False),
        ("partner", False),
    ],
)
def test_roles_that_see_personal_data_require_a_second_factor(persona, needs_mfa, request):
    user = request.getfixturevalue(persona)
    assert permissions.requires_mfa(user) is needs_mfa
    assert bool(permissions.roles_of(user) & MFA_ROLES) is needs_mfa


def test_a_superuser_requires_a_second_factor(db):
    assert permissions.requires_mfa(UserFactory(is_superuser=True))


def test_a_person_without_any_membership_does_not_require_a_second_factor(db):
    assert not permissions.requires_mfa(UserFactory())


@pytest.mark.parametrize("persona", ALL_ROLES)
def test_nobody_requires_a_second_factor_when_the_setting_is_off(persona, request, settings):
    settings.MOVE_REQUIRE_MFA = False
    assert not permissions.requires_mfa(request.getfixturevalue(persona))


def test_a_superuser_does_not_require_a_second_factor_when_the_setting_is_off(db, settings):
    settings.MOVE_REQUIRE_MFA = False
    assert not permissions.requires_mfa(UserFactory(is_superuser=True))


# --- Querysets for reference data ---------------------------------------------------------


def test_all_if_gives_everything_to_those_with_the_permission_and_nothing_to_others(
    visitor_a, partner
):
    centres = {CentreFactory(), CentreFactory()}
    assert set(permissions.all_if(Centre.objects.all(), visitor_a, "centres.view_centre")) == (
        centres
    )
    assert list(permissions.all_if(Centre.objects.all(), partner, "centres.view_centre")) == []


# --- Sharing one record with another organisation (django-guardian, direct FK) ------------


@pytest.fixture
def note_a(org_a):
    return Note.objects.create(organisation=org_a, title="Note of JRS")


@pytest.fixture
def note_b(org_b):
    return Note.objects.create(organisation=org_b, title="Note of Caritas")


@pytest.fixture
def third_org_visitor(db):
    return member(Role.VISITOR, OrganisationFactory(short_name="VWV"))


def visible(user):
    return set(Note.objects.visible_to(fresh(user)))


def test_a_visitor_sees_the_notes_of_their_organisation_only(visitor_a, note_a, note_b):
    assert visible(visitor_a) == {note_a}


def test_a_visitor_sees_a_note_once_it_is_shared_with_their_organisation(
    visitor_a, visitor_b, note_a, note_b, org_a
):
    permissions.share(note_b, org_a, "view_note")
    assert visible(visitor_a) == {note_a, note_b}
    assert visible(visitor_b) == {note_b}


def test_a_shared_list_is_one_sql_query(
    visitor_a, note_a, note_b, org_a, django_assert_num_queries
):
    permissions.share(note_b, org_a, "view_note")
    user = fresh(visitor_a)
    with django_assert_num_queries(1):
        permissions.memberships_of(user)
    with django_assert_num_queries(1):
        notes = list(Note.objects.visible_to(user))
    assert set(notes) == {note_a, note_b}


def test_a_shared_list_costs_one_query_plus_the_memberships_read_once(
    visitor_a, note_a, note_b, org_a, django_assert_num_queries
):
    permissions.share(note_b, org_a, "view_note")
    user = fresh(visitor_a)
    with django_assert_num_queries(3):
        for _ in range(2):
            assert len(list(Note.objects.visible_to(user))) == 2


def test_a_note_is_gone_once_unshared(visitor_a, note_a, note_b, org_a):
    permissions.share(note_b, org_a, "view_note")
    permissions.unshare(note_b, org_a, "view_note")
    assert visible(visitor_a) == {note_a}
    assert not permissions.is_shared_with_user(
        note_b, fresh(visitor_a), {Role.VISITOR}, "view_note"
    )


def test_unsharing_keeps_the_shares_with_other_organisations(
    visitor_a, note_b, org_a, third_org_visitor
):
    third_org = third_org_visitor.memberships.get().organisation
    permissions.share(note_b, org_a, "view_note")
    permissions.share(note_b, third_org, "view_note")
    permissions.unshare(note_b, org_a, "view_note")
    assert visible(visitor_a) == set()
    assert visible(third_org_visitor) == {note_b}


def test_sharing_twice_is_harmless(visitor_a, note_b, org_a):
    permissions.share(note_b, org_a, "view_note")
    permissions.share(note_b, org_a, "view_note")
    assert list(Note.objects.visible_to(fresh(visitor_a))) == [note_b]


def test_someone_from_a_third_organisation_never_sees_a_note_shared_with_another(
    third_org_visitor, note_b, org_a
):
    permissions.share(note_b, org_a, "view_note")
    assert visible(third_org_visitor) == set()
    assert not permissions.is_shared_with_user(
        note_b, fresh(third_org_visitor), {Role.VISITOR}, "view_note"
    )


def test_a_partner_never_sees_a_note_not_even_one_shared_with_their_organisation(
    partner, partner_org, note_a, note_b, org_a
):
    permissions.share(note_b, org_a, "view_note")
    permissions.share(note_a, partner_org, "view_note")
    assert visible(partner) == set()


def test_a_share_of_another_permission_does_not_open_the_list(visitor_a, note_b, org_a):
    permissions.share(note_b, org_a, "change_note")
    assert visible(visitor_a) == set()
    assert not permissions.is_shared_with_user(
        note_b, fresh(visitor_a), {Role.VISITOR}, "view_note"
    )


def test_is_shared_with_user_answers_for_the_organisations_of_that_role(
    visitor_a, visitor_b, partner, note_b, org_a
):
    assert not permissions.is_shared_with_user(
        note_b, fresh(visitor_a), {Role.VISITOR}, "view_note"
    )
    permissions.share(note_b, org_a, "view_note")
    assert permissions.is_shared_with_user(note_b, fresh(visitor_a), {Role.VISITOR}, "view_note")
    # Owning a note is not having it shared.
    assert not permissions.is_shared_with_user(
        note_b, fresh(visitor_b), {Role.VISITOR}, "view_note"
    )
    assert not permissions.is_shared_with_user(note_b, fresh(partner), {Role.VISITOR}, "view_note")
    # The share is with the organisation, used through the visitor role only.
    assert not permissions.is_shared_with_user(
        note_b, fresh(visitor_a), {Role.COORDINATOR}, "view_note"
    )


def test_a_share_reaches_a_newcomer_of_the_organisation(note_b, org_a):
    permissions.share(note_b, org_a, "view_note")
    newcomer = member(Role.VISITOR, org_a)
    assert visible(newcomer) == {note_b}


def test_shares_need_a_direct_foreign_key_permission_model(org_a, visitor_a):
    centre = CentreFactory()
    with pytest.raises(TypeError, match="no direct-FK group permission model"):
        permissions.shared_pks(Centre, {org_a.group_id}, "view_centre")
    with pytest.raises(TypeError, match="no direct-FK group permission model"):
        permissions.is_shared_with_user(centre, fresh(visitor_a), {Role.VISITOR}, "view_centre")


def test_sharing_a_record_without_a_direct_foreign_key_permission_model_raises(org_a):
    centre = CentreFactory()
    with pytest.raises(TypeError, match="no direct-FK group permission model"):
        permissions.share(centre, org_a, "view_centre")
    with pytest.raises(TypeError, match="no direct-FK group permission model"):
        permissions.unshare(centre, org_a, "view_centre")


def test_holders_are_the_active_people_has_perm_grants(org_a, coalition, visitor_a, legal):
    gone = member(Role.LEGAL, coalition, email="gone@example.org")
    gone.is_active = False
    gone.save()
    switched_off = OrganisationFactory(active=False)
    member(Role.LEGAL, switched_off, email="switched-off@example.org")
    holders = set(permissions.holders("legal.answer_help_request"))
    assert holders == {legal}
    assert all(permissions.has_perm(user, "legal.answer_help_request") for user in holders)
    assert set(permissions.holders("advocacy.view_point", roles={Role.VISITOR})) == {visitor_a}


@pytest.mark.parametrize(
    ("persona", "variant"),
    [
        ("coordinator", permissions.FIGURES_FULL),
        ("legal", permissions.FIGURES_FULL),
        ("advocacy", permissions.FIGURES_FULL),
        ("visitor_a", permissions.FIGURES_COALITION),
        ("partner", permissions.FIGURES_PUBLISHED),
        ("witness_pool", None),
    ],
)
def test_each_role_reads_its_variant_of_the_figures(persona, variant, request):
    user = request.getfixturevalue(persona)
    assert permissions.figures_variant(user) == variant
    # "For publication": the suppressed variant, whoever reads it; still nothing for the pool.
    published = None if variant is None else permissions.FIGURES_PUBLISHED
    assert permissions.figures_variant(user, publication=True) == published


@pytest.mark.parametrize(
    ("persona", "asked", "within"),
    [
        ("coordinator", permissions.FIGURES_FULL, permissions.FIGURES_FULL),
        ("visitor_a", permissions.FIGURES_FULL, permissions.FIGURES_COALITION),
        ("partner", permissions.FIGURES_COALITION, permissions.FIGURES_PUBLISHED),
        ("coordinator", permissions.FIGURES_PUBLISHED, permissions.FIGURES_PUBLISHED),
        ("witness_pool", permissions.FIGURES_PUBLISHED, None),
    ],
)
def test_a_variant_asked_earlier_is_narrowed_to_what_the_reader_reads_now(
    persona, asked, within, request
):
    user = request.getfixturevalue(persona)
    assert permissions.figures_variant_within(user, asked) == within
