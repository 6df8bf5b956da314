"""Invitations: a coordinator invites someone by e-mail into an organisation with a role;
the link, which works once and expires, lets the person choose a password and signs
them in with their membership. Through the pages, then at the service level."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from move.accounts import emails, services
from move.accounts.models import Invitation, Membership, User
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import OrganisationFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
LINK = re.compile(r"http://testserver/invitations/accept/(?P<token>[\w-]+)/")
pytestmark = pytest.mark.django_db

NOT_COORDINATORS = ["visitor_a", "legal", "advocacy", "witness_pool", "partner"]

INVITE = reverse("accounts:invitation-create")
INVITATIONS = reverse("accounts:invitation-list")


def accept_url(token):
    return reverse("accounts:invitation-accept", args=[token])


def withdraw_url(invitation):
    return reverse("accounts:invitation-revoke", args=[invitation.code])


def invitation_data(organisation, **overrides):
    data = {
        "email": "new.person@example.org",
        "organisation": organisation.pk,
        "role": Role.VISITOR,
        "language": "fr",
    }
    return data | overrides


def account_data(**overrides):
    data = {
        "first_name": "Amina",
        "last_name": "Diallo",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return data | overrides


def snapshot():
    """What an invitation link or form may change, to show that nothing did."""
    return (
        list(User.objects.values_list("email", "password").order_by("email")),
        list(Membership.objects.values_list("user__email", "organisation", "role").order_by("pk")),
        list(Invitation.objects.values_list("email", "accepted_at", "revoked_at").order_by("pk")),
    )


def page(response):
    return response.content.decode()


# --- Sending an invitation (pages) ---------------------------------------------------------


def test_a_coordinator_invites_someone_by_email(
    client, coordinator, org_a, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, invitation_data(org_a))

    assert response.status_code == 302
    assert response.url == INVITATIONS
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.role, invitation.language) == (
        "new.person@example.org",
        org_a,
        Role.VISITOR,
        "fr",
    )
    assert invitation.invited_by == coordinator
    assert invitation.status == "pending"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    token = LINK.search(message.body)["token"]
    assert Invitation.objects.by_token(token) == invitation

    listing = client.get(INVITATIONS)
    assert "Invitation sent to new.person@example.org." in page(listing)
    assert "Waiting" in page(listing)


def test_the_invitation_form_proposes_the_organisation_it_was_opened_from(
    client, coordinator, org_a
):
    sign_in(client, coordinator)

    response = client.get(INVITE, {"organisation": str(org_a.code)})

    assert response.status_code == 200
    assert response.context["form"]["organisation"].value() == org_a.pk
    assert client.get(INVITE, {"organisation": "not-a-code"}).status_code == 200


@pytest.mark.parametrize(
    ("language", "organisation_name"),
    [("fr", "Organisation JRS"), ("nl", "Organisatie JRS")],
)
def test_the_invitation_email_is_written_in_the_language_of_the_invitation(
    invite, monkeypatch, language, organisation_name
):
    rendered = []
    render = emails.render_to_string

    def recording(template_name, context):
        rendered.append((template_name, translation.get_language()))
        return render(template_name, context)

    monkeypatch.setattr(emails, "render_to_string", recording)

    invitation, token = invite(language=language)  # the e-mail leaves on commit

    # Both parts come from templates/emails/invitation-*.txt, rendered while the
    # recipient's language was active; the page's language (en) is back afterwards.
    assert rendered == [
        ("emails/invitation-subject.txt", language),
        ("emails/invitation-body.txt", language),
    ]
    assert translation.get_language() == "en"
    (message,) = mail.outbox
    assert message.to == [invitation.email]
    # The organisation's name is translated content: it shows the recipient's language.
    assert organisation_name in message.subject
    assert organisation_name in message.body
    assert f"http://testserver/invitations/accept/{token}/" in message.body
    assert "INVALID_TEMPLATE_VARIABLE" not in message.subject + message.body


def test_a_second_invitation_to_an_address_that_is_waiting_is_refused(
    client, coordinator, org_a, org_b, invite, django_capture_on_commit_callbacks
):
    invite(email="new.person@example.org")
    mail.outbox.clear()
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE, invitation_data(org_b, email="New.Person@Example.org", role=Role.LEGAL)
        )

    assert response.status_code == 400
    assert "An invitation to new.person@example.org is already waiting." in page(response)
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_an_invitation_to_an_address_that_has_an_account_is_refused(
    client, coordinator, org_a, visitor_b, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, invitation_data(org_a, email="VISITOR.B@example.org"))

    assert response.status_code == 400
    assert "visitor.b@example.org already has an account" in page(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_unknown_role_is_refused_and_nothing_is_sent(
    client, coordinator, org_a, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, invitation_data(org_a, role="superuser"))

    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    # What was typed is still there.
    assert 'value="new.person@example.org"' in page(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_inactive_organisation_cannot_be_chosen(client, coordinator):
    closed = OrganisationFactory(active=False)
    sign_in(client, coordinator)

    response = client.post(INVITE, invitation_data(closed))

    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_only_a_coordinator_may_send_an_invitation(
    client, request, persona, org_a, django_capture_on_commit_callbacks
):
    sign_in(client, request.getfixturevalue(persona))

    with django_capture_on_commit_callbacks(execute=True):
        shown = client.get(INVITE)
        sent = client.post(INVITE, invitation_data(org_a))

    assert shown.status_code == 403
    assert sent.status_code == 403
    assert "Only coordinators can manage organisations and people." in page(sent)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_is_sent(
    client, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, invitation_data(org_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- Withdrawing (pages) -------------------------------------------------------------------


def test_a_coordinator_withdraws_a_waiting_invitation(client, coordinator, invite):
    invitation, _token = invite()
    sign_in(client, coordinator)

    response = client.post(withdraw_url(invitation), follow=True)

    assert response.redirect_chain == [(INVITATIONS, 302)]
    assert "Invitation withdrawn." in page(response)
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert "Withdrawn" in page(response)


def test_withdrawing_an_invitation_that_was_used_meanwhile_says_so(client, coordinator, invite):
    invitation, token = invite()
    services.accept_invitation(token, first_name="A", last_name="B", password=NEW_PASSWORD)
    sign_in(client, coordinator)

    response = client.post(withdraw_url(invitation), follow=True)

    assert "Invitation withdrawn." not in page(response)
    assert "is no longer waiting (Accepted): nothing was withdrawn." in page(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert invitation.status == "accepted"


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_only_a_coordinator_may_withdraw_an_invitation(client, request, persona, invite):
    invitation, _token = invite()
    sign_in(client, request.getfixturevalue(persona))

    response = client.post(withdraw_url(invitation))

    # Invitations are invisible to them: the link does not reveal that it exists.
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_anonymous_visitor_cannot_withdraw_an_invitation(client, invite):
    invitation, _token = invite()

    response = client.post(withdraw_url(invitation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_the_invitation_list_shows_the_status_of_each_invitation(client, coordinator, invite):
    waiting, _ = invite(email="waiting@example.org")
    accepted, token = invite(email="accepted@example.org")
    services.accept_invitation(token, first_name="A", last_name="B", password=NEW_PASSWORD)
    withdrawn, _ = invite(email="withdrawn@example.org")
    services.revoke_invitation(withdrawn, by=coordinator)
    expired, _ = invite(email="expired@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    sign_in(client, coordinator)

    response = client.get(INVITATIONS)

    rows = {row.email: row.get_status_display() for row in response.context["object_list"]}
    assert rows == {
        "waiting@example.org": "Waiting",
        "accepted@example.org": "Accepted",
        "withdrawn@example.org": "Withdrawn",
        "expired@example.org": "Expired",
    }
    # Only the waiting one can be withdrawn.
    assert page(response).count("Withdraw the invitation to") == 1
    assert withdraw_url(waiting) in page(response)


def test_the_invitation_list_is_paginated(client, coordinator, invite):
    for number in range(51):
        invite(email=f"person{number:02}@example.org")
    sign_in(client, coordinator)

    first = client.get(INVITATIONS)
    second = client.get(INVITATIONS, {"page": 2})

    shown = [row.email for response in (first, second) for row in response.context["object_list"]]
    assert len(first.context["object_list"]) == 50
    assert sorted(shown) == [f"person{number:02}@example.org" for number in range(51)]


# --- Accepting (pages) ---------------------------------------------------------------------


def test_the_link_shows_who_is_invited_and_for_what(client, invite):
    _invitation, token = invite(role=Role.LEGAL)

    response = client.get(accept_url(token))

    assert response.status_code == 200
    text = page(response)
    assert "new.person@example.org" in text
    assert escape("Lawyer") in text
    assert "Organisation JRS" in text


def test_the_link_sets_a_password_and_signs_the_person_in(client, invite, org_a):
    invitation, token = invite(role=Role.ADVOCACY, language="en")

    response = client.post(accept_url(token), account_data())

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert (user.first_name, user.last_name, user.language) == ("Amina", "Diallo", "en")
    assert list(user.memberships.values_list("organisation", "role")) == [(org_a.pk, Role.ADVOCACY)]
    assert org_a.group in user.groups.all()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert client.session[SESSION_KEY] == str(user.pk)

    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Welcome to Move. Your account is ready." in page(home)
    assert "Advocacy — Organisation JRS" in page(home)


def test_a_new_visitor_goes_straight_to_the_second_factor_set_up(client, invite):
    """They have just chosen their password: the TOTP page must not ask for it again."""
    _invitation, token = invite(role=Role.VISITOR)

    response = client.post(accept_url(token), account_data(), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert not any(reverse("account_reauthenticate") in url for url, _ in response.redirect_chain)


def test_the_link_works_only_once(client, invite):
    _invitation, token = invite()
    client.post(accept_url(token), account_data())
    client.logout()
    before = snapshot()

    shown = client.get(accept_url(token))
    posted = client.post(accept_url(token), account_data(password1="another-long-pass-phrase-7"))

    for response in (shown, posted):
        assert response.status_code == 410
        assert "This invitation has already been used." in page(response)
    assert snapshot() == before
    assert SESSION_KEY not in client.session


def test_an_expired_link_says_so_and_creates_nothing(client, invite):
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    before = snapshot()

    shown = client.get(accept_url(token))
    posted = client.post(accept_url(token), account_data())

    for response in (shown, posted):
        assert response.status_code == 410
        assert "This invitation has expired. Ask a coordinator for a new one." in page(response)
    assert snapshot() == before
    assert SESSION_KEY not in client.session


def test_a_withdrawn_link_says_so_and_creates_nothing(client, coordinator, invite):
    invitation, token = invite()
    services.revoke_invitation(invitation, by=coordinator)
    before = snapshot()

    shown = client.get(accept_url(token))
    posted = client.post(accept_url(token), account_data())

    for response in (shown, posted):
        assert response.status_code == 410
        assert "This invitation was withdrawn. Ask a coordinator for a new one." in page(response)
    assert snapshot() == before


def test_an_unknown_token_answers_404(client, invite):
    invite()
    before = snapshot()

    shown = client.get(accept_url("not-a-real-token"))
    posted = client.post(accept_url("not-a-real-token"), account_data())

    for response in (shown, posted):
        assert response.status_code == 404
        assert "This invitation link is not valid." in page(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password2": "not-the-same-passphrase-42"}, "The two passwords do not match."),
        ({"password1": "12345678901234", "password2": "12345678901234"}, "entirely numeric"),
        (
            {"password1": "new.person@example", "password2": "new.person@example"},
            "too similar to the e-mail address",
        ),
    ],
)
def test_a_refused_password_keeps_what_was_typed_and_creates_nothing(
    client, invite, typed, message
):
    invitation, token = invite()
    before = snapshot()

    response = client.post(accept_url(token), account_data(**typed))

    assert response.status_code == 400
    text = page(response)
    assert message in text
    assert 'value="Amina"' in text
    assert 'value="Diallo"' in text
    assert snapshot() == before
    assert SESSION_KEY not in client.session
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_a_link_for_an_address_that_got_an_account_meanwhile_says_so(client, invite):
    invitation, token = invite()
    User.objects.create_user(invitation.email, "the-first-long-passphrase-1")
    before = snapshot()

    response = client.post(accept_url(token), account_data())

    assert response.status_code == 400
    assert "An account with this e-mail address already exists. Sign in." in page(response)
    assert 'value="Amina"' in page(response)
    assert snapshot() == before
    assert SESSION_KEY not in client.session


def test_a_signed_in_person_cannot_accept_an_invitation_for_someone_else(client, advocacy, invite):
    invitation, token = invite()
    sign_in(client, advocacy)

    response = client.post(accept_url(token), account_data(), follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Sign out before accepting an invitation for someone else." in page(response)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not User.objects.filter(email=invitation.email).exists()


def test_the_token_is_stored_only_as_a_hash(invite):
    invitation, token = invite()

    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert invitation.token_hash != token
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in stored.values())
    assert len(token) >= 40  # 32 random bytes


# --- Services ------------------------------------------------------------------------------


def test_invite_cleans_the_address_and_sets_an_expiry(invite, settings):
    invitation, _token = invite(email="  Someone.New@Example.ORG ")

    assert invitation.email == "someone.new@example.org"
    expected = timezone.now() + timedelta(days=settings.MOVE_INVITATION_DAYS)
    assert abs(invitation.expires_at - expected) < timedelta(minutes=1)


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_invite_refuses_someone_who_is_not_a_coordinator(request, persona, org_a):
    with pytest.raises(PermissionDenied):
        services.invite(
            email="new.person@example.org",
            organisation=org_a,
            role=Role.VISITOR,
            language="fr",
            by=request.getfixturevalue(persona),
            site_url="http://testserver/",
        )
    assert not Invitation.objects.exists()


def test_invite_refuses_an_unknown_role(invite):
    with pytest.raises(ValidationError, match="is not a role of Move"):
        invite(role="superuser")
    assert not Invitation.objects.exists()


def test_invite_refuses_an_address_that_has_an_account(invite, visitor_a):
    with pytest.raises(ValidationError, match="already has an account"):
        invite(email=visitor_a.email)
    assert not Invitation.objects.exists()


def test_a_new_invitation_may_follow_one_that_was_withdrawn_or_has_expired(invite, coordinator):
    first, _ = invite()
    with pytest.raises(ValidationError, match="already waiting"):
        invite()

    services.revoke_invitation(first, by=coordinator)
    second, _ = invite()
    Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    third, _ = invite()

    assert third.status == "pending"
    assert Invitation.objects.pending().get() == third


def test_accept_invitation_creates_the_account_membership_and_group(invite, org_b):
    invitation, token = invite(organisation=org_b, role=Role.WITNESS_POOL, language="nl")

    user = services.accept_invitation(
        token, first_name="Amina", last_name="Diallo", password=NEW_PASSWORD
    )

    assert user.email == invitation.email
    assert user.check_password(NEW_PASSWORD)
    assert user.language == "nl"
    assert user.roles == {Role.WITNESS_POOL}
    assert list(user.groups.all()) == [org_b.group]
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def _used(invitation, token, coordinator):
    services.accept_invitation(token, first_name="A", last_name="B", password=NEW_PASSWORD)


def _withdrawn(invitation, token, coordinator):
    services.revoke_invitation(invitation, by=coordinator)


def _expired(invitation, token, coordinator):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_used, "already been used"),
        (_withdrawn, "was withdrawn"),
        (_expired, "has expired"),
    ],
)
def test_accept_invitation_refuses_a_link_that_cannot_be_used(invite, coordinator, spoil, message):
    invitation, token = invite()
    spoil(invitation, token, coordinator)
    before = snapshot()

    with pytest.raises(ValidationError, match=message):
        services.accept_invitation(
            token, first_name="C", last_name="D", password="another-long-pass-phrase-7"
        )
    assert snapshot() == before


def test_accept_invitation_refuses_an_unknown_token(invite):
    invite()
    with pytest.raises(ValidationError, match="not valid"):
        services.accept_invitation("nope", first_name="C", last_name="D", password=NEW_PASSWORD)
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_accept_invitation_refuses_when_the_account_was_created_meanwhile(invite):
    invitation, token = invite()
    User.objects.create_user(invitation.email, NEW_PASSWORD)

    with pytest.raises(ValidationError, match="already exists"):
        services.accept_invitation(token, first_name="C", last_name="D", password=NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Membership.objects.filter(user__email=invitation.email).exists()


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_revoke_invitation_refuses_someone_who_is_not_a_coordinator(request, persona, invite):
    invitation, _token = invite()

    with pytest.raises(PermissionDenied):
        services.revoke_invitation(invitation, by=request.getfixturevalue(persona))
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_revoke_invitation_refuses_one_that_is_no_longer_waiting(invite, coordinator):
    invitation, _token = invite()
    services.revoke_invitation(invitation, by=coordinator)
    revoked_at = invitation.revoked_at

    with pytest.raises(ValidationError, match="no longer waiting"):
        services.revoke_invitation(invitation, by=coordinator)
    invitation.refresh_from_db()
    assert invitation.revoked_at == revoked_at
