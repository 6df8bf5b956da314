"""Browser tests: pytest-playwright on the system Chromium, against pytest-django's
live server. Without Chromium the tests skip, except in CI (CI=true) where they fail:
a CI run that silently skips every browser test would prove nothing."""

import os
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from move.accounts.permissions import MFA_ROLES, Role
from tests.factories import OrganisationFactory, member

CHROMIUM = Path("/usr/bin/chromium")
# A fixed base32 secret, so that the tests can compute the current TOTP code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session", autouse=True)
def _chromium_is_installed():
    """Session-scoped and autouse, so that it runs before the browser is launched."""
    if CHROMIUM.exists():
        return
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)."
    if _in_ci():
        pytest.fail(f"{reason} CI=true: the browser tests must run in CI.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages are opened by path (`page.goto("/centres/")`). This also replaces
    pytest-playwright's own `base_url` fixture, which pytest 9 deprecates (an error here)."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def e2e_db(transactional_db):
    """The live server runs in another thread: it must see committed rows."""


@pytest.fixture
def coalition_org(e2e_db):
    return OrganisationFactory(short_name="Move", kind="coalition")


@pytest.fixture
def make_user(e2e_db, coalition_org):
    """`make_user(role, totp=None)` → a member of the coalition (partners: of a partner
    organisation). With `totp` unset, roles that must use MFA get an authenticator with
    the known TOTP_SECRET, as someone who has set MFA up."""
    from allauth.mfa.totp.internal.auth import TOTP

    def make(role: str, *, totp: bool | None = None, **user_fields):
        organisation = (
            OrganisationFactory(short_name="Myria", kind="partner")
            if role == Role.PARTNER
            else coalition_org
        )
        user_fields.setdefault("email", f"{role}@e2e.example.org")
        user = member(role, organisation, **user_fields)
        if totp if totp is not None else role in MFA_ROLES:
            TOTP.activate(user, TOTP_SECRET)
        return user

    return make


@pytest.fixture
def signed_in(live_server, context):
    """`signed_in(user)` → the browser context holds a session for the user, without
    going through the login form (that is tested once per persona)."""

    def sign_in(user):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}]
        )
        return user

    return sign_in


def current_totp_code() -> str:
    """The code an authenticator app shows now for TOTP_SECRET. Near the end of a
    period, waits for the next one: the code must still be valid when it arrives."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // period))


_axe = Axe()


def axe_violations(page, where: str) -> list[str]:
    """axe-core's report on the page as it is now, or nothing if it found nothing."""
    results = _axe.run(page)
    return [f"axe on {where}:\n{results.generate_report()}"] if results.violations_count else []


def assert_no_axe_violations(page, where: str) -> None:
    problems = axe_violations(page, where)
    assert not problems, problems[0]
