"""Signing in (allauth, by e-mail): clear refusals, failures rate-limited, no sign-up."""

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from move.accounts.models import User
from tests.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SIGNUP = reverse("account_signup")
MISMATCH = "The email address and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts. Try again later."


def sign_in_with(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def failures_allowed(settings, per):
    """How many failed attempts one client (one IP) is allowed, per "key" (an account:
    the tighter of the per-account and per-account-and-IP rates) or per "ip"."""
    limits = settings.ACCOUNT_RATE_LIMITS
    actions = ["login_failed", "login_failed_account_ip"] if per == "key" else ["login_failed"]
    return min(r.amount for a in actions for r in parse_rates(limits[a]) if r.per == per)


def page(response):
    return response.content.decode()


def test_the_right_password_signs_in(client, advocacy):
    response = sign_in_with(client, "Advocacy@Example.org", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(advocacy.pk)


def test_a_wrong_password_shows_an_error_and_does_not_sign_in(client, advocacy):
    response = sign_in_with(client, advocacy.email, "not-the-password")

    assert response.status_code == 200
    assert MISMATCH in page(response)
    assert 'value="advocacy@example.org"' in page(response)
    assert SESSION_KEY not in client.session


def test_an_unknown_address_gets_the_same_error(client, advocacy):
    response = sign_in_with(client, "nobody@example.org", PASSWORD)

    assert response.status_code == 200
    assert MISMATCH in page(response)
    assert SESSION_KEY not in client.session


def test_a_closed_account_cannot_sign_in(client, advocacy):
    User.objects.filter(pk=advocacy.pk).update(is_active=False)

    response = sign_in_with(client, advocacy.email, PASSWORD)

    assert SESSION_KEY not in client.session
    assert (response.status_code, response.url) == (302, reverse("account_inactive"))


def test_a_person_with_a_second_factor_is_asked_for_a_code_after_the_password(client, visitor_a):
    response = sign_in_with(client, visitor_a.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session


def test_the_login_failure_limit_is_configured_per_address_and_per_ip(settings):
    assert failures_allowed(settings, "key") >= 1
    assert failures_allowed(settings, "ip") >= failures_allowed(settings, "key")


def test_after_repeated_failures_even_the_right_password_is_refused(client, advocacy, settings):
    allowed = failures_allowed(settings, "key")
    for _ in range(allowed):
        assert MISMATCH in page(sign_in_with(client, advocacy.email, "not-the-password"))

    response = sign_in_with(client, advocacy.email, PASSWORD)

    assert response.status_code == 200
    assert TOO_MANY in page(response)
    assert SESSION_KEY not in client.session


def test_the_failure_limit_of_one_address_does_not_lock_out_another(
    client, advocacy, partner, settings
):
    for _ in range(failures_allowed(settings, "key")):
        sign_in_with(client, advocacy.email, "not-the-password")

    response = sign_in_with(client, partner.email, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(partner.pk)


def test_many_failures_from_one_ip_lock_out_every_address(client, advocacy, settings):
    for number in range(failures_allowed(settings, "ip")):
        sign_in_with(client, f"guess{number}@example.org", "not-the-password")

    response = sign_in_with(client, advocacy.email, PASSWORD)

    assert TOO_MANY in page(response)
    assert SESSION_KEY not in client.session


def test_a_successful_sign_in_does_not_count_as_a_failure(client, advocacy, settings):
    allowed = failures_allowed(settings, "key")
    for _ in range(allowed - 1):
        sign_in_with(client, advocacy.email, "not-the-password")
    assert sign_in_with(client, advocacy.email, PASSWORD).status_code == 302
    client.logout()

    # One failure is left, as before the successful sign-in.
    assert MISMATCH in page(sign_in_with(client, advocacy.email, "not-the-password"))
    assert TOO_MANY in page(sign_in_with(client, advocacy.email, PASSWORD))


def test_the_sign_up_page_says_sign_up_is_closed(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    assert "Sign Up Closed" in page(response)
    assert "<form" not in page(response).split('<main id="main"', 1)[1]


def test_posting_to_the_sign_up_page_creates_nobody(client, db):
    before = User.objects.count()

    response = client.post(
        SIGNUP,
        {
            "email": "intruder@example.org",
            "password1": "a-long-and-unusual-passphrase-42",
            "password2": "a-long-and-unusual-passphrase-42",
        },
    )

    assert response.status_code == 200
    assert "Sign Up Closed" in page(response)
    assert User.objects.count() == before
    assert not User.objects.filter(email="intruder@example.org").exists()
    assert SESSION_KEY not in client.session


def test_nobody_adds_a_second_e_mail_address_to_sign_in_with(client, visitor_a):
    from allauth.account.models import EmailAddress

    sign_in(client, visitor_a)

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "other@example.org"}
    )

    assert response.status_code == 403
    assert "ask a coordinator" in response.content.decode()
    assert not EmailAddress.objects.filter(email="other@example.org").exists()


def test_signing_out_empties_what_the_site_kept_in_the_browser(client, visitor_a):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, visitor_a)

    response = client.post(reverse("account_logout"))

    assert response["Clear-Site-Data"] == '"storage"'
