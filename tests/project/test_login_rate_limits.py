"""Failed sign-ins are limited per account, with a per-IP ceiling far above it: an office
behind one address is not locked out by one person's failures (issue 9 §5), while a
guesser trying many accounts from one address still is.

Counted in the cache that production uses (Redis, REDIS_URL), as the rate limits are."""

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from move.accounts.permissions import Role
from tests.factories import PASSWORD, OrganisationFactory, member

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
TOO_MANY = "Too many failed login attempts. Try again later."
MISMATCH = "The email address and/or password you specified are not correct."
OFFICE, ELSEWHERE = "198.51.100.7", "203.0.113.9"


@pytest.fixture(autouse=True)
def _redis_cache(settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), (
        "run with REDIS_URL: the limits are counted in the shared cache"
    )


def limit(settings, per: str, action="login_failed") -> int:
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS[action])
    return min(rate.amount for rate in rates if rate.per == per)


def here_limit(settings) -> int:
    """Failures allowed for one account from one address."""
    return limit(settings, "key", "login_failed_account_ip")


def attempt(email, password, ip):
    """A sign-in from its own browser (no cookie shared) at address `ip`."""
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"login": email, "password": password})
    return client, response


def signed_in(client, response, user) -> bool:
    return response.status_code == 302 and client.session.get(SESSION_KEY) == str(user.pk)


def test_the_per_ip_ceiling_is_far_above_the_per_account_limits(settings):
    assert here_limit(settings) <= 10
    assert here_limit(settings) < limit(settings, "key") <= 30
    assert limit(settings, "ip") >= 10 * here_limit(settings)


def test_one_persons_failures_do_not_lock_out_their_office(advocacy, partner, settings):
    # Person A keeps trying long after their account is paused (a forgotten password,
    # a script retrying): 3 x the per-account limit, all from the office's address.
    for _ in range(3 * limit(settings, "key")):
        attempt(advocacy.email, "not-the-password", OFFICE)

    client, response = attempt(partner.email, PASSWORD, OFFICE)

    assert signed_in(client, response, partner), "person B of the same office must sign in"


def test_a_whole_office_signs_in_within_a_minute(db, settings):

    office = OrganisationFactory(short_name="Office", kind="partner")
    people = [member(Role.PARTNER, office, email=f"colleague{n}@example.org") for n in range(40)]

    for person in people:
        client, response = attempt(person.email, PASSWORD, OFFICE)
        assert signed_in(client, response, person), f"{person.email} was refused"


def test_the_person_who_failed_is_paused_there_even_with_the_right_password(advocacy, settings):
    for _ in range(here_limit(settings)):
        _client, response = attempt(advocacy.email, "not-the-password", OFFICE)
        assert MISMATCH in response.content.decode()

    client, response = attempt(advocacy.email, PASSWORD, OFFICE)

    assert TOO_MANY in response.content.decode()
    assert not signed_in(client, response, advocacy)
    # Per account and IP: from another address the owner still signs in.
    client, response = attempt(advocacy.email, PASSWORD, ELSEWHERE)
    assert signed_in(client, response, advocacy)


def test_an_account_guessed_from_many_addresses_is_paused_everywhere(advocacy, settings):
    addresses = [f"192.0.2.{n}" for n in range(1, 60)]
    for number in range(limit(settings, "key")):
        # Fewer tries per address than the per-address pause: only the account count stops it.
        ip = addresses[number // (here_limit(settings) - 1)]
        _client, response = attempt(advocacy.email, "not-the-password", ip)
        assert MISMATCH in response.content.decode()

    client, response = attempt(advocacy.email, PASSWORD, "198.18.0.1")
    assert TOO_MANY in response.content.decode()
    assert not signed_in(client, response, advocacy)


def test_a_guesser_trying_many_accounts_from_one_address_hits_the_ip_ceiling(
    advocacy, partner, settings
):
    for number in range(limit(settings, "ip")):
        attempt(f"guess{number}@example.org", "not-the-password", OFFICE)

    client, response = attempt(advocacy.email, PASSWORD, OFFICE)
    assert TOO_MANY in response.content.decode()
    assert not signed_in(client, response, advocacy)
    # The ceiling is the address's, not the accounts': elsewhere, people sign in.
    client, response = attempt(partner.email, PASSWORD, ELSEWHERE)
    assert signed_in(client, response, partner)


def test_a_successful_sign_in_gives_back_what_it_consumed(advocacy, settings):
    for _ in range(here_limit(settings) - 1):
        attempt(advocacy.email, "not-the-password", OFFICE)
    client, response = attempt(advocacy.email, PASSWORD, OFFICE)
    assert signed_in(client, response, advocacy)

    # One failure is left, as before the successful sign-in.
    assert MISMATCH in attempt(advocacy.email, "not-the-password", OFFICE)[1].content.decode()
    assert TOO_MANY in attempt(advocacy.email, PASSWORD, OFFICE)[1].content.decode()
