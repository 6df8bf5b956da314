"""Two-factor authentication: roles that see personal data (and superusers) must set up
TOTP before anything else, when MOVE_REQUIRE_MFA is on; the secret is stored encrypted."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from move.accounts.adapters import MFAAdapter
from move.accounts.models import User
from move.accounts.permissions import Role
from move.privacy.crypto import UnreadableData
from tests.conftest import sign_in
from tests.factories import member, with_totp

pytestmark = pytest.mark.django_db

SET_UP = reverse("mfa_activate_totp")
FORCED_ROLES = [Role.VISITOR, Role.LEGAL, Role.COORDINATOR, Role.WITNESS_POOL]
GUARDED_PAGES = ["/", "/centres/", "/organisations/", "/invitations/", "/accounts/sessions/"]


def without_totp(role):
    return member(role, email=f"{role}.without.totp@example.org")


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("path", GUARDED_PAGES)
@pytest.mark.parametrize("role", FORCED_ROLES)
def test_a_person_who_sees_personal_data_must_set_up_totp_first(client, role, path):
    sign_in(client, without_totp(role))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == SET_UP


@pytest.mark.parametrize("role", FORCED_ROLES)
def test_a_person_without_totp_can_still_reach_the_set_up_and_sign_out(client, role):
    sign_in(client, without_totp(role))

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(SET_UP).status_code == 200
    signed_out = client.post(reverse("account_logout"))

    assert signed_out.status_code == 302
    assert SESSION_KEY not in client.session


def test_a_person_without_totp_can_still_choose_a_language(client):
    sign_in(client, without_totp(Role.VISITOR))

    response = client.post(reverse("set_language"), {"language": "nl", "next": SET_UP})

    assert (response.status_code, response.url) == (302, SET_UP)


def test_the_set_up_page_is_reachable_when_the_site_lives_under_a_path_prefix(client):
    """The middleware compares the path without the script prefix (request.path_info)."""
    sign_in(client, without_totp(Role.VISITOR))

    response = client.get(SET_UP, SCRIPT_NAME="/move")

    assert response.status_code == 200


def test_the_set_up_page_has_no_invalid_template_variable(client):
    sign_in(client, without_totp(Role.VISITOR))

    response = client.get(SET_UP)

    assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode()


@pytest.mark.parametrize("persona", ["advocacy", "partner"])
def test_roles_without_personal_data_are_not_forced(client, request, persona):
    user = request.getfixturevalue(persona)
    assert not Authenticator.objects.filter(user=user).exists()
    sign_in(client, user)

    assert client.get("/").status_code == 200
    assert client.get(reverse("usersessions_list")).status_code == 200


@pytest.mark.parametrize("role", FORCED_ROLES)
def test_nobody_is_forced_when_mfa_is_not_required(client, settings, role):
    settings.MOVE_REQUIRE_MFA = False
    sign_in(client, without_totp(role))

    assert client.get("/").status_code == 200


def test_a_superuser_must_also_use_mfa(client):
    superuser = User.objects.create_superuser("root@example.org", "a-long-pass-phrase-42")
    sign_in(client, superuser)

    assert client.get("/").status_code == 302
    assert client.get("/admin/").url == SET_UP

    with_totp(superuser)
    assert client.get("/").status_code == 200


def test_a_person_with_totp_goes_where_they_asked(client, visitor_a, coordinator):
    for user in (visitor_a, coordinator):
        sign_in(client, user)
        assert client.get("/").status_code == 200
        client.logout()


def test_setting_up_totp_stores_the_secret_encrypted_and_opens_the_pages(client):
    user = without_totp(Role.VISITOR)
    sign_in(client, user)
    assert client.get(SET_UP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(SET_UP, {"code": current_code(secret)})

    assert response.status_code == 302
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    stored = authenticator.data["secret"]
    assert stored != secret
    assert secret not in str(authenticator.data)
    assert MFAAdapter().decrypt(stored) == secret
    assert client.get("/").status_code == 200


def test_a_wrong_code_sets_nothing_up(client):
    user = without_totp(Role.VISITOR)
    sign_in(client, user)
    client.get(SET_UP)
    secret = client.session[SECRET_SESSION_KEY]
    wrong = format_hotp_value((int(current_code(secret)) + 1) % 1_000_000)

    response = client.post(SET_UP, {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()
    assert client.get("/").url == SET_UP


def test_the_persona_fixtures_store_their_secrets_encrypted(visitor_a):
    stored = Authenticator.objects.get(user=visitor_a).data["secret"]
    secret = MFAAdapter().decrypt(stored)

    assert stored != secret
    assert len(secret) == 32  # base32 of 20 random bytes


def test_the_encryption_depends_on_the_encryption_key(settings):
    adapter = MFAAdapter()
    first, second = adapter.encrypt("JBSWY3DPEHPK3PXP"), adapter.encrypt("JBSWY3DPEHPK3PXP")

    assert first != second  # a fresh random IV each time
    assert adapter.decrypt(first) == adapter.decrypt(second) == "JBSWY3DPEHPK3PXP"
    settings.ENCRYPTION_KEY = "another-key"
    with pytest.raises(UnreadableData, match="MOVE_ENCRYPTION_KEY"):
        adapter.decrypt(first)


# --- What the prompts say (issue 9 §6) ----------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADVOCACY, Role.PARTNER])
def test_roles_that_see_no_personal_data_are_not_told_they_do(client, role):
    person = member(role, email=f"{role}.prompt@example.org")
    sign_in(client, person)

    home = client.get(reverse("home")).content.decode()
    set_up = client.get(SET_UP).content.decode()

    assert "Two-factor authentication is off. Turn it on to protect your account." in home
    assert "whose data you see" not in home
    assert "Your roles give no access to personal data" in set_up
    assert "Your roles give access to personal data" not in set_up


@pytest.mark.parametrize("role", FORCED_ROLES)
def test_roles_that_see_personal_data_are_told_why_a_second_factor_is_required(client, role):
    sign_in(client, without_totp(role))

    set_up = client.get(SET_UP).content.decode()

    assert "Your roles give access to personal data" in set_up
    assert "no access to personal data" not in set_up


def test_a_visitor_whose_factor_is_not_required_is_told_why_it_matters(client, settings):
    settings.MOVE_REQUIRE_MFA = False
    sign_in(client, without_totp(Role.VISITOR))

    home = client.get(reverse("home")).content.decode()

    assert "Your roles give access to personal data: turn it on to protect the people" in home
