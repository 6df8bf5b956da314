"""Rules found by review: addresses in lower case, a removed second factor ends the
other sessions, a switched-off organisation gives no rights, old sessions are purged."""

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from move.accounts import permissions, services, tasks
from move.accounts.models import Invitation, Membership, User
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import member, with_totp

pytestmark = pytest.mark.django_db


def test_an_address_is_kept_in_lower_case():
    person = User.objects.create_user("someone@example.org", "a-long-enough-password")
    person.email = "Someone.Else@Example.ORG"
    person.save()

    assert User.objects.get(pk=person.pk).email == "someone.else@example.org"


def test_the_database_refuses_the_same_address_in_other_capitals():
    User.objects.create_user("twice@example.org", "a-long-enough-password")

    # bulk_create skips save(): the constraint itself must hold.
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="TWICE@example.org")])


def test_removing_the_second_factor_ends_the_persons_other_sessions(visitor_a):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        sign_in(client, visitor_a)
        assert client.get("/").status_code == 200
    assert UserSession.objects.filter(user=visitor_a).count() == 2

    response = here.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert UserSession.objects.filter(user=visitor_a).count() == 1
    sent = elsewhere.get(reverse("centres:centre-list"))
    assert sent.status_code == 302
    assert sent.url.startswith(reverse("account_login"))
    # The session that removed it is asked to set a factor up again.
    assert here.get("/").url == reverse("mfa_activate_totp")


def test_a_switched_off_organisation_gives_its_members_no_rights(org_a):
    visitor = with_totp(member(Role.VISITOR, org_a))
    assert permissions.has_perm(visitor, "centres.view_centre")

    org_a.active = False
    org_a.save()
    permissions.forget(visitor)

    assert not permissions.has_perm(visitor, "centres.view_centre")
    assert permissions.organisations_of(visitor) == frozenset()


def test_expired_sessions_and_their_records_are_purged(visitor_a, advocacy, settings):
    # Expired here by editing the database row; with Redis (cached_db) the cached copy
    # expires on its own timeout, which a test cannot wait for.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    old, current = Client(), Client()
    sign_in(old, visitor_a)
    sign_in(current, advocacy)
    for client in (old, current):
        client.get("/")
    Session.objects.filter(session_key=old.session.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    removed = tasks.clear_expired_sessions()

    assert removed == 1
    assert not Session.objects.filter(session_key=old.session.session_key).exists()
    assert list(UserSession.objects.values_list("user", flat=True)) == [advocacy.pk]


def test_a_membership_sent_twice_at_once_is_refused_not_a_server_error(
    coordinator, org_a, monkeypatch
):
    person = member(Role.LEGAL)
    Membership.objects.create(user=person, organisation=org_a, role=Role.VISITOR)
    # The other request inserted between this one's check and its insert.
    monkeypatch.setattr(services.Membership.objects, "filter", _never_found(Membership))

    with pytest.raises(ValidationError, match="already has this role"):
        services.add_membership(
            email=person.email, organisation=org_a, role=Role.VISITOR, by=coordinator
        )
    assert Membership.objects.filter(user=person, organisation=org_a).count() == 1


def _never_found(model):
    real_filter = model.objects.filter

    def filter_(*args, **kwargs):
        found = real_filter(*args, **kwargs)
        return found.none() if "role" in kwargs else found

    return filter_


def test_the_invitation_token_is_not_handed_to_the_task_queue(coordinator, org_a, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.send_invitation, "delay_on_commit", lambda *args: queued.append(args))

    invitation = services.invite(
        email="queued@example.org",
        organisation=org_a,
        role=Role.VISITOR,
        language="nl",
        by=coordinator,
        site_url="https://move.example.org/",
    )

    assert queued == [(invitation.pk, "https://move.example.org/")]


def test_the_task_makes_the_token_and_only_its_hash_is_kept(coordinator, org_a, invite):
    invitation, token = invite(email="hashed@example.org")

    assert token not in invitation.token_hash
    assert Invitation.objects.by_token(token) == invitation
    assert f"/invitations/accept/{token}/" in mail.outbox[-1].body
