"""Signing in through the real forms, MFA, the language switcher and the keyboard."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from move.accounts.permissions import MFA_ROLES, Role
from tests.e2e.conftest import assert_no_axe_violations, current_totp_code
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOTP_ACTIVATE = re.compile(r"/accounts/(2fa/totp/activate|reauthenticate)/")


def submit_login_form(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def type_totp_code(page):
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize(
    "role",
    [Role.VISITOR, Role.LEGAL, Role.COORDINATOR, Role.ADVOCACY, Role.WITNESS_POOL, Role.PARTNER],
)
def test_each_persona_signs_in_and_sees_its_role(page, live_server, make_user, role):
    user = make_user(role)
    submit_login_form(page, user)
    if role in MFA_ROLES:
        type_totp_code(page)
    expect(page).to_have_url(f"{live_server.url}/")
    roles = page.get_by_role("region", name="Your roles")
    with translation.override("en"):
        expect(roles).to_contain_text(str(Role(role).label))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_totp_code_does_not_sign_in(page, make_user):
    user = make_user(Role.VISITOR)
    submit_login_form(page, user)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    wrong = f"{(int(current_totp_code()) + 1) % 1_000_000:06d}"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    assert_no_axe_violations(page, "the two-factor step with a wrong code")
    page.goto("/centres/")
    expect(page).to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))


def test_the_language_switcher_shows_dutch(page):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Change").click()
    # Strings that Django and allauth translate, not our own (still empty) catalogue.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("E-mail")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    expect(page.get_by_role("link", name="Wachtwoord vergeten?")).to_be_visible()
    expect(page.get_by_role("combobox").locator("option:checked")).to_have_text("Nederlands")


def test_a_visitor_without_totp_must_set_it_up_before_anything_else(page, make_user):
    user = make_user(Role.VISITOR, totp=False)
    submit_login_form(page, user)
    expect(page).to_have_url(TOTP_ACTIVATE)
    assert_no_axe_violations(page, "the TOTP set-up")
    page.goto("/centres/")
    expect(page).to_have_url(TOTP_ACTIVATE)
    page.goto("/")
    expect(page).to_have_url(TOTP_ACTIVATE)


def test_advocacy_without_totp_is_not_asked_for_it(page, live_server, make_user):
    user = make_user(Role.ADVOCACY)
    submit_login_form(page, user)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in")
    assert_no_axe_violations(page, "the home page with a message")
    page.goto("/centres/")
    expect(page).to_have_url(f"{live_server.url}/centres/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Detention centres")


def focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim()}; }"
    )


def test_tab_reaches_the_skip_link_first_which_moves_focus_to_main(page):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    reached = []
    for _ in range(10):
        page.keyboard.press("Tab")
        reached.append(focused(page)["id"])
        if reached[-1] == "id_password":
            break
    assert "id_login" in reached, f"Tab went through {reached} without reaching the e-mail"
    assert reached.index("id_login") < reached.index("id_password")

    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "main"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_login"
